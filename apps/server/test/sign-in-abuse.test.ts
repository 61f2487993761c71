/**
 * Abuse of the password paths (issue 10, items 6, 7, 9 and 10), over real HTTP against real
 * servers on port 0: guesses batched or sent all at once, lockouts keyed so that nobody else can
 * lock a user out (TRUSTED_PROXIES and X-Forwarded-For), username enumeration through
 * `friends.request`, and the password hashing cost. Per-address limits need a server each.
 */
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
