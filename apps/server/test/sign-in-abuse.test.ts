/**
 * Abuse of the password paths (issue 10, items 6, 7, 9 and 10), over real HTTP against real
 * servers on port 0: guesses batched or sent all at once, lockouts keyed so that nobody else can
 * lock a user out (TRUSTED_PROXIES and X-Forwarded-For), username enumeration through
 * `friends.request`, and the password hashing cost. Per-address limits need a server each.
 */
import { randomBytes, scryptSync } from "node:crypto";
import { users } from "@herald/db";
import { describe, expect, it } from "vitest";
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
  it("one HTTP batch of 100 sign-in guesses is refused with BAD_REQUEST and signs nobody in", { timeout: 60_000 }, async () => {
    await withServer({ rateLimits: true }, async (server) => {
      const alice = await signUp(server.url);
      const guesses = Array.from({ length: 100 }, (_, i) => ({ username: alice.username, password: i === 99 ? "correct horse" : `wrong guess ${i}` }));
      const response = await fetch(`${server.url}/trpc/${guesses.map(() => "auth.signIn").join(",")}?batch=1`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(Object.fromEntries(guesses.map((input, i) => [String(i), input]))),
      });
      const answers = ((await response.json()) as Array<Parameters<typeof answerOf>[0]>).map(answerOf);
      expect(answers).toHaveLength(100);
      expect(tally(answers)).toEqual({ BAD_REQUEST: 100 });
      expect(answers[99]!.message).toMatch(/auth\.signIn: send sign-ins and sign-ups one per request/);
      // None of them was checked, so none counts: Alice signs in on her own at once.
      expect((await signIn(server, alice.username, "correct horse")).code).toBe("ok");
    });
  });

  it("100 guesses sent at once: exactly 10 are checked, the rest (and then the right password) get TOO_MANY_REQUESTS", { timeout: 60_000 }, async () => {
    await withServer({ rateLimits: true }, async (server) => {
      const alice = await signUp(server.url);
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => signIn(server, alice.username, `wrong guess ${i}`)));
      expect(tally(answers)).toEqual({ UNAUTHORIZED: 10, TOO_MANY_REQUESTS: 90 });
      expect((await signIn(server, alice.username, "correct horse")).code).toBe("TOO_MANY_REQUESTS");
    });
  });

  it("when password hashing is at capacity, a sign-up answers TOO_MANY_REQUESTS at once instead of waiting", { timeout: 60_000 }, async () => {
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
  });
});

describe("item 9: friends.request cannot enumerate usernames", () => {
  it("every call is counted before the lookup: past 60 a minute, unknown and existing names alike get TOO_MANY_REQUESTS", { timeout: 60_000 }, async () => {
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
  });
});

/** A hash exactly as Herald made them before: scrypt N=2^14, r=8, p=1. */
function legacyHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize("NFKC"), salt, 32, { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return `scrypt$16384$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

describe("item 10: password hashing at OWASP's cost", () => {
  it("production default is scrypt N=2^17, r=8, p=1, and an old N=2^14 hash is upgraded at the next sign-in", { timeout: 60_000 }, async () => {
    // `passwordHashing: undefined`: what a server gets from the environment (tests otherwise hash cheaply).
    await withServer({ rateLimits: false, passwordHashing: undefined }, async (server) => {
      const hashOf = async (username: string) =>
        (await server.app.db.select({ username: users.username, hash: users.passwordHash }).from(users)).find((row) => row.username === username)?.hash;
      const alice = await signUp(server.url);
      expect(await hashOf(alice.username)).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);

      const bob = await signUp(server.url);
      const old = legacyHash("old but gold");
      await server.app.db.execute(`UPDATE users SET password_hash = '${old}' WHERE username = '${bob.username}'`);
      expect((await signIn(server, bob.username, "wrong password")).code).toBe("UNAUTHORIZED");
      expect(await hashOf(bob.username)).toBe(old); // a failed sign-in changes nothing
      expect((await signIn(server, bob.username, "old but gold")).code).toBe("ok");
      const upgraded = await hashOf(bob.username);
      expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
      expect((await signIn(server, bob.username, "old but gold")).code).toBe("ok");
      expect(await hashOf(bob.username)).toBe(upgraded); // already current: not hashed again
      expect((await signIn(server, bob.username, "wrong password")).code).toBe("UNAUTHORIZED");
    });
  });
});

describe("RATE_LIMITS=off lifts these limits too", () => {
  it("batched sign-ins are answered, failures and friend requests are not limited", { timeout: 60_000 }, async () => {
    await withServer({ rateLimits: false }, async (server) => {
      const alice = await signUp(server.url);
      const guesses = Array.from({ length: 12 }, (_, i) => ({ username: alice.username, password: i === 11 ? "correct horse" : `wrong guess ${i}` }));
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
