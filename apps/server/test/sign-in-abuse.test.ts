/**
 * Abuse of the password paths (issue 10, items 6, 7, 9 and 10), over real HTTP against real
 * servers on port 0: guesses batched or sent all at once, lockouts keyed so that nobody else can
 * lock a user out (TRUSTED_PROXIES and X-Forwarded-For), username enumeration through
 * `friends.request`, and the password hashing cost. Per-address limits need a server each.
 */
import { randomBytes, scryptSync } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { users } from "@herald/db";
import { describe, expect, it } from "vitest";
import { createClientIpResolver } from "../src/client-ip.js";
import { readEnv } from "../src/env.js";
import { MAX_HTTP_BATCH_CALLS } from "../src/herald-core.js";
import { codeOf, signUp, startTestServer, uniqueUsername, type TestServer } from "../src/testing/index.js";

interface Answer {
  /** "ok", or the tRPC error code */
  code: string;
  message?: string;
  data?: unknown;
}

function answerOf(body: { result?: { data: unknown }; error?: { message?: string; data?: { code?: string } } }): Answer {
  return body.error ? { code: body.error.data?.code ?? "?", message: body.error.message } : { code: "ok", data: body.result?.data };
}

/** One mutation over plain HTTP, optionally as if forwarded by a proxy for `forwardedFor`. */
async function mutate(server: TestServer, path: string, input: unknown, forwardedFor?: string): Promise<Answer> {
  const response = await fetch(`${server.url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
    body: JSON.stringify(input),
  });
  return answerOf((await response.json()) as Parameters<typeof answerOf>[0]);
}

const signIn = (server: TestServer, username: string, password: string, forwardedFor?: string) =>
  mutate(server, "auth.signIn", { username, password }, forwardedFor);

async function withServer(overrides: Parameters<typeof startTestServer>[0], body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer(overrides);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

const tally = (answers: Answer[]) =>
  answers.reduce<Record<string, number>>((counts, { code }) => ({ ...counts, [code]: (counts[code] ?? 0) + 1 }), {});

describe("item 6: sign-in guesses cannot outrun the failure limit", () => {
  it(
    `one HTTP batch of ${MAX_HTTP_BATCH_CALLS} sign-in guesses (the most a batch holds) is refused with BAD_REQUEST and signs nobody in`,
    { timeout: 60_000 },
    async () => {
      await withServer({ rateLimits: true }, async (server) => {
        const alice = await signUp(server.url);
        const last = MAX_HTTP_BATCH_CALLS - 1;
        const guesses = Array.from({ length: MAX_HTTP_BATCH_CALLS }, (_, i) => ({
          username: alice.username,
          password: i === last ? "correct horse" : `wrong guess ${i}`,
        }));
        const response = await fetch(`${server.url}/trpc/${guesses.map(() => "auth.signIn").join(",")}?batch=1`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(Object.fromEntries(guesses.map((input, i) => [String(i), input]))),
        });
        const answers = ((await response.json()) as Array<Parameters<typeof answerOf>[0]>).map(answerOf);
        expect(answers).toHaveLength(MAX_HTTP_BATCH_CALLS);
        expect(tally(answers)).toEqual({ BAD_REQUEST: MAX_HTTP_BATCH_CALLS });
        expect(answers[last]!.message).toMatch(/auth\.signIn: send sign-ins and sign-ups one per request/);
        // None of them was checked, so none counts: Alice signs in on her own at once.
        expect((await signIn(server, alice.username, "correct horse")).code).toBe("ok");
      });
    },
  );

  it(
    "100 guesses sent at once: exactly 10 are checked, the rest (and then the right password) get TOO_MANY_REQUESTS",
    { timeout: 60_000 },
    async () => {
      await withServer({ rateLimits: true }, async (server) => {
        const alice = await signUp(server.url);
        const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => signIn(server, alice.username, `wrong guess ${i}`)));
        expect(tally(answers)).toEqual({ UNAUTHORIZED: 10, TOO_MANY_REQUESTS: 90 });
        expect((await signIn(server, alice.username, "correct horse")).code).toBe("TOO_MANY_REQUESTS");
      });
    },
  );

  it(
    "when password hashing is at capacity, a sign-up answers TOO_MANY_REQUESTS at once instead of waiting",
    { timeout: 60_000 },
    async () => {
      // Production cost (~300 ms a hash), one hash at a time and one waiting: six sign-ups at once.
      await withServer({ rateLimits: true, passwordHashing: { maxConcurrent: 1, maxQueued: 1 } }, async (server) => {
        const finished: Answer[] = [];
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            finished.push(await mutate(server, "auth.signUp", { username: uniqueUsername(), password: "correct horse" }));
          }),
        );
        const codes = finished.map((answer) => answer.code);
        expect(codes.filter((code) => code === "ok")).toHaveLength(2);
        expect(codes.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(4);
        // "At once": every refusal was answered before the first hash finished.
        expect(codes.slice(0, 4)).toEqual(Array(4).fill("TOO_MANY_REQUESTS"));
        // Refusals are not counted against the address, and the pool is free again.
        expect((await mutate(server, "auth.signUp", { username: uniqueUsername(), password: "correct horse" })).code).toBe("ok");
      });
    },
  );
});

describe("item 7: lockouts hit only the source of the failures (TRUSTED_PROXIES)", () => {
  // The test client is the proxy: it connects from 127.0.0.1 and says who it forwards for.
  const behindProxy = { rateLimits: true, trustedProxies: ["127.0.0.1/32", "::1/128"] };

  it(
    "30 wrong passwords for a victim from one address: that address gets TOO_MANY_REQUESTS, the victim signs in from theirs",
    { timeout: 60_000 },
    async () => {
      await withServer(behindProxy, async (server) => {
        const victim = await signUp(server.url);
        const answers: Answer[] = [];
        for (let i = 0; i < 30; i++) answers.push(await signIn(server, victim.username, `wrong guess ${i}`, "203.0.113.7"));
        expect(answers.slice(0, 10).every((a) => a.code === "UNAUTHORIZED")).toBe(true);
        // docs/protocol.md §3: repeated failures from the same source still get TOO_MANY_REQUESTS.
        expect(answers.slice(10).every((a) => a.code === "TOO_MANY_REQUESTS")).toBe(true);
        expect((await signIn(server, victim.username, "correct horse", "203.0.113.7")).code).toBe("TOO_MANY_REQUESTS");
        // The victim, elsewhere, is not locked out of the right password.
        expect((await signIn(server, victim.username, "correct horse", "198.51.100.20")).code).toBe("ok");
        expect((await signIn(server, victim.username, "correct horse", "2001:db8:1:2::20")).code).toBe("ok");
      });
    },
  );

  it("100 failures on random names from one address lock out that address only", { timeout: 60_000 }, async () => {
    await withServer(behindProxy, async (server) => {
      const alice = await signUp(server.url);
      const answers: Answer[] = [];
      for (let i = 0; i < 100; i++) answers.push(await signIn(server, uniqueUsername("nobody"), "wrong password", "203.0.113.8"));
      expect(tally(answers)).toEqual({ UNAUTHORIZED: 100 });
      expect((await signIn(server, uniqueUsername("nobody"), "wrong password", "203.0.113.8")).code).toBe("TOO_MANY_REQUESTS");
      expect((await signIn(server, alice.username, "correct horse", "203.0.113.8")).code).toBe("TOO_MANY_REQUESTS");
      expect((await signIn(server, alice.username, "correct horse", "198.51.100.21")).code).toBe("ok");
    });
  });

  it(
    "the right-most address our proxies did not write is the client; what the client wrote to its left is not believed",
    { timeout: 60_000 },
    async () => {
      await withServer({ ...behindProxy, trustedProxies: ["127.0.0.1/32", "10.0.0.0/8"] }, async (server) => {
        const victim = await signUp(server.url);
        // A client that forges a fresh address to the left of the chain on each guess stays one source.
        const answers: Answer[] = [];
        for (let i = 0; i < 11; i++)
          answers.push(await signIn(server, victim.username, `wrong guess ${i}`, `192.0.2.${i}, 203.0.113.9, 10.1.2.3`));
        expect(answers.map((a) => a.code)).toEqual([...Array(10).fill("UNAUTHORIZED"), "TOO_MANY_REQUESTS"]);
        expect((await signIn(server, victim.username, "correct horse", "203.0.113.9")).code).toBe("TOO_MANY_REQUESTS");
        expect((await signIn(server, victim.username, "correct horse", "198.51.100.22, 10.9.9.9")).code).toBe("ok");
      });
    },
  );

  it(
    "without TRUSTED_PROXIES (or from a peer outside them) X-Forwarded-For is ignored: forging it does not escape the limit",
    { timeout: 60_000 },
    async () => {
      for (const trustedProxies of [undefined, ["10.0.0.0/8"]]) {
        await withServer({ rateLimits: true, trustedProxies }, async (server) => {
          const victim = await signUp(server.url);
          const codes: string[] = [];
          for (let i = 0; i < 11; i++) codes.push((await signIn(server, victim.username, `wrong guess ${i}`, `198.51.100.${i}`)).code);
          expect(codes).toEqual([...Array(10).fill("UNAUTHORIZED"), "TOO_MANY_REQUESTS"]);
        });
      }
    },
  );

  it("resolves the client address from the peer and X-Forwarded-For (IPv4 and IPv6)", () => {
    const resolve = createClientIpResolver(["10.0.0.0/8", "fd00::/8", "127.0.0.1"]);
    const req = (remoteAddress: string, forwardedFor?: string | string[]) =>
      ({
        socket: { remoteAddress },
        headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
      }) as unknown as IncomingMessage;
    expect(resolve(req("203.0.113.1", "198.51.100.1"))).toBe("203.0.113.1"); // untrusted peer: header ignored
    expect(resolve(req("::ffff:203.0.113.1", "198.51.100.1"))).toBe("203.0.113.1");
    expect(resolve(req("::ffff:10.0.0.1", "198.51.100.1"))).toBe("198.51.100.1");
    expect(resolve(req("10.0.0.1"))).toBe("10.0.0.1"); // a proxy's own request
    expect(resolve(req("10.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2"))).toBe("198.51.100.1");
    expect(resolve(req("10.0.0.1", ["6.6.6.6", "198.51.100.1"]))).toBe("198.51.100.1");
    expect(resolve(req("fd00::1", "2001:db8::5, fd12::9"))).toBe("2001:db8::5");
    expect(resolve(req("fd00::1", "[2001:db8::6]:4711"))).toBe("2001:db8::6");
    expect(resolve(req("10.0.0.1", "198.51.100.1:4711"))).toBe("198.51.100.1");
    expect(resolve(req("10.0.0.1", "10.0.0.3, 10.0.0.2"))).toBe("10.0.0.3"); // all ours: the farthest
    expect(resolve(req("10.0.0.1", "198.51.100.1, not-an-address"))).toBe("10.0.0.1"); // garbage from our side: stop
    expect(resolve(req("127.0.0.1", "198.51.100.7"))).toBe("198.51.100.7");
    expect(createClientIpResolver()(req("10.0.0.1", "198.51.100.1"))).toBe("10.0.0.1");
  });

  it("TRUSTED_PROXIES is validated at start, naming the variable", () => {
    expect(readEnv({ TRUSTED_PROXIES: "10.0.0.0/8, fd00::/8,172.18.0.2" }).TRUSTED_PROXIES).toEqual([
      "10.0.0.0/8",
      "fd00::/8",
      "172.18.0.2",
    ]);
    expect(readEnv({}).TRUSTED_PROXIES).toBeUndefined();
    expect(() => readEnv({ TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow(/TRUSTED_PROXIES .*"10\.0\.0\.0\/33"/);
    expect(() => readEnv({ TRUSTED_PROXIES: "nginx" })).toThrow(/TRUSTED_PROXIES/);
    expect(() => readEnv({ TRUSTED_PROXIES: "fd00::/129" })).toThrow(/TRUSTED_PROXIES/);
  });
});

describe("item 9: friends.request cannot enumerate usernames", () => {
  it(
    "every call is counted before the lookup: past 60 a minute, unknown and existing names alike get TOO_MANY_REQUESTS",
    { timeout: 60_000 },
    async () => {
      await withServer({ rateLimits: true }, async (server) => {
        const alice = await signUp(server.url);
        const bob = await signUp(server.url);
        const codes: Array<string | undefined> = [];
        for (let i = 0; i < 60; i++) codes.push(await codeOf(alice.http.friends.request.mutate({ username: uniqueUsername("ghost") })));
        expect(codes.every((code) => code === "NOT_FOUND")).toBe(true);
        expect(await codeOf(alice.http.friends.request.mutate({ username: uniqueUsername("ghost") }))).toBe("TOO_MANY_REQUESTS");
        expect(await codeOf(alice.http.friends.request.mutate({ username: bob.username }))).toBe("TOO_MANY_REQUESTS");
        expect(await codeOf(alice.http.friends.request.mutate({ username: alice.username }))).toBe("TOO_MANY_REQUESTS");
        // Bob's own requests are counted apart.
        expect(await bob.http.friends.request.mutate({ username: alice.username })).toEqual({ status: "pending" });
      });
    },
  );
});

/** A hash exactly as Herald made them before: scrypt N=2^14, r=8, p=1. */
function legacyHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize("NFKC"), salt, 32, { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return `scrypt$16384$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

describe("item 10: password hashing at OWASP's cost", () => {
  it(
    "production default is scrypt N=2^17, r=8, p=1, and an old N=2^14 hash is upgraded at the next sign-in",
    { timeout: 60_000 },
    async () => {
      // `passwordHashing: undefined`: what a server gets from the environment (tests otherwise hash cheaply).
      await withServer({ rateLimits: false, passwordHashing: undefined }, async (server) => {
        const hashOf = async (username: string) =>
          (await server.backends.database.db.select({ username: users.username, hash: users.passwordHash }).from(users)).find(
            (row) => row.username === username,
          )?.hash;
        const alice = await signUp(server.url);
        expect(await hashOf(alice.username)).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);

        const bob = await signUp(server.url);
        const old = legacyHash("old but gold");
        await server.backends.database.db.execute(`UPDATE users SET password_hash = '${old}' WHERE username = '${bob.username}'`);
        expect((await signIn(server, bob.username, "wrong password")).code).toBe("UNAUTHORIZED");
        expect(await hashOf(bob.username)).toBe(old); // a failed sign-in changes nothing
        expect((await signIn(server, bob.username, "old but gold")).code).toBe("ok");
        const upgraded = await hashOf(bob.username);
        expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
        expect((await signIn(server, bob.username, "old but gold")).code).toBe("ok");
        expect(await hashOf(bob.username)).toBe(upgraded); // already current: not hashed again
        expect((await signIn(server, bob.username, "wrong password")).code).toBe("UNAUTHORIZED");
      });
    },
  );
});

describe("RATE_LIMITS=off lifts these limits too", () => {
  it("batched sign-ins are answered, failures and friend requests are not limited", { timeout: 60_000 }, async () => {
    await withServer({ rateLimits: false }, async (server) => {
      const alice = await signUp(server.url);
      const guesses = Array.from({ length: 12 }, (_, i) => ({
        username: alice.username,
        password: i === 11 ? "correct horse" : `wrong guess ${i}`,
      }));
      const response = await fetch(`${server.url}/trpc/${guesses.map(() => "auth.signIn").join(",")}?batch=1`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(Object.fromEntries(guesses.map((input, i) => [String(i), input]))),
      });
      const answers = ((await response.json()) as Array<Parameters<typeof answerOf>[0]>).map(answerOf);
      expect(answers.map((a) => a.code)).toEqual([...Array(11).fill("UNAUTHORIZED"), "ok"]);
      const codes: Array<string | undefined> = [];
      for (let i = 0; i < 61; i++) codes.push(await codeOf(alice.http.friends.request.mutate({ username: uniqueUsername("ghost") })));
      expect(codes.every((code) => code === "NOT_FOUND")).toBe(true);
    });
  });
});
