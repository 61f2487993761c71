/**
 * Tokens on long-lived sockets: a WebSocket is closed (4401) when its token expires, and the
 * stock client carries on with a fresh one; `auth.signOut` revokes every token of the caller,
 * closes their sockets here at once and on other servers within seconds.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import type { AppRouter } from "@herald/presence";
import WebSocket from "ws";
import { createHmac } from "node:crypto";
import { createScratchDatabase } from "@herald/db/testing";
import { readEnv } from "../src/env.js";
import {
  befriend,
  connect,
  httpClient,
  signUp,
  startTestServer,
  TEST_AUTH_SECRET,
  codeOf,
  rawSocket,
  type RawSocket,
  type TestServer,
} from "../src/testing/index.js";

/** An authenticated raw socket, once the server answered a call on it (so it counts). */
async function rawConnect(wsUrl: string, token: string): Promise<RawSocket> {
  const raw = await rawSocket(wsUrl, token);
  expect(raw.answer).toContain('"result"');
  return raw;
}

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A token signed like the server's, expiring in `seconds` (the test server's secret is known). */
function shortLivedToken(userId: string, seconds: number): string {
  const payload = Buffer.from(JSON.stringify({ sub: userId, exp: Math.floor(Date.now() / 1000) + seconds, ver: 0 })).toString("base64url");
  return `${payload}.${createHmac("sha256", TEST_AUTH_SECRET).update(payload).digest("base64url")}`;
}

describe("token expiry on live sockets", () => {
  it("closes a socket with 4401 when its token expires; the stock client reconnects with a fresh token", { timeout: 60_000 }, async () => {
    const server = await startTestServer();
    servers.push(server);
    const alice = await signUp(server.url);
    const raw = await rawConnect(server.wsUrl, shortLivedToken(alice.id, 2));
    const openedAt = Date.now();

    // A client whose first token is about to expire, and who fetches a fresh one on reconnect.
    const handedOut: string[] = [];
    const wsClient = createWSClient({
      url: server.wsUrl,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      connectionParams: () => {
        handedOut.push(handedOut.length === 0 ? "short" : "fresh");
        return { token: handedOut.length === 1 ? shortLivedToken(alice.id, 2) : alice.token };
      },
      retryDelayMs: () => 50,
    });
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    expect(await client.auth.me.query()).toEqual({ id: alice.id, username: alice.username });

    expect(await raw.closed).toEqual({ code: 4401, reason: "session expired" });
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(900); // at expiry, not before
    // The stock client's socket expired too; it reconnected with the fresh token and works on.
    await expect.poll(() => handedOut, { timeout: 20_000 }).toEqual(["short", "fresh"]);
    expect(await client.auth.me.query()).toEqual({ id: alice.id, username: alice.username });
    await expect.poll(() => server.app.connections.size, { timeout: 10_000 }).toBe(1);
    // Over HTTP an expired token is refused as before.
    expect(await codeOf(httpClient(server.url, shortLivedToken(alice.id, -1)).auth.me.query())).toBe("UNAUTHORIZED");
    await wsClient.close();
  });

  it("SESSION_TTL_SECONDS sets how long new tokens live", async () => {
    expect(readEnv({ SESSION_TTL_SECONDS: "3600" }).SESSION_TTL_SECONDS).toBe(3600);
    expect(readEnv({}).SESSION_TTL_SECONDS).toBe(30 * 86_400);
    expect(() => readEnv({ SESSION_TTL_SECONDS: "soon" })).toThrow(/SESSION_TTL_SECONDS/);
    const server = await startTestServer({ sessionTtlSeconds: 120 });
    servers.push(server);
    const alice = await signUp(server.url);
    const { exp } = JSON.parse(Buffer.from(alice.token.split(".")[0]!, "base64url").toString()) as { exp: number };
    expect(Math.abs(exp - (Date.now() / 1000 + 120))).toBeLessThan(30);
  });
});

