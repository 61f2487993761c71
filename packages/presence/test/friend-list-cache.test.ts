/** The shared friend-list cache of live feeds: held while a feed is open, dropped on friendship changes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { friendships, openDatabase, users, type DatabaseHandle } from "@herald/db";
import { FriendListCache } from "../src/feed/friend-list-cache.js";
import { FriendshipsRepo, orderedPair } from "../src/repo/friendships.js";

let handle: DatabaseHandle;
const ids: string[] = [];

beforeAll(async () => {
  handle = await openDatabase({ dataDir: null });
  for (const name of ["cache_a", "cache_b", "cache_c"]) {
    const [row] = await handle.db.insert(users).values({ username: name, passwordHash: "x" }).returning({ id: users.id });
    ids.push(row!.id);
  }
}, 60_000);
afterAll(() => handle?.close());

async function befriend(a: string, b: string) {
  await handle.db.insert(friendships).values({ ...orderedPair(a, b), requesterId: a, status: "accepted" });
}

describe("FriendListCache", () => {
  it("shares one list while held, re-reads after invalidate, and forgets users nobody holds", async () => {
    const [a, b, c] = ids as [string, string, string];
    const friendships = new FriendshipsRepo(handle.db);
    const cache = new FriendListCache(
      (userId) => friendships.friendIdsOf(userId),
      async () => {},
    );
    await befriend(a, b);
    cache.hold(a);
    cache.hold(a);
    const first = await cache.friendIdsOf(a);
    expect(first).toEqual([b]);
    await befriend(a, c);
    // Until a feed says the friendships changed, the held list is served from memory.
    expect(await cache.friendIdsOf(a)).toBe(first);
    cache.invalidate(a);
    expect([...(await cache.friendIdsOf(a))].sort()).toEqual([b, c].sort());
    cache.release(a);
    expect(cache.size).toBe(1);
    cache.release(a);
    expect(cache.size).toBe(0);
    // Not held: always read from the database.
    expect([...(await cache.friendIdsOf(b))]).toEqual([a]);
    expect(cache.size).toBe(0);
  });
});
