/**
 * AUTH_MODE=jwt against a real server process (`src/main.ts`, configured by its environment
 * alone) and a real JWKS served on port 0 (HostIssuer): which host tokens are taken, which are
 * refused, key rotation without a restart (at the default 30 s JWKS cooldown), provisioning on
 * first sight, and 4401 when a live socket's token expires. docs/protocol.md §3.1, SECURITY.md.
 * A JWKS that fails is host-jwks.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScratchDatabase } from "@herald/db/testing";
import { UnsecuredJWT } from "jose";
import {
  codeOf,
  errorOf,
  HostIssuer,
  httpClient,
  rawSocket,
  TEST_AUDIENCE,
  TEST_ISSUER,
  TEST_SERVICE_TOKEN,
} from "../src/testing/index.js";
import { startServerProcess, type ServerProcess } from "./multi-server/cluster.js";

describe("the host's tokens (AUTH_MODE=jwt, AUTH_JWKS_URL) in a real server process", () => {
  let issuer: HostIssuer;
  let server: ServerProcess;
  let drop = async () => {};
  let n = 0;
  const userId = () => `auth0|jwt-${n++}`;
  const system = () => httpClient(server.url, TEST_SERVICE_TOKEN).system;
  const PROBE = "auth0|probe";

  /** Whether Herald has a user with this id: only an existing user can be linked (with the probe user). */
  async function exists(id: string): Promise<boolean> {
    if ((await codeOf(system().friends.link.mutate({ pairs: [[PROBE, id]] }))) !== "ok") return false;
    await system().friends.unlink.mutate({ pairs: [[PROBE, id]] });
    return true;
  }

  beforeAll(async () => {
    issuer = await HostIssuer.start();
    const database = await createScratchDatabase(process.env.TEST_DATABASE_URL);
    drop = database.drop;
    server = await startServerProcess("jwt-server", {
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: database.url,
      AUTH_MODE: "jwt",
      AUTH_JWKS_URL: issuer.jwksUrl,
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_AUDIENCE: TEST_AUDIENCE,
      HERALD_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
      RATE_LIMITS: "off",
      LOG_LEVEL: "warn",
    });
    await system().users.upsert.mutate({ users: [{ id: PROBE, name: "Probe" }] });
  });
  afterAll(async () => {
    await server?.stop();
    await issuer?.close();
    await drop();
  });

  it("takes a valid token: sub is the user's id, provisioned on first sight with the name claim", async () => {
    const id = userId();
    expect(await exists(id)).toBe(false);
    const client = httpClient(server.url, await issuer.sign(id, { name: "Ada Lovelace" }));
    expect(await client.auth.me.query()).toEqual({ id, username: "Ada Lovelace" });
    expect(await exists(id)).toBe(true);
    expect(await client.presence.me.query()).toMatchObject({ status: "online", connections: 0 });
    // A later token with another name renames; one without a name keeps it.
    expect(await httpClient(server.url, await issuer.sign(id, { name: "Ada King" })).auth.me.query()).toEqual({ id, username: "Ada King" });
    expect(await httpClient(server.url, await issuer.sign(id)).auth.me.query()).toEqual({ id, username: "Ada King" });
    // No name at all: the id is what clients are shown.
    const nameless = userId();
    expect(await httpClient(server.url, await issuer.sign(nameless)).auth.me.query()).toEqual({ id: nameless, username: nameless });
  });

  it("fetches the JWKS once and keeps it while every token names a key it has", async () => {
    const before = issuer.jwksFetches;
    for (let i = 0; i < 5; i++) await httpClient(server.url, await issuer.sign(userId())).auth.me.query();
    expect(issuer.jwksFetches).toBe(before);
  });

  it("refuses expired, wrong-issuer, wrong-audience, wrong-key, alg none and claimless tokens, over HTTP and WebSocket", async () => {
    const id = userId();
    const refused: Record<string, string> = {
      expired: await issuer.sign(id, { expiresIn: -5 }),
      "wrong issuer": await issuer.sign(id, { issuer: "https://evil.example/" }),
      "wrong audience": await issuer.sign(id, { audience: "someone-else" }),
      "wrong key (a known kid, another key)": await issuer.sign(id, { forged: true }),
      "alg none": new UnsecuredJWT({ sub: id, iss: TEST_ISSUER, aud: TEST_AUDIENCE }).setExpirationTime("1h").encode(),
      "no exp": await issuer.sign(id, { claims: { exp: undefined } }),
      "no sub": await issuer.sign(id, { claims: { sub: undefined } }),
      "sub unusable as an id (braces)": await issuer.sign("{slot}"),
      "sub a number": await issuer.sign(id, { claims: { sub: 42 } }),
      "sub a boolean": await issuer.sign(id, { claims: { sub: true } }),
      "sub an array holding another user's id": await issuer.sign(PROBE, { claims: { sub: [PROBE] } }),
      "not a JWT": "not.a.jwt",
    };
    for (const [why, token] of Object.entries(refused)) {
      expect(await errorOf(httpClient(server.url, token).auth.me.query()), why).toMatchObject({ code: "UNAUTHORIZED" });
      const ws = await rawSocket(server.wsUrl, token);
      expect(ws.answer, why).toContain("UNAUTHORIZED");
      expect(await ws.closed, why).toMatchObject({ code: 4401 });
    }
    expect(await exists(id)).toBe(false); // nothing provisioned from a refused token
  });

  it("closes a live socket with 4401 when its host token expires", { timeout: 30_000 }, async () => {
    const id = userId();
    const ws = await rawSocket(server.wsUrl, await issuer.sign(id, { expiresIn: 2 }));
    expect(ws.answer).toContain(`"id":${JSON.stringify(id)}`);
    const openedAt = Date.now();
    expect(await system().presence.reachable.query({ userIds: [id] })).toEqual({ [id]: true });
    expect(await ws.closed).toEqual({ code: 4401, reason: "session expired" });
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(500); // at expiry, not at once
  });

  it("answers auth.signUp, signIn and signOut with a clear error: the host signs users in", async () => {
    const anonymous = httpClient(server.url);
    const signedIn = httpClient(server.url, await issuer.sign(userId()));
    // One at a time: a call made before the previous answer is awaited would reject unheard.
    for (const call of [
      () => anonymous.auth.signUp.mutate({ username: "someone", password: "correct horse" }),
      () => anonymous.auth.signIn.mutate({ username: "someone", password: "correct horse" }),
      () => signedIn.auth.signOut.mutate(),
    ]) {
      expect(await errorOf(call())).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("AUTH_MODE=jwt") });
    }
  });

  it("holds ids to the host's format: BAD_REQUEST naming the field", async () => {
    const client = httpClient(server.url, await issuer.sign(userId()));
    expect(await errorOf(client.presence.get.query({ userId: "has space" }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^userId: must be a user id/),
    });
    expect(await errorOf(client.presence.setVisibility.mutate({ visibleTo: ["ok", "{x}"] }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^visibleTo\.1: /),
    });
    // Any well-formed id is just unknown (rule 8), uuid or not.
    expect(await errorOf(client.presence.get.query({ userId: "not-a-uuid" }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("lets the host's users befriend each other by id when friendships are left to them (FRIENDS=herald)", async () => {
    const [a, b] = [userId(), userId()];
    const alice = httpClient(server.url, await issuer.sign(a, { name: "Alice" }));
    const bob = httpClient(server.url, await issuer.sign(b, { name: "Bob" }));
    await bob.auth.me.query(); // first sight
    expect(await alice.friends.request.mutate({ userId: b })).toEqual({ status: "pending" });
    expect(await bob.friends.requests.query()).toEqual({ incoming: [{ id: a, username: "Alice" }], outgoing: [] });
    expect(await bob.friends.accept.mutate({ userId: a })).toEqual({ status: "accepted" });
    expect(await alice.friends.list.query()).toMatchObject([{ id: b, username: "Bob", presence: { userId: b, status: "offline" } }]);
    expect(await errorOf(alice.friends.request.mutate({ userId: "auth0|nobody" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await errorOf(alice.friends.request.mutate({ userId: a }))).toMatchObject({
      code: "BAD_REQUEST",
      message: "userId: you cannot befriend yourself",
    });
    expect(await errorOf(alice.friends.request.mutate({ userId: "no spaces" }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^userId: must be a user id/),
    });
    expect(await errorOf(alice.friends.request.mutate({}))).toMatchObject({
      code: "BAD_REQUEST",
      message: "username: give either a username or a userId",
    });
    expect(await errorOf(alice.friends.request.mutate({ username: "bob", userId: b }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  // Last: an unknown key fetches the JWKS again at most 30 s after the last fetch, so
  // this waits out whatever is left of that since the tests above.
  it("picks up a rotated key without a restart, and then refuses the retired one", { timeout: 60_000 }, async () => {
    const id = userId();
    const oldToken = await issuer.sign(id);
    expect(await httpClient(server.url, oldToken).auth.me.query()).toMatchObject({ id });
    await issuer.rotate(); // the JWKS now serves only a new key
    const newToken = await issuer.sign(id);
    // An unknown kid fetches the JWKS again, once the cooldown since the last fetch is over.
    await expect.poll(() => codeOf(httpClient(server.url, newToken).auth.me.query()), { timeout: 45_000, interval: 500 }).toBe("ok");
    expect(await errorOf(httpClient(server.url, oldToken).auth.me.query())).toMatchObject({ code: "UNAUTHORIZED" });
  });
});