describe("auth.signOut", () => {
  it("revokes the caller's tokens everywhere and closes their sockets; others are untouched", { timeout: 60_000 }, async () => {
    const server = await startTestServer();
    servers.push(server);
    const alice = await signUp(server.url);
    const bob = await signUp(server.url);
    await befriend(alice, bob);
    const aliceRaw = await rawConnect(server.wsUrl, alice.token);
    const aliceDevice = await connect(server.wsUrl, alice);
    const bobRaw = await rawConnect(server.wsUrl, bob.token);
    const bobDevice = await connect(server.wsUrl, bob, { subscribe: true });
    expect(server.app.connections.size).toBe(4);

    // Signing out over the WebSocket still answers the call before the socket closes.
    expect(await aliceDevice.client.auth.signOut.mutate()).toEqual({ signedOut: true });
    expect(await aliceRaw.closed).toEqual({ code: 4401, reason: "signed out" });
    expect(await codeOf(alice.http.auth.me.query())).toBe("UNAUTHORIZED");
    expect(await codeOf(alice.http.auth.signOut.mutate())).toBe("UNAUTHORIZED");
    // Bob's sockets stay; Bob sees Alice leave once her last connection is gone.
    expect(bobRaw.socket.readyState).toBe(WebSocket.OPEN);
    await expect.poll(() => server.app.connections.size, { timeout: 5_000 }).toBe(2);
    // (the stock client of Alice keeps retrying with its revoked token: refused, never counted)
    await aliceDevice.close();
    expect((await bobDevice.feed.nextPresenceOf(alice.id, 5_000)).status).toBe("offline");
    expect(await bobDevice.client.auth.me.query()).toEqual({ id: bob.id, username: bob.username });

    // Signing in again gives a token that works, on HTTP and on a socket.
    const { token } = await httpClient(server.url).auth.signIn.mutate({ username: alice.username, password: "correct horse" });
    expect(await httpClient(server.url, token).auth.me.query()).toEqual({ id: alice.id, username: alice.username });
    const again = await rawConnect(server.wsUrl, token);
    // An old token on a new socket is refused and never counts.
    const stale = new WebSocket(`${server.wsUrl}?connectionParams=1`);
    const staleClosed = new Promise<number>((resolve) => stale.once("close", resolve));
    await new Promise((resolve) => stale.once("open", resolve));
    stale.send(JSON.stringify({ method: "connectionParams", data: { token: alice.token } }));
    expect(await staleClosed).toBe(4401);
    expect((await httpClient(server.url, token).presence.me.query()).connections).toBe(1);
    again.socket.close();
    bobRaw.socket.close();
    await bobDevice.close();
  });

  it("closes the user's sockets on another server sharing the database within seconds", { timeout: 60_000 }, async () => {
    const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL);
    try {
      const a = await startTestServer({ databaseUrl: scratch.url });
      const b = await startTestServer({ databaseUrl: scratch.url });
      servers.push(a, b);
      const alice = await signUp(a.url);
      const onB = await rawConnect(b.wsUrl, alice.token);
      const started = Date.now();
      await alice.http.auth.signOut.mutate();
      expect(await onB.closed).toEqual({ code: 4401, reason: "session revoked" });
      expect(Date.now() - started).toBeLessThan(15_000);
      // B refuses the token over HTTP too (its cached version expired by now).
      expect(await codeOf(httpClient(b.url, alice.token).auth.me.query())).toBe("UNAUTHORIZED");
      await Promise.all([a.close(), b.close()]);
    } finally {
      await scratch.drop();
    }
  });
});

describe("token versions on the embedded database", () => {
  it(
    "are read once per user: the re-checks 5 s apart use the cached one, and a sign-out still closes the sockets at once",
    { timeout: 30_000 },
    async () => {
      // This server is the embedded database's only writer: a version it cached cannot go stale.
      const server = await startTestServer();
      servers.push(server);
      const alice = await signUp(server.url);
      const raw = await rawConnect(server.wsUrl, alice.token);
      const reads = vi.spyOn(server.app.accounts, "tokenVersions");
      const rechecks = vi.spyOn(server.app.sessions, "isCurrent");
      // Two re-checks: the second comes more than 5 s (the cache's life on a shared database) after the version was read.
      await vi.waitFor(() => expect(rechecks).toHaveBeenCalledTimes(2), { timeout: 15_000, interval: 100 });
      expect(await alice.http.auth.me.query()).toEqual({ id: alice.id, username: alice.username });
      expect(reads).not.toHaveBeenCalled();
      expect(raw.socket.readyState).toBe(WebSocket.OPEN);

      await alice.http.auth.signOut.mutate();
      expect(await raw.closed).toEqual({ code: 4401, reason: "signed out" });
      expect(await codeOf(alice.http.auth.me.query())).toBe("UNAUTHORIZED");
      reads.mockRestore();
      rechecks.mockRestore();
    },
  );
});

describe("the periodic session re-check", () => {
  it("keeps a socket whose re-check fails, and counts the failure (nothing is left unhandled)", { timeout: 30_000 }, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const server = await startTestServer({ logLevel: "silent" });
      servers.push(server);
      const alice = await signUp(server.url);
      const raw = await rawConnect(server.wsUrl, alice.token);
      const isCurrent = vi.spyOn(server.app.sessions, "isCurrent").mockRejectedValue(new Error("token versions unreadable"));
      // The re-check runs every 5 s.
      await vi.waitFor(() => expect(isCurrent).toHaveBeenCalled(), { timeout: 10_000 });
      // A round trip later the rejection has been handled, or reported as unhandled.
      const metrics = await (await fetch(server.metricsUrl)).text();
      expect(unhandled).toEqual([]);
      expect(metrics).toMatch(/herald_errors_total\{code="INTERNAL_SERVER_ERROR"\} 1\n/);
      expect(raw.socket.readyState).toBe(WebSocket.OPEN);
      isCurrent.mockRestore();
      raw.socket.close();
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
