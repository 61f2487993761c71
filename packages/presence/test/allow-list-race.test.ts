/**
 * Issue 10, item 5: setting an allow-list checks that each id is a friend, then writes it;
 * unfriending deletes the friendship, then removes each from the other's allow-list. Whatever
 * runs between those steps, a removed friend must never stay on the allow-list.
 *
 * The interleaving is made certain rather than hoped for: the store used here runs the whole
 * unfriending at the one point the allow-list change reads the live store, between its check and
 * its write. Everything else is the real router on PGlite.
 */
import { openDatabase, type DatabaseHandle } from "@herald/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller, createHeraldApp, MemoryPresenceBus, MemoryPresenceStore, type HeraldApp } from "../src/index.js";

/** The in-memory store, running `interleave` (once) inside the next live read. */
class InterleavingStore extends MemoryPresenceStore {
  interleave: (() => Promise<unknown>) | null = null;

  override async getLive(userIds: readonly string[]) {
    const work = this.interleave;
    this.interleave = null;
    await work?.();
    return super.getLive(userIds);
  }
}

describe("allow-list vs unfriending", () => {
  let database: DatabaseHandle;
  let app: HeraldApp;
  const store = new InterleavingStore();

  beforeAll(async () => {
    database = await openDatabase({ dataDir: null });
    app = createHeraldApp({
      db: database.db,
      store,
      bus: new MemoryPresenceBus(),
      authSecret: "race-test-secret-long-enough",
      rateLimits: false,
    });
  });
  afterAll(async () => {
    await app.close({ settleGraces: true });
    await database.close();
  });

  async function friends(a: string, b: string) {
    const signUp = (username: string) => createCaller(app, null).auth.signUp({ username, password: "password123" });
    const [{ user: alice }, { user: bob }] = [await signUp(a), await signUp(b)];
    await createCaller(app, alice.id).friends.request({ username: b });
    await createCaller(app, bob.id).friends.accept({ userId: alice.id });
    return { alice: createCaller(app, alice.id), bob: createCaller(app, bob.id), aliceId: alice.id, bobId: bob.id };
  }

  it("drops a friend who unfriends between the allow-list's friendship check and its write", async () => {
    const { alice, bob, aliceId, bobId } = await friends("race_alice", "race_bob");
    store.interleave = () => bob.friends.remove({ userId: aliceId });
    const answer = await alice.presence.setVisibility({ visibleTo: [bobId] });
    expect(store.interleave).toBeNull(); // the unfriending did run in between
    expect(answer.visibleTo).not.toContain(bobId);
    expect((await alice.presence.me()).visibleTo).toEqual([]);
  });

  it("keeps the friends who stay, when another is removed in between", async () => {
    const { alice, bob, aliceId, bobId } = await friends("race_carol", "race_dave");
    const { user: erin } = await createCaller(app, null).auth.signUp({ username: "race_erin", password: "password123" });
    await createCaller(app, erin.id).friends.request({ username: "race_carol" });
    await alice.friends.accept({ userId: erin.id });
    store.interleave = () => bob.friends.remove({ userId: aliceId });
    await alice.presence.setStatus({ status: "invisible", visibleTo: [bobId, erin.id] });
    expect((await alice.presence.me()).visibleTo).toEqual([erin.id]);
  });
});
