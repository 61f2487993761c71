/**
 * `presence.setLastSeenPrivacy` and `presence.preview` through the router (`createCaller`), on
 * PGlite and the in-memory store and bus (docs/protocol.md §9.3, §9.4). The core claim of "See
 * as": what it shows is exactly what that friend's `presence.get` answers, over random states.
 */
import { LAST_SEEN_LEVELS, type LastSeenLevel } from "@herald/protocol";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { createCaller } from "../src/index.js";
import type { ConnectionHandle } from "../src/service/connections.js";
import { useInProcessApp } from "./fixtures/in-process-app.js";

describe("last-seen privacy and See as (createCaller)", () => {
  const inProcess = useInProcessApp({ offlineGraceMs: 20 });

  async function newUser(username: string) {
    const user = await inProcess.newUser(username);
    return { ...user, caller: createCaller(inProcess.app, user.id) };
  }
  type User = Awaited<ReturnType<typeof newUser>>;

  async function befriend(a: User, b: User) {
    await a.caller.friends.request({ username: b.username });
    await b.caller.friends.accept({ userId: a.id });
  }

  /** Until the user's offline grace and fades are over: nothing changes by itself after this. */
  async function settled(userId: string) {
    await vi.waitFor(async () => {
      const state = await inProcess.app.service.loadState(userId);
      expect(state.fades).toEqual([]);
      if (state.connections === 0) expect(state.online).toBe(false);
    });
  }

  it("answers preview with exactly what the friend's presence.get, getMany and friends.list show, over random states", async () => {
    const owner = await newUser("ls_owner");
    const friends = [await newUser("ls_f1"), await newUser("ls_f2"), await newUser("ls_f3")];
    for (const friend of friends) await befriend(owner, friend);
    const ids = friends.map((f) => f.id);
    const level = fc.constantFrom(...LAST_SEEN_LEVELS);
    type Op =
      | { kind: "connect" }
      | { kind: "disconnect" }
      | { kind: "status"; status: "online" | "away" | "invisible"; visibleTo: string[] }
      | { kind: "privacy"; level: LastSeenLevel; exceptions: Record<string, LastSeenLevel> | undefined }
      | { kind: "friendLevel"; friend: number; level: LastSeenLevel };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant<Op>({ kind: "connect" }),
      fc.constant<Op>({ kind: "disconnect" }),
      fc.record({
        kind: fc.constant("status" as const),
        status: fc.constantFrom("online" as const, "away" as const, "invisible" as const),
        visibleTo: fc.subarray(ids),
      }),
      fc.record({
        kind: fc.constant("privacy" as const),
        level,
        exceptions: fc.option(
          fc
            .array(fc.tuple(fc.constantFrom(...ids), level), { maxLength: 3 })
            .map((pairs) => Object.fromEntries(pairs) as Record<string, LastSeenLevel>),
          {
            nil: undefined,
          },
        ),
      }),
      fc.record({ kind: fc.constant("friendLevel" as const), friend: fc.integer({ min: 0, max: 2 }), level }),
    );
    const open: ConnectionHandle[] = [];

    // Each run ends back at the defaults: offline, online status, every level at friends.
    const reset = async () => {
      while (open.length > 0) await open.pop()!.close();
      await owner.caller.presence.setStatus({ status: "online", visibleTo: [] });
      await owner.caller.presence.setLastSeenPrivacy({ level: "friends", exceptions: {} });
      for (const friend of friends) await friend.caller.presence.setLastSeenPrivacy({ level: "friends" });
      await settled(owner.id);
    };

    await fc.assert(
      fc
        .asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
          for (const o of ops) {
            if (o.kind === "connect") open.push(await inProcess.app.connections.open(owner.id, () => {}));
            else if (o.kind === "disconnect") await open.pop()?.close();
            else if (o.kind === "status") await owner.caller.presence.setStatus({ status: o.status, visibleTo: o.visibleTo });
            else if (o.kind === "privacy") await owner.caller.presence.setLastSeenPrivacy({ level: o.level, exceptions: o.exceptions });
            else await friends[o.friend]!.caller.presence.setLastSeenPrivacy({ level: o.level });
            await settled(owner.id);
            for (const friend of friends) {
              const preview = await owner.caller.presence.preview({ friendId: friend.id });
              expect(preview.view).toEqual(await friend.caller.presence.get({ userId: owner.id }));
              expect(preview.view).toEqual((await friend.caller.presence.getMany({ userIds: [owner.id] }))[owner.id]);
              const listed = (await friend.caller.friends.list()).find((f) => f.id === owner.id);
              expect(preview.view).toEqual(listed?.presence);
              expect(preview.reasons.length).toBeGreaterThan(0);
            }
          }
        })
        .afterEach(reset),
      { numRuns: 15 },
    );
  });

  it("shows an approximate last seen, with reasons a user understands", async () => {
    const ann = await newUser("ls_ann");
    const ben = await newUser("ls_ben");
    await befriend(ann, ben);
    const connection = await inProcess.app.connections.open(ann.id, () => {});
    await connection.close();
    await settled(ann.id);
    expect((await ann.caller.presence.preview({ friendId: ben.id })).view.lastSeen).not.toBeNull();
    const own = await ann.caller.presence.setLastSeenPrivacy({ level: "approximate" });
    expect(own.lastSeenPrivacy).toEqual({ level: "approximate", exceptions: {} });
    expect(await ann.caller.presence.preview({ friendId: ben.id })).toEqual({
      view: expect.objectContaining({ status: "offline", lastSeen: null, lastSeenBucket: "recently" }),
      reasons: ["you are offline", "your last seen is approximate for everyone"],
    });
    await ann.caller.presence.setLastSeenPrivacy({ level: "approximate", exceptions: { [ben.id]: "nobody" } });
    expect(await ann.caller.presence.preview({ friendId: ben.id })).toEqual({
      view: expect.objectContaining({ lastSeen: null, lastSeenBucket: null }),
      reasons: ["you are offline", "an exception: nobody sees your last seen"],
    });
    // Omitted exceptions are kept.
    expect((await ann.caller.presence.setLastSeenPrivacy({ level: "friends" })).lastSeenPrivacy).toEqual({
      level: "friends",
      exceptions: { [ben.id]: "nobody" },
    });
  });

  it("refuses exceptions for non-friends, naming the field, and forgets a former friend's exception", async () => {
    const cat = await newUser("ls_cat");
    const dan = await newUser("ls_dan");
    const eve = await newUser("ls_eve");
    await befriend(cat, dan);
    await expect(cat.caller.presence.setLastSeenPrivacy({ level: "friends", exceptions: { [eve.id]: "nobody" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("exceptions"),
    });
    await expect(
      cat.caller.presence.setLastSeenPrivacy({ level: "friends", exceptions: { "not-a-uuid": "nobody" } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(cat.caller.presence.setLastSeenPrivacy({ level: "sometimes" as LastSeenLevel })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const tooMany: Record<string, LastSeenLevel> = Object.fromEntries(
      Array.from({ length: 1001 }, (_, i) => [`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, "nobody"]),
    );
    await expect(cat.caller.presence.setLastSeenPrivacy({ level: "friends", exceptions: tooMany })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await cat.caller.presence.setLastSeenPrivacy({ level: "friends", exceptions: { [dan.id]: "nobody" } });
    await cat.caller.friends.remove({ userId: dan.id });
    expect((await cat.caller.presence.me()).lastSeenPrivacy.exceptions).toEqual({});
  });

  it("answers preview NOT_FOUND for non-friends, unknown ids and yourself, as presence.get does (rule 8)", async () => {
    const fay = await newUser("ls_fay");
    const gus = await newUser("ls_gus");
    for (const friendId of [gus.id, "00000000-0000-4000-8000-00000000dead", fay.id]) {
      await expect(fay.caller.presence.preview({ friendId })).rejects.toMatchObject({
        code: "NOT_FOUND",
        message: "No friend with this id",
      });
    }
    await expect(fay.caller.presence.get({ userId: gus.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "No friend with this id",
    });
  });
});
