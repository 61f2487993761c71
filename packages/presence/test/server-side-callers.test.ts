/**
 * Server-side callers (`createCaller`), issue 11 item 6: a bad user id answers BAD_REQUEST or
 * NOT_FOUND — never an internal error carrying SQL — and the host's own code is not throttled as
 * one shared network address.
 */
import { describe, expect, it } from "vitest";
import { failure } from "../src/testing/index.js";
import { createCaller } from "../src/index.js";
import { useInProcessApp } from "./fixtures/in-process-app.js";

describe("server-side callers", () => {
  // Limits on, as in production: what is tested is who they apply to.
  const inProcess = useInProcessApp({ rateLimits: true });

  it("answers BAD_REQUEST for a malformed user id and NOT_FOUND for an unknown one, without SQL", async () => {
    for (const call of [
      (c: ReturnType<typeof createCaller>) => c.presence.me(),
      (c: ReturnType<typeof createCaller>) => c.friends.list(),
    ]) {
      const malformed = await failure(call(createCaller(inProcess.app, "not-a-uuid")));
      expect(malformed.code).toBe("BAD_REQUEST");
      expect(malformed.message).toMatch(/^userId: /);
      const unknown = await failure(call(createCaller(inProcess.app, "00000000-0000-4000-8000-000000000000")));
      expect(unknown.code).toBe("NOT_FOUND");
      for (const error of [malformed, unknown]) expect(error.message).not.toMatch(/select|insert|user_presence|violates/i);
    }
  });

  it("signs up more users than one network address may, with the limits on", async () => {
    // 30 sign-ups per address per 10 minutes over the network; the host's own code is not an address.
    const anon = createCaller(inProcess.app, null);
    for (let i = 0; i < 40; i++) {
      await expect(anon.auth.signUp({ username: `host_user_${i}`, password: "password123" })).resolves.toMatchObject({
        user: { username: `host_user_${i}` },
      });
    }
    const { user } = await anon.auth.signIn({ username: "host_user_39", password: "password123" });
    expect(await createCaller(inProcess.app, user.id).auth.me()).toEqual({ id: user.id, username: "host_user_39" });
  });
});
