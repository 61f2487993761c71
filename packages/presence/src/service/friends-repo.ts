/** Friendship queries. A pair is stored once, ordered, with who asked (see the schema). */
import { and, eq, or, sql } from "drizzle-orm";
import { friendships, users, withDeadline, type Database, type FriendshipRow } from "@herald/db";

export function orderedPair(a: string, b: string): { userLow: string; userHigh: string } {
  return a < b ? { userLow: a, userHigh: b } : { userLow: b, userHigh: a };
}

export function otherUser(row: Pick<FriendshipRow, "userLow" | "userHigh">, me: string): string {
  return row.userLow === me ? row.userHigh : row.userLow;
}

const involves = (userId: string) => or(eq(friendships.userLow, userId), eq(friendships.userHigh, userId));

export async function findFriendship(db: Database, a: string, b: string): Promise<FriendshipRow | undefined> {
  const pair = orderedPair(a, b);
  const [row] = await db
    .select()
    .from(friendships)
    .where(and(eq(friendships.userLow, pair.userLow), eq(friendships.userHigh, pair.userHigh)));
  return row;
}

export async function friendIdsOf(db: Database, userId: string): Promise<string[]> {
  const rows = await db
    .select({ userLow: friendships.userLow, userHigh: friendships.userHigh })
    .from(friendships)
    .where(and(involves(userId), eq(friendships.status, "accepted")));
  return rows.map((row) => otherUser(row, userId));
}

export async function areFriends(db: Database, a: string, b: string): Promise<boolean> {
  const row = await findFriendship(db, a, b);
  return row?.status === "accepted";
}

export interface FriendSummary {
  id: string;
  username: string;
}

/** Friends (accepted) and requests (pending) with usernames, in one query. */
export async function relationsOf(
  db: Database,
  userId: string,
): Promise<Array<FriendSummary & { status: "pending" | "accepted"; requesterId: string }>> {
  const otherId = sql<string>`case when ${friendships.userLow} = ${userId} then ${friendships.userHigh} else ${friendships.userLow} end`;
  return db
    .select({ id: users.id, username: users.username, status: friendships.status, requesterId: friendships.requesterId })
    .from(friendships)
    .innerJoin(users, eq(users.id, otherId))
    .where(involves(userId))
    .orderBy(users.username);
}

/**
 * Friend lists of the users with live feeds on this server, shared by all of a user's feeds
 * (tabs, devices): a user with 20 tabs costs one friend-list query, not 20. An entry exists only
 * while a feed of its user is open (`hold`/`release`), and those feeds keep it true: each listens
 * to its user's own channel, where every friendship change is published, and calls `invalidate`
 * on `friend_added`/`friend_removed` and when it restarts after a bus resync. A list is read only
 * after the bus confirms the feeds' subscriptions, so no change can slip between read and listen.
 */
export class FriendListCache {
  private readonly entries = new Map<string, { holders: number; ids: Promise<string[]> | null }>();

  constructor(
    private readonly db: Database,
    private readonly subscriptionsReady: () => Promise<void>,
  ) {}

  hold(userId: string): void {
    const entry = this.entries.get(userId);
    if (entry) entry.holders++;
    else this.entries.set(userId, { holders: 1, ids: null });
  }

  release(userId: string): void {
    const entry = this.entries.get(userId);
    if (entry && --entry.holders <= 0) this.entries.delete(userId);
  }

  invalidate(userId: string): void {
    const entry = this.entries.get(userId);
    if (entry) entry.ids = null;
  }

  /** Callers must not mutate the array: it is shared. */
  friendIdsOf(userId: string): Promise<string[]> {
    const entry = this.entries.get(userId);
    if (!entry) return friendIdsOf(this.db, userId);
    if (entry.ids) return entry.ids;
    // Shared by every feed of the user: a lost query must fail them, not hold them forever.
    const ids = this.subscriptionsReady().then(() => withDeadline(friendIdsOf(this.db, userId), "reading a friend list"));
    entry.ids = ids;
    // A failed read is not cached; an invalidated one is simply replaced on the next call.
    ids.catch(() => {
      if (entry.ids === ids) entry.ids = null;
    });
    return ids;
  }

  /** Users with an entry (for tests). */
  get size(): number {
    return this.entries.size;
  }
}

const friendListCaches = new WeakMap<object, FriendListCache>();

/** The cache of one server: keyed by its bus (one per server), reading from its database. */
export function friendListCacheOf(db: Database, bus: { subscriptionsReady(): Promise<void> }): FriendListCache {
  let cache = friendListCaches.get(bus);
  if (!cache) {
    cache = new FriendListCache(db, () => bus.subscriptionsReady());
    friendListCaches.set(bus, cache);
  }
  return cache;
}
