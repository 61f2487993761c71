/**
 * `until` through the router (docs/protocol.md §9.1), without a network: what `setStatus` takes and
 * refuses, and ends that fire by themselves. Two apps share one database, store and bus here, as
 * two servers share PostgreSQL and Redis: both look for the end, one writes it.
 */
import { openDatabase, userPresence, type DatabaseHandle } from "@herald/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eventOf, failure } from "../src/testing/index.js";
import { createCaller, createHeraldApp, MemoryPresenceBus, MemoryPresenceStore, type HeraldApp, type PresenceEvent } from "../src/index.js";

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

describe("presence.setStatus with until", () => {
  let database: DatabaseHandle;
  let serverA: HeraldApp;
  let serverB: HeraldApp;
  let counter = 0;

  beforeAll(async () => {
    database = await openDatabase({ dataDir: null });
    const options = {
      db: database.db,
      store: new MemoryPresenceStore({ offlineGraceMs: 100 }),
      bus: new MemoryPresenceBus(),
      authSecret: "until-caller-test-secret",
      rateLimits: false,
    };
    serverA = createHeraldApp(options);
    serverB = createHeraldApp(options);
  });
  afterAll(async () => {
    await serverA.close({ settleGraces: true });
    await serverB.close({ settleGraces: true });
    await database.close();
  });

  async function revisionOf(userId: string) {
    const [row] = await database.db.select().from(userPresence).where(eq(userPresence.userId, userId));
    return row!;
  }

  async function newUser(app: HeraldApp = serverA) {
    const username = `until_${counter++}`;
    const { user } = await createCaller(app, null).auth.signUp({ username, password: "password123" });
    return { ...user, username, caller: createCaller(app, user.id) };
  }

  /** A friend of `subject` whose feed (on `app`) yields events one by one. */
  async function watcher(subject: Awaited<ReturnType<typeof newUser>>, app: HeraldApp = serverB) {
    const friend = await newUser(app);
    await friend.caller.friends.request({ username: subject.username });
    await subject.caller.friends.accept({ userId: friend.id });
    const iterator = ((await createCaller(app, friend.id).presence.onChange()) as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const next = async (): Promise<PresenceEvent> => {
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no event within 5 s")), 5_000).unref());
      return eventOf((await Promise.race([iterator.next(), timeout])).value);
    };
    expect((await next()).type).toBe("snapshot");
    return { friend, next, stop: () => iterator.return?.() };
  }

  it("keeps the end with the status and message it came with", async () => {
    const alice = await newUser();
    const until = inMs(3_600_000);
    expect(await alice.caller.presence.setStatus({ status: "dnd", message: "focus", until })).toMatchObject({
      status: "dnd",
      until,
      message: "focus",
      messageUntil: until,
    });
    const later = inMs(7_200_000);
    expect(await alice.caller.presence.setStatus({ until: later })).toMatchObject({ until: later, messageUntil: until });
    expect(await alice.caller.presence.setVisibility({ visibleTo: [] })).toMatchObject({ until: later, messageUntil: until });
    expect(await alice.caller.presence.setStatus({ message: "still focused" })).toMatchObject({ until: later, messageUntil: null });
    expect(await alice.caller.presence.setStatus({ status: "away" })).toMatchObject({ until: null });
  });

  it("takes any offset and answers the same instant in UTC", async () => {
    const alice = await newUser();
    const at = new Date(Math.ceil((Date.now() + 3_600_000) / 1000) * 1000);
    const withOffset = new Date(at.getTime() + 2 * 3_600_000).toISOString().replace("Z", "+02:00");
    expect((await alice.caller.presence.setStatus({ status: "away", until: withOffset })).until).toBe(at.toISOString());
  });

  it("refuses an end in the past, more than a year ahead, malformed, or for an online status alone", async () => {
    const alice = await newUser();
    for (const until of [inMs(-1_000), inMs(400 * 24 * 3_600_000), "tomorrow", "2026-13-01T00:00:00Z", "2030-01-01T00:00:00"]) {
      const error = await failure(alice.caller.presence.setStatus({ status: "dnd", until }));
      // Server-side callers get zod's issues as they are; over the wire they read "until: …".
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toContain('"until"');
    }
    const alone = await failure(alice.caller.presence.setStatus({ until: inMs(60_000) }));
    expect(alone).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^until: /) as string });
    expect(await alice.caller.presence.me()).toMatchObject({ status: "online", until: null });
  });

  it("ends by itself: the status back to online, the message cleared, once, on the user's devices and friends' feeds", async () => {
    const alice = await newUser();
    const bob = await watcher(alice);
    const connection = await serverA.connections.open(alice.id, () => {});
    expect(await bob.next()).toMatchObject({ type: "update", presence: { userId: alice.id, status: "online" } });
    const until = inMs(600);
    await alice.caller.presence.setStatus({ status: "dnd", message: "call", until });
    const revisionOfSet = (await revisionOf(alice.id)).revision;
    expect(await bob.next()).toMatchObject({ type: "update", presence: { status: "dnd", message: "call", until } });
    const ended = await bob.next();
    const lateMs = Date.now() - Date.parse(until);
    expect(ended).toEqual({
      type: "update",
      presence: { userId: alice.id, status: "online", message: null, lastSeen: null, until: null, devices: ["web"], lastSeenBucket: null },
    });
    expect(lateMs).toBeLessThan(1_000);
    expect(await alice.caller.presence.me()).toMatchObject({ status: "online", message: null, until: null, messageUntil: null });
    // Both apps ended it; the row was written once. Ending it again, as a slower app would, writes nothing.
    expect(await revisionOf(alice.id)).toMatchObject({
      status: "online",
      statusUntil: null,
      messageUntil: null,
      revision: revisionOfSet + 1,
    });
    expect(await serverA.service.endChoices(alice.id)).toBe(false);
    expect(await serverB.service.endChoices(alice.id)).toBe(false);
    expect((await revisionOf(alice.id)).revision).toBe(revisionOfSet + 1);
    await bob.stop();
    await connection.close();
  });

  it("fires while the user is offline: nothing for friends, online when they are back", async () => {
    const alice = await newUser();
    const bob = await watcher(alice);
    await alice.caller.presence.setStatus({ status: "invisible", message: "away from here", until: inMs(400) });
    await vi.waitFor(async () => expect(await alice.caller.presence.me()).toMatchObject({ status: "online", message: null }), {
      timeout: 3_000,
      interval: 50,
    });
    const connection = await serverA.connections.open(alice.id, () => {});
    expect(await bob.next()).toMatchObject({
      type: "update",
      presence: { userId: alice.id, status: "online", message: null, until: null },
    });
    await bob.stop();
    await connection.close();
  });

  it("a message ends alone; the status keeps its own end", async () => {
    const alice = await newUser();
    const statusUntil = inMs(3_600_000);
    await alice.caller.presence.setStatus({ status: "away", until: statusUntil });
    await alice.caller.presence.setStatus({ message: "brb", until: inMs(300) });
    await vi.waitFor(async () => expect((await alice.caller.presence.me()).message).toBeNull(), { timeout: 3_000, interval: 50 });
    expect(await alice.caller.presence.me()).toMatchObject({ status: "away", until: statusUntil, messageUntil: null });
  });
});
