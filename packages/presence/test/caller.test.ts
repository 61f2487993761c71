/**
 * The router without a network (`createCaller`), on the embedded defaults: PGlite and the
 * in-memory store and bus. Also: subscriptions leave no listeners behind.
 */
import { openDatabase, type DatabaseHandle } from "@herald/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventOf } from "../src/testing/index.js";
import { createCaller, createHeraldApp, MemoryPresenceBus, MemoryPresenceStore, type HeraldApp } from "../src/index.js";
import { appRouter } from "../src/root.js";
import { createCallerFactory } from "../src/trpc.js";

describe("createCaller", () => {
  let database: DatabaseHandle;
  let app: HeraldApp;
  let bus: MemoryPresenceBus;

  beforeAll(async () => {
    database = await openDatabase({ dataDir: null });
    bus = new MemoryPresenceBus();
    app = createHeraldApp({
      db: database.db,
      store: new MemoryPresenceStore({ offlineGraceMs: 50 }),
      bus,
      authSecret: "caller-test-secret-long-enough",
      rateLimits: false,
    });
  });
  afterAll(async () => {
    await app.close({ settleGraces: true });
    await database.close();
  });

  async function newUser(username: string) {
    const { user } = await createCaller(app, null).auth.signUp({ username, password: "password123" });
    return { ...user, caller: createCaller(app, user.id) };
  }

  it("runs every area of the router for a given user id", async () => {
    const alice = await newUser("caller_alice");
    const bob = await newUser("caller_bob");
    expect(await alice.caller.auth.me()).toEqual({ id: alice.id, username: "caller_alice" });
    expect(await alice.caller.friends.request({ username: "caller_bob" })).toEqual({ status: "pending" });
    expect(await bob.caller.friends.accept({ userId: alice.id })).toEqual({ status: "accepted" });
    expect(await alice.caller.presence.setStatus({ status: "away", message: "tea" })).toMatchObject({ status: "away", message: "tea" });
    // Not connected: friends see offline whatever the chosen status.
    expect(await bob.caller.presence.get({ userId: alice.id })).toEqual({
      userId: alice.id,
      status: "offline",
      message: null,
      lastSeen: null,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
    const connection = await app.connections.open(alice.id, () => {});
    expect(await bob.caller.presence.get({ userId: alice.id })).toMatchObject({ status: "away", message: "tea" });
    await connection.close();
    await expect(createCaller(app, null).presence.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("sets a message alone, keeping the status another device chose", async () => {
    const ivy = await newUser("caller_ivy");
    await ivy.caller.presence.setStatus({ status: "dnd" });
    expect(await ivy.caller.presence.setStatus({ message: "on the train" })).toMatchObject({ status: "dnd", message: "on the train" });
  });

  it("refuses setIdle without a connection: idleness belongs to one (§7.2)", async () => {
    const ivy = await newUser("caller_ivy_idle");
    await expect(ivy.caller.presence.setIdle({ idle: true })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^setIdle: idleness is per connection/),
    });
  });

  it("streams presence events to a server-side subscriber", async () => {
    const carol = await newUser("caller_carol");
    const dave = await newUser("caller_dave");
    await carol.caller.friends.request({ username: "caller_dave" });
    await dave.caller.friends.accept({ userId: carol.id });
    // Typed as every client sees it: `{ id, data }`, with no cast (issue 11: it yielded tuples).
    const iterator = (await dave.caller.presence.onChange())[Symbol.asyncIterator]();
    const snapshot = await iterator.next();
    expect(snapshot.done).toBe(false);
    expect(snapshot.value?.data).toEqual({
      type: "snapshot",
      friends: [{ userId: carol.id, status: "offline", message: null, lastSeen: null, until: null, devices: [], lastSeenBucket: null }],
    });
    const connection = await app.connections.open(carol.id, () => {});
    const update = await iterator.next();
    expect(update.value?.data).toEqual({
      type: "update",
      presence: { userId: carol.id, status: "online", message: null, lastSeen: null, until: null, devices: ["web"], lastSeenBucket: null },
    });
    expect(typeof update.value?.id).toBe("string");
    expect(update.value?.id).not.toBe(snapshot.value?.id);
    await iterator.return?.();
    await connection.close();
  });

  it("keeps yielding every event when a socket is given but the transport never binds the frame sink", async () => {
    const gina = await newUser("caller_gina");
    const hank = await newUser("caller_hank");
    await gina.caller.friends.request({ username: "caller_hank" });
    await hank.caller.friends.accept({ userId: gina.id });
    const frames: string[] = [];
    const socket = { readyState: 1, send: (frame: string) => void frames.push(frame) };
    const caller = createCallerFactory(appRouter)({ app, user: { id: hank.id }, connection: null, frames: socket, clientIp: null });
    const iterator = ((await caller.presence.onChange()) as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    expect(eventOf((await iterator.next()).value).type).toBe("snapshot");
    const connection = await app.connections.open(gina.id, () => {});
    expect(eventOf((await iterator.next()).value)).toEqual({
      type: "update",
      presence: { userId: gina.id, status: "online", message: null, lastSeen: null, until: null, devices: ["web"], lastSeenBucket: null },
    });
    expect(frames).toEqual([]);
    await iterator.return?.();
    await connection.close();
  });

  it("leaves no bus listeners after 1,000 subscribe/unsubscribe cycles", async () => {
    const erin = await newUser("caller_erin");
    const friends = [await newUser("caller_f1"), await newUser("caller_f2")];
    for (const friend of friends) {
      await erin.caller.friends.request({ username: friend.username });
      await friend.caller.friends.accept({ userId: erin.id });
    }
    const baseline = bus.listenerCount();
    for (let cycle = 0; cycle < 1000; cycle++) {
      const iterable = (await createCaller(app, erin.id).presence.onChange()) as AsyncIterable<unknown>;
      const iterator = iterable[Symbol.asyncIterator]();
      await iterator.next(); // the snapshot: listeners are attached by now
      // self, two friends, and resyncs (one listener for all of the server's feeds)
      if (cycle === 0) expect(bus.listenerCount()).toBe(baseline + 4);
      await iterator.return?.();
    }
    await expect.poll(() => bus.listenerCount()).toBe(baseline);
  });
});
