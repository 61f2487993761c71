/**
 * Abuse limits (docs/protocol.md §4 RATE_LIMITS) not covered in errors.test.ts: live connections per user,
 * sign-in failures per address, sign-ups per address, friend requests per user, and
 * setVisibility counting as a status change. `rateLimits: false` lifts every one of them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { httpClient, signUp, startTestServer, uniqueUsername, codeOf, type TestServer } from "../src/testing/index.js";

type Outcome = { kind: "counted"; socket: WebSocket } | { kind: "closed"; code: number; reason: string };

/** Opens a socket with the token; "counted" once a call on it succeeded, else how it closed. */
async function open(wsUrl: string, token: string): Promise<Outcome> {
  const socket = new WebSocket(`${wsUrl}?connectionParams=1`);
  const closed = new Promise<Outcome>((resolve) =>
    socket.once("close", (code, reason) => resolve({ kind: "closed", code, reason: reason.toString() })),
  );
  await new Promise((resolve) => socket.once("open", resolve));
  socket.send(JSON.stringify({ method: "connectionParams", data: { token } }));
  socket.send(JSON.stringify({ id: 1, method: "query", params: { path: "auth.me" } }));
  const answered = new Promise<Outcome | null>((resolve) =>
    socket.once("message", (data) => resolve(data.toString().includes('"result"') ? { kind: "counted", socket } : null)),
  );
  const first = await Promise.race([answered, closed]);
  return first ?? (await closed);
}

describe("abuse limits", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rateLimits: true, statusRateLimit: 10 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("live connections per user: the 21st socket is closed with 4429 and a clear reason; others are unaffected", async () => {
    const alice = await signUp(server.url);
    const bob = await signUp(server.url);
    const sockets: WebSocket[] = [];
    for (let i = 0; i < 20; i++) {
      const outcome = await open(server.wsUrl, alice.token);
      expect(outcome.kind).toBe("counted");
      if (outcome.kind === "counted") sockets.push(outcome.socket);
    }
    const extra = await open(server.wsUrl, alice.token);
    expect(extra).toEqual({ kind: "closed", code: 4429, reason: expect.stringMatching(/too many connections: at most 20 per user/) });
    expect((await alice.http.presence.me.query()).connections).toBe(20);
    // Another user is not held back by Alice's sockets.
    const bobs = await open(server.wsUrl, bob.token);
    expect(bobs.kind).toBe("counted");
    // Closing one frees a place.
    const closedOne = new Promise((resolve) => sockets[0]!.once("close", resolve));
    sockets[0]!.close();
    await closedOne;
    await expect.poll(async () => (await alice.http.presence.me.query()).connections).toBe(19);
    const replacement = await open(server.wsUrl, alice.token);
    expect(replacement.kind).toBe("counted");
    for (const socket of [...sockets, ...[replacement, bobs].flatMap((o) => (o.kind === "counted" ? [o.socket] : []))]) socket.close();
  });

  it("friend requests per user: TOO_MANY_REQUESTS past 60 a minute", async () => {
    const alice = await signUp(server.url);
    const bob = await signUp(server.url);
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 61; i++) codes.push(await codeOf(alice.http.friends.request.mutate({ username: bob.username })));
    expect(codes.slice(0, 60).every((code) => code === "ok")).toBe(true);
    expect(codes[60]).toBe("TOO_MANY_REQUESTS");
    // Bob's own requests are counted apart.
    expect(await bob.http.friends.request.mutate({ username: alice.username })).toEqual({ status: "accepted" });
  });

  it("setVisibility counts as a status change", async () => {
    const alice = await signUp(server.url);
    for (let i = 0; i < 10; i++) await alice.http.presence.setVisibility.mutate({ visibleTo: [] });
    expect(await codeOf(alice.http.presence.setStatus.mutate({ status: "away" }))).toBe("TOO_MANY_REQUESTS");
    expect(await codeOf(alice.http.presence.setVisibility.mutate({ visibleTo: [] }))).toBe("TOO_MANY_REQUESTS");
  });
});

// Each needs its own server: these limits are per address, and every test client shares 127.0.0.1.
describe("per-address limits", () => {
  it("sign-ups: TOO_MANY_REQUESTS past 30 from one address in 10 minutes", { timeout: 120_000 }, async () => {
    const server = await startTestServer({ rateLimits: true });
    try {
      const anon = httpClient(server.url);
      const codes: Array<string | undefined> = [];
      for (let i = 0; i < 31; i++)
        codes.push(await codeOf(anon.auth.signUp.mutate({ username: uniqueUsername(), password: "long enough" })));
      expect(codes.slice(0, 30).every((code) => code === "ok")).toBe(true);
      expect(codes[30]).toBe("TOO_MANY_REQUESTS");
    } finally {
      await server.close();
    }
  });

  it(
    "sign-in failures: TOO_MANY_REQUESTS past 100 from one address in 15 minutes, whatever the usernames",
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ rateLimits: true });
      try {
        const alice = await signUp(server.url);
        const anon = httpClient(server.url);
        const codes: Array<string | undefined> = [];
        // Spread over many usernames, so the per-username limit (10) never triggers.
        for (let i = 0; i < 100; i++)
          codes.push(await codeOf(anon.auth.signIn.mutate({ username: `nobody_${i % 50}_x`, password: "wrong password" })));
        expect(codes.every((code) => code === "UNAUTHORIZED")).toBe(true);
        expect(await codeOf(anon.auth.signIn.mutate({ username: alice.username, password: "correct horse" }))).toBe("TOO_MANY_REQUESTS");
      } finally {
        await server.close();
      }
    },
  );

  it("RATE_LIMITS=off lifts the connection cap (and the rest)", async () => {
    const server = await startTestServer({ rateLimits: false });
    try {
      const alice = await signUp(server.url);
      const outcomes = await Promise.all(Array.from({ length: 25 }, () => open(server.wsUrl, alice.token)));
      expect(outcomes.every((o) => o.kind === "counted")).toBe(true);
      expect((await alice.http.presence.me.query()).connections).toBe(25);
      for (const o of outcomes) if (o.kind === "counted") o.socket.close();
    } finally {
      await server.close();
    }
  });
});
