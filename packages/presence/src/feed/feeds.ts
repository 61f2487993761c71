/**
 * The live feeds of one server (`presence.onChange`), and what they share: the sources (one
 * object for every feed, no closures per subscription) and the friend-list cache. Built and closed
 * by the app that owns the server's bus and database (app.ts), never looked up by key.
 */
import type { PresenceBus } from "../bus/types.js";
import type { Logger } from "../logger.js";
import type { PresenceState } from "../types.js";
import type { FeedObserver, PendingRequests } from "./events.js";
import { FriendFeed, type FeedSources } from "./friend-feed.js";
import { FriendListCache } from "./friend-list-cache.js";

export interface PresenceFeedsOptions {
  bus: PresenceBus;
  /** A user's friends, read from the database. */
  readFriendIds: (userId: string) => Promise<string[]>;
  loadStates: (userIds: readonly string[]) => Promise<Map<string, PresenceState>>;
  /** A state with fades arrived for a feed here (see `PresenceService.watchFades`). */
  fading?: ((state: PresenceState) => void) | undefined;
  /** A user's pending requests, read from the database. */
  readRequests: (userId: string) => Promise<PendingRequests>;
  /** LAST_SEEN_RECIPROCITY (§9.3). */
  lastSeenReciprocity: boolean;
  log: Logger;
  observer?: FeedObserver | undefined;
}

export class PresenceFeeds {
  readonly friendLists: FriendListCache;
  private readonly sources: FeedSources;
  private readonly open = new Set<FriendFeed>();
  private readonly bus: PresenceBus;
  /** Listening for the bus's resyncs, while any feed is open (so an idle server holds no listener). */
  private unsubscribeResync: (() => void) | null = null;

  constructor(options: PresenceFeedsOptions) {
    const { bus } = options;
    this.bus = bus;
    const friendLists = new FriendListCache(options.readFriendIds, () => bus.subscriptionsReady());
    this.friendLists = friendLists;
    this.sources = {
      bus,
      friendIdsOf: (userId) => friendLists.friendIdsOf(userId),
      friendsChanged: (viewerId) => friendLists.invalidate(viewerId),
      loadStates: options.loadStates,
      requestsOf: options.readRequests,
      lastSeenReciprocity: options.lastSeenReciprocity,
      ...(options.fading ? { fading: options.fading } : {}),
      log: options.log,
      ...(options.observer ? { observer: options.observer } : {}),
    };
  }

  /** A feed for `viewerId`, not started; give it back with `release`. */
  acquire(viewerId: string): FriendFeed {
    this.friendLists.hold(viewerId);
    const feed = new FriendFeed(viewerId, this.sources);
    this.open.add(feed);
    // The bus lost messages: every feed reads everything again (one listener for all of them).
    this.unsubscribeResync ??= this.bus.onResync(() => {
      for (const open of this.open) open.resync();
    });
    return feed;
  }

  release(viewerId: string, feed: FriendFeed): void {
    feed.close();
    if (this.open.delete(feed)) this.friendLists.release(viewerId);
    if (this.open.size === 0) this.stopResyncs();
  }

  /** Feeds open right now. */
  get size(): number {
    return this.open.size;
  }

  /** Closes every feed (server shutdown): their subscriptions end. */
  close(): void {
    this.stopResyncs();
    for (const feed of this.open) feed.close();
    this.open.clear();
  }

  private stopResyncs(): void {
    this.unsubscribeResync?.();
    this.unsubscribeResync = null;
  }
}
