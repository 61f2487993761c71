/**
 * `createSystemCaller`: the host backend's API in-process, without any token, on Herald's own
 * accounts (UUID ids). Its friend graph reaches live subscriptions like `friends.accept` and
 * `friends.remove` do; a user's caller cannot reach `system.*`, nor the system caller act as a user.
 */
import { describe, expect, it } from "vitest";
import { eventOf, failure } from "../src/testing/index.js";
import type { PresenceEvent } from "../src/index.js";
import { createCaller, createSystemCaller } from "../src/index.js";
import { useInProcessApp } from "./fixtures/in-process-app.js";

describe("createSystemCaller", () => {
  const inProcess = useInProcessApp({ offlineGraceMs: 50 });

  const newUser = (username: string) => inProcess.newUser(username);

  it("links and unlinks Herald's own users, live for their subscriptions", async () => {
    const [alice, bob] = [await newUser("sys_alice"), await newUser("sys_bob")];
    const system = createSystemCaller(inProcess.app).system;
    const feed = ((await createCaller(inProcess.app, alice.id).presence.onChange()) as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const next = async (): Promise<PresenceEvent> => eventOf((await feed.next()).value);
    expect(await next()).toEqual({ type: "snapshot", friends: [] });

    expect(await system.friends.link({ pairs: [[alice.id, bob.id]] })).toEqual({ changed: 1 });
    expect(await next()).toMatchObject({ type: "friend_added", presence: { userId: bob.id, status: "offline" } });
    expect(await createCaller(inProcess.app, alice.id).friends.list()).toEqual([
      {
        id: bob.id,
        username: "sys_bob",
        presence: { userId: bob.id, status: "offline", message: null, lastSeen: null, until: null, devices: [], lastSeenBucket: null },
      },
    ]);

    expect(await system.friends.unlink({ pairs: [[bob.id, alice.id]] })).toEqual({ changed: 1 });
    expect(await next()).toEqual({ type: "friend_removed", userId: bob.id });
    await feed.return?.();
  });

  it("holds ids to Herald's UUIDs, and provisions no host users with Herald's own accounts", async () => {
    const system = createSystemCaller(inProcess.app).system;
    const malformed = await failure(system.friends.link({ pairs: [["not-a-uuid", "00000000-0000-4000-8000-000000000000"]] }));
    expect(malformed).toMatchObject({ code: "BAD_REQUEST", message: "pairs.0.0: must be a user id (uuid)" });
    expect(await failure(system.users.upsert({ users: [{ id: "00000000-0000-4000-8000-000000000000", name: "X" }] }))).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("AUTH_MODE=jwt"),
    });
    expect(await system.presence.reachable({ userIds: ["00000000-0000-4000-8000-000000000000"] })).toEqual({
      "00000000-0000-4000-8000-000000000000": false,
    });
  });

  it("is the host's alone: a user's caller cannot reach system.*, and the system caller is nobody", async () => {
    const carol = await newUser("sys_carol");
    expect(await failure(createCaller(inProcess.app, carol.id).system.presence.reachable({ userIds: [carol.id] }))).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await failure(createCaller(inProcess.app, null).system.presence.reachable({ userIds: [carol.id] }))).toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect(await failure(createSystemCaller(inProcess.app).presence.me())).toMatchObject({ code: "UNAUTHORIZED" });
  });
});
