/** Every error of docs/protocol.md §3's table, and invalid input naming its field, on both databases. */
import { describe, expect, it } from "vitest";
import { befriend, connect, errorOf, httpClient, signUp, uniqueUsername } from "../src/testing/index.js";
import { DATABASE_KINDS, useServer } from "./fixtures.js";
import { startTestServer } from "../src/testing/index.js";

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

describe.each(DATABASE_KINDS)("errors on %s", (kind) => {
  const server = useServer(kind);

  it("auth.signUp: CONFLICT when the username is taken (in any case)", async () => {
    const username = uniqueUsername();
    await signUp(server.current.url, username);
    const anon = httpClient(server.current.url);
    expect(await errorOf(anon.auth.signUp.mutate({ username: username.toUpperCase(), password: "another one" }))).toEqual({
      code: "CONFLICT",
      message: `The username "${username}" is taken`,
    });
  });

  it("auth.signUp: BAD_REQUEST naming the field for a bad username or password", async () => {
    const anon = httpClient(server.current.url);
    expect(await errorOf(anon.auth.signUp.mutate({ username: "no spaces!", password: "long enough" }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^username: /),
    });
    expect(await errorOf(anon.auth.signUp.mutate({ username: uniqueUsername(), password: "short" }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^password: /),
    });
    expect(await errorOf(anon.auth.signUp.mutate({ username: uniqueUsername(), password: "x".repeat(129) }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^password: /),
    });
  });

  it("auth.signIn: UNAUTHORIZED for a wrong password or unknown user, with the same message", async () => {
    const alice = await signUp(server.current.url);
    const anon = httpClient(server.current.url);
    const wrong = await errorOf(anon.auth.signIn.mutate({ username: alice.username, password: "wrong password" }));
    const unknown = await errorOf(anon.auth.signIn.mutate({ username: uniqueUsername(), password: "wrong password" }));
    expect(wrong).toEqual({ code: "UNAUTHORIZED", message: "Wrong username or password" });
    expect(unknown).toEqual(wrong);
    const ok = await anon.auth.signIn.mutate({ username: alice.username, password: "correct horse" });
    expect(ok.user).toEqual({ id: alice.id, username: alice.username });
  });

  it("every procedure but signUp/signIn: UNAUTHORIZED without, with a forged, or with an expired token", async () => {
    const alice = await signUp(server.current.url);
    const [payload] = alice.token.split(".");
    const forged = `${payload}.${"A".repeat(43)}`;
    const expiredPayload = Buffer.from(JSON.stringify({ sub: alice.id, exp: 1 })).toString("base64url");
    for (const token of [undefined, "garbage", forged, `${expiredPayload}.${alice.token.split(".")[1]}`]) {
      const client = httpClient(server.current.url, token);
      expect((await errorOf(client.auth.me.query())).code).toBe("UNAUTHORIZED");
      expect((await errorOf(client.presence.me.query())).code).toBe("UNAUTHORIZED");
      expect((await errorOf(client.friends.list.query())).code).toBe("UNAUTHORIZED");
    }
    expect(await alice.http.auth.me.query()).toEqual({ id: alice.id, username: alice.username });
  });

  it("friends.request: NOT_FOUND for an unknown user, BAD_REQUEST for yourself", async () => {
    const alice = await signUp(server.current.url);
    expect((await errorOf(alice.http.friends.request.mutate({ username: uniqueUsername() }))).code).toBe("NOT_FOUND");
    expect(await errorOf(alice.http.friends.request.mutate({ username: alice.username }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^username: /),
    });
  });

  it("friends.accept: NOT_FOUND without a pending request from them (also for your own request)", async () => {
    const alice = await signUp(server.current.url);
    const bob = await signUp(server.current.url);
    expect((await errorOf(alice.http.friends.accept.mutate({ userId: bob.id }))).code).toBe("NOT_FOUND");
    await alice.http.friends.request.mutate({ username: bob.username });
    expect((await errorOf(alice.http.friends.accept.mutate({ userId: bob.id }))).code).toBe("NOT_FOUND");
    expect(await errorOf(alice.http.friends.accept.mutate({ userId: "not-a-uuid" }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^userId: /),
    });
  });

  it("presence.setStatus: BAD_REQUEST naming status, message or visibleTo", async () => {
    const alice = await signUp(server.current.url);
    const stranger = await signUp(server.current.url);
    const set = (input: unknown) => errorOf(alice.http.presence.setStatus.mutate(input as never));
    expect(await set({ status: "busy" })).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^status: /) });
    expect(await set({ status: "away", message: "x".repeat(129) })).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^message: /),
    });
    expect(await set({ status: "away", message: "bell\u0007" })).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^message: .*control/),
    });
    expect(await set({ status: "invisible", visibleTo: [stranger.id] })).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^visibleTo: /),
    });
    // 128 characters after trimming is fine; an empty message clears it.
    const padded = `  ${"y".repeat(128)}  `;
    expect((await alice.http.presence.setStatus.mutate({ status: "away", message: padded })).message).toBe("y".repeat(128));
    expect((await alice.http.presence.setStatus.mutate({ status: "away", message: "   " })).message).toBeNull();
  });

  it("presence.setStatus over HTTP: BAD_REQUEST naming message for bidi controls, separators, lone surrogates and Zalgo; emoji pass", async () => {
    const alice = await signUp(server.current.url);
    const refused: Array<[string, RegExp]> = [
      ["invoice\u202Efdp.exe", /bidirectional/],
      ["hi \u2067there", /bidirectional/],
      ["line\u2028break", /line or paragraph separators/],
      ["broken \uD83D emoji", /unpaired surrogate/],
      [`Z${"\u0336\u0317\u0358".repeat(40)}`, /combining marks/],
    ];
    for (const [message, why] of refused) {
      const error = await errorOf(alice.http.presence.setStatus.mutate({ status: "away", message }));
      expect(error, JSON.stringify(message)).toEqual({ code: "BAD_REQUEST", message: expect.stringMatching(/^message: /) });
      expect(error.message, JSON.stringify(message)).toMatch(why);
    }
    // The same bytes as a raw JSON body (the lone surrogate as a JSON escape), not through the client.
    const raw = await fetch(`${server.current.url}/trpc/presence.setStatus`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
      body: '{"status":"away","message":"x\\ud800"}',
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { message: string } }).error.message).toMatch(/^message: .*unpaired surrogate/);
    expect((await alice.http.presence.me.query()).message).toBeNull();
    for (const message of ["🏳️‍🌈 👨‍👩‍👧‍👦 👋🏽 🇺🇦 #️⃣ 🏴󠁧󠁢󠁥󠁮󠁧󠁿", "नमस्ते · สวัสดีครับ · Tiếng Việt · שָׁלוֹם"]) {
      expect((await alice.http.presence.setStatus.mutate({ status: "away", message })).message).toBe(message);
    }
  });

  it("presence.setVisibility: BAD_REQUEST for a non-friend or more than 1000 ids", async () => {
    const alice = await signUp(server.current.url);
    const bob = await signUp(server.current.url);
    await befriend(alice, bob);
    expect((await errorOf(alice.http.presence.setVisibility.mutate({ visibleTo: [UNKNOWN_ID] }))).message).toMatch(/^visibleTo: /);
    const tooMany = Array.from({ length: 1001 }, (_, i) => `00000000-0000-4000-8000-${i.toString().padStart(12, "0")}`);
    expect(await errorOf(alice.http.presence.setVisibility.mutate({ visibleTo: tooMany }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^visibleTo: /),
    });
    expect(await alice.http.presence.setVisibility.mutate({ visibleTo: [bob.id, bob.id] })).toMatchObject({ visibleTo: [bob.id] });
  });

  it("presence.get: NOT_FOUND for unknown ids; getMany: BAD_REQUEST for 0 or more than 500 ids", async () => {
    const alice = await signUp(server.current.url);
    expect((await errorOf(alice.http.presence.get.query({ userId: UNKNOWN_ID }))).code).toBe("NOT_FOUND");
    expect(await errorOf(alice.http.presence.getMany.query({ userIds: [] }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^userIds: /),
    });
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${i.toString().padStart(12, "0")}`);
    expect((await errorOf(alice.http.presence.getMany.query({ userIds: ids(501) }))).code).toBe("BAD_REQUEST");
    expect(await alice.http.presence.getMany.query({ userIds: ids(500) })).toEqual({});
  });

  it("presence.heartbeat: answers the TTL", async () => {
    const alice = await signUp(server.current.url);
    const device = await connect(server.current.wsUrl, alice);
    expect(await device.client.presence.heartbeat.mutate()).toEqual({ ttlSeconds: 60 });
    await device.close();
  });
});

describe("abuse limits", () => {
  it("TOO_MANY_REQUESTS after repeated sign-in failures and past 10 status changes in 10 s", async () => {
    const server = await startTestServer({ rateLimits: true, statusRateLimit: 10 });
    try {
      const alice = await signUp(server.url);
      const anon = httpClient(server.url);
      const codes: Array<string | undefined> = [];
      for (let i = 0; i < 11; i++) {
        codes.push((await errorOf(anon.auth.signIn.mutate({ username: alice.username, password: "wrong password" }))).code);
      }
      expect(codes.slice(0, 10).every((code) => code === "UNAUTHORIZED")).toBe(true);
      expect(codes[10]).toBe("TOO_MANY_REQUESTS");
      // Even the right password waits out the lock: otherwise the lock would confirm a guess.
      expect((await errorOf(anon.auth.signIn.mutate({ username: alice.username, password: "correct horse" }))).code).toBe(
        "TOO_MANY_REQUESTS",
      );
      for (let i = 0; i < 10; i++) await alice.http.presence.setStatus.mutate({ status: i % 2 ? "away" : "online" });
      expect(await errorOf(alice.http.presence.setStatus.mutate({ status: "dnd" }))).toMatchObject({ code: "TOO_MANY_REQUESTS" });
      expect((await alice.http.presence.me.query()).status).toBe("away");
    } finally {
      await server.close();
    }
  }, 120_000); // its own embedded database plus a dozen scrypt hashes: slow on two busy cores
});
