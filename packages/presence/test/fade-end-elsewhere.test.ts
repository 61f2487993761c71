/**
 * A fade ends on time even when the server that made it dies inside the grace: every server
 * whose feeds follow the user ends it too (docs/protocol.md §7.1). Two apps share one database,
 * store and bus here, as two servers share PostgreSQL and Redis; closing the first one stops its
 * timers, as its death would.
 */
import { openDatabase, type DatabaseHandle } from "@herald/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventOf } from "../src/testing/index.js";
import { createCaller, createHeraldApp, MemoryPresenceBus, MemoryPresenceStore, type HeraldApp } from "../src/index.js";

const GRACE_MS = 200;

describe("a fade whose server died", () => {
  let database: DatabaseHandle;
  let serverA: HeraldApp;
  let serverB: HeraldApp;

  beforeAll(async () => {
    database = await openDatabase({ dataDir: null });
    const store = new MemoryPresenceStore({ offlineGraceMs: GRACE_MS });
    const bus = new MemoryPresenceBus();
    const options = { db: database.db, store, bus, authSecret: "fade-end-elsewhere-secret", rateLimits: false };
    serverA = createHeraldApp(options);
    serverB = createHeraldApp(options);
  });
  afterAll(async () => {
    await serverB.close({ settleGraces: true });
    await database.close();
  });

  it("still ends on time for a friend whose feed is on another server", async () => {
    const signUp = (username: string) => createCaller(serverB, null).auth.signUp({ username, password: "password123" });
    const { user: alice } = await signUp("fade_alice");
    const { user: bob } = await signUp("fade_bob");
    await createCaller(serverB, alice.id).friends.request({ username: "fade_bob" });
    await createCaller(serverB, bob.id).friends.accept({ userId: alice.id });
    // Alice's device is connected to server B; her status change goes through server A (HTTP).
    const connection = await serverB.connections.open(alice.id, () => {});

    // Bob watches from server B.
    const events = ((await createCaller(serverB, bob.id).presence.onChange()) as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    // Fails fast rather than at the test's timeout when nothing comes.
    const next = async () =>
      eventOf(
        (
          await Promise.race([
            events.next(),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no event within 5 s")), 5_000).unref()),
          ])
        ).value,
      );
    expect(await next()).toMatchObject({ type: "snapshot", friends: [{ userId: alice.id, status: "online" }] });

    // Alice hides through server A, which dies at once: its timer for her fade dies with it.
    const hidAt = Date.now();
    await createCaller(serverA, alice.id).presence.setStatus({ status: "invisible" });
    await serverA.close({ settleGraces: false });

    const offline = await next();
    expect(offline).toMatchObject({ type: "update", presence: { userId: alice.id, status: "offline" } });
    const seenAfter = Date.now() - hidAt;
    expect(seenAfter).toBeGreaterThanOrEqual(GRACE_MS - 20);
    expect(seenAfter).toBeLessThan(GRACE_MS + 2_000);
    await events.return?.();
    await connection.close();
  });
});
