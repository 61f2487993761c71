import { withDeadline } from "@herald/db";

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
    private readonly read: (userId: string) => Promise<string[]>,
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
    if (!entry) return this.read(userId);
    if (entry.ids) return entry.ids;
    // Shared by every feed of the user: a lost query must fail them, not hold them forever.
    const ids = this.subscriptionsReady().then(() => withDeadline(this.read(userId), "reading a friend list"));
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
