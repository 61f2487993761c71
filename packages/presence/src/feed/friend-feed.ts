/**
 * One subscriber's view of their friends (`presence.onChange`). It listens on the bus before it
 * reads the snapshot, keeps only the highest version of each friend's state, sends an event only
 * when what this viewer sees changes (rule 9), and coalesces updates that pile up while the
 * transport is busy into one `updates` event (latest state wins).
 *
 * Events leave through a `FeedDelivery` (feed-delivery.ts): pulled through `events()`, or, once
 * `writeFrames` is called, written as frames at the end of each tick in which some arrived.
 */
import type { ChannelFollower } from "../bus/channel-registry.js";
import type { BusMessage, PresenceBus } from "../bus/types.js";
import type { LastSeenLevel } from "@herald/protocol";
import { viewContext, type ViewContext } from "../engine/last-seen.js";
import { sharedViewOf } from "../engine/shared-views.js";
import { ownViewOf, sameOwnPresence, sameVisiblePresence } from "../engine/visibility.js";
import type { Logger } from "../logger.js";
import type { OwnPresence, PresenceState, VisiblePresence } from "../types.js";
import type { FeedObserver, PendingRequests, PresenceEvent } from "./events.js";
import { FrameDelivery, PulledDelivery, type FeedDelivery } from "./feed-delivery.js";
import { KeyedList } from "./keyed-list.js";
import { PendingRequestsReader } from "./pending-requests.js";
import type { FrameWriter } from "./frame-writer.js";

export { MAX_FLUSH_WAIT_MS } from "./feed-delivery.js";

export interface FeedSources {
  /** Channels to follow (the bus's registry), and when subscriptions are confirmed. */
  bus: Pick<PresenceBus, "follow" | "unfollow" | "subscriptionsReady">;
  friendIdsOf(userId: string): Promise<string[]>;
  loadStates(userIds: readonly string[]): Promise<Map<string, PresenceState>>;
  /** A friend's state with fades arrived on the bus (the service makes sure they end on time). */
  fading?: (state: PresenceState) => void;
  /** The viewer's pending requests, read now. */
  requestsOf: (userId: string) => Promise<PendingRequests>;
  /** The viewer's friendships may have changed (a friendship message, or a resync): drop cached lists. */
  friendsChanged?(viewerId: string): void;
  /** LAST_SEEN_RECIPROCITY (§9.3): a viewer who hides their own last seen sees others' only approximately. */
  lastSeenReciprocity: boolean;
  log: Logger;
  observer?: FeedObserver;
}

interface Tracked<T> {
  version: number;
  /** What the viewer will see once queued events are sent. */
  queued: T;
  /** What the viewer has been sent. */
  delivered: T;
  publishedAt: number | null;
}

/**
 * One friend as one feed sees them. It follows the friend's channel itself, so a message finds it
 * without a lookup by id (and the feed keeps no hash table per subscriber). Every idle subscriber
 * holds one per friend: each field costs 8 bytes times the friends, so there are no more of them
 * than it takes.
 */
class FriendEntry implements Tracked<VisiblePresence>, ChannelFollower {
  version = -1;
  queued: VisiblePresence;
  delivered: VisiblePresence;
  publishedAt: number | null = null;
  /**
   * The friend's state at `version`, viewed again when the viewer's own last-seen level changes;
   * null until their first state is read (until then the viewer has not been told of them).
   */
  state: PresenceState | null = null;
  /** Null once the friend is removed or the feed starts over: messages still under way are dropped. */
  private feed: FriendFeed | null;

  constructor(
    readonly friendId: string,
    feed: FriendFeed,
  ) {
    this.feed = feed;
    this.queued = this.delivered = {
      userId: friendId,
      status: "offline",
      message: null,
      lastSeen: null,
      until: null,
      devices: [],
      lastSeenBucket: null,
    };
  }

  get current(): boolean {
    return this.feed !== null;
  }

  drop(): void {
    this.feed = null;
  }

  receive(_from: string, message: BusMessage): void {
    this.feed?.receiveFromFriend(this, message);
  }
}

const friendIdOf = (entry: FriendEntry) => entry.friendId;

/**
 * Whether `view` differs from what the viewer was sent (`queued`) only by a bucket that aged
 * (`recently` → `within a week`), the change that brought it showing nothing new (`before`, the
 * view of the previous state made now, is the same). Buckets age without events (§9.3): sending
 * the aged one now would tell the viewer the moment the user did something they cannot see —
 * connected while invisible, changed their message while offline (rule 5).
 */
function onlyAged(view: VisiblePresence, queued: VisiblePresence, before: VisiblePresence): boolean {
  return (
    view.lastSeenBucket !== queued.lastSeenBucket &&
    sameVisiblePresence(view, before) &&
    sameVisiblePresence(view, { ...queued, lastSeenBucket: view.lastSeenBucket })
  );
}

type QueueItem =
  | { kind: "event"; event: PresenceEvent }
  /** Friends whose view changed, in the order of their latest change. */
  | { kind: "updates"; entries: Set<FriendEntry> }
  | { kind: "self" };

export class FriendFeed implements ChannelFollower {
  private readonly friends = new KeyedList<FriendEntry>(friendIdOf);
  private self: Tracked<OwnPresence> | null = null;
  private readonly queue: QueueItem[] = [];
  private selfQueued = false;
  /** Messages held back while a snapshot is being read: from a friend, or (null) from our own channel. */
  private startBuffer: Array<{ friend: FriendEntry | null; message: BusMessage }> | null = null;
  /** Listening to our own channel: friendships, and our own state from other devices. */
  private followingSelf = false;
  /** Made when events are first pulled (`events()`); a feed that writes frames never needs one. */
  private pulled: PulledDelivery | null = null;
  /** How events leave: pulled, or written as frames (`writeFrames`); none yet, they wait queued. */
  private delivery: FeedDelivery | null = null;
  private closed = false;
  /** Runs once when the feed closes (`whenClosed`). */
  private closedListener: (() => void) | null = null;
  private generation = 0;
  /** Created on the first `requests_changed` notice: most feeds never see one. */
  private requests: PendingRequestsReader | null = null;
  /** Friends added in this turn of the event loop, whose first views are read together. */
  private adding: FriendEntry[] | null = null;
  /** Friends removed in this turn of the event loop, whose removal is checked against the list together. */
  private removed: Set<string> | null = null;
  /** Added friends whose first view is being read, with the messages that arrived meanwhile. */
  private loading: Map<FriendEntry, BusMessage[]> | null = null;
  /** The viewer's own default last-seen level, as of their newest state (reciprocity, §9.3). */
  private viewerLevel: LastSeenLevel = "friends";

  constructor(
    private readonly viewerId: string,
    private readonly sources: FeedSources,
  ) {}

  /**
   * The bus lost messages (it resubscribed after an outage): reads everything again. The owner of
   * the feeds calls this for all of them (one resync listener per server, not one per feed).
   */
  resync(): void {
    if (this.closed) return;
    this.restart().catch((error: unknown) => this.fail(error));
  }

  /** Subscribes, then queues the snapshot. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    this.startBuffer = [];
    this.sources.bus.follow(this.viewerId, this);
    this.followingSelf = true;
    const friendIds = await this.sources.friendIdsOf(this.viewerId);
    if (this.closed || generation !== this.generation) return;
    const entries = friendIds.map((friendId) => this.follow(friendId));
    this.friends.replaceAll(entries);
    await this.sources.bus.subscriptionsReady();
    if (this.closed || generation !== this.generation) return;
    const states = await this.sources.loadStates([this.viewerId, ...friendIds]);
    if (this.closed || generation !== this.generation) return;
    const own = states.get(this.viewerId)!;
    this.viewerLevel = own.lastSeenLevel;
    const snapshot: VisiblePresence[] = [];
    for (const entry of entries) {
      const state = states.get(entry.friendId);
      if (!state) continue;
      this.settleEntry(entry, state);
      snapshot.push(entry.delivered);
    }
    const ownView = ownViewOf(own);
    this.self = { version: own.version, queued: ownView, delivered: ownView, publishedAt: null };
    this.push({ kind: "event", event: { type: "snapshot", friends: snapshot } });
    const buffered = this.startBuffer;
    this.startBuffer = null;
    for (const { friend, message } of buffered) {
      if (friend) this.receiveFromFriend(friend, message);
      else this.receive(this.viewerId, message);
    }
  }

  events(signal: AbortSignal): AsyncGenerator<PresenceEvent> {
    this.pulled ??= new PulledDelivery();
    this.delivery ??= this.pulled;
    return this.pulled.events(() => this.takeNext(), signal);
  }

  /** Every event queued right now, resolved (for transports that write in batches, and tests). */
  takeQueued(): PresenceEvent[] {
    const events: PresenceEvent[] = [];
    for (let event = this.takeNext(); event !== undefined; event = this.takeNext()) if (event) events.push(event);
    return events;
  }

  /**
   * From now on, writes events to `frames` instead of handing them to `events()`: one flush per
   * tick, so everything that arrived in that tick leaves together (updates as one `updates`).
   */
  writeFrames(frames: FrameWriter): void {
    this.delivery = new FrameDelivery(frames, this);
    if (this.queue.length > 0) this.delivery.queued();
  }

  /** `listener` runs once when the feed closes, or fails (at once if it already has). One listener per feed. */
  whenClosed(listener: () => void): void {
    if (this.closed) listener();
    else this.closedListener = listener;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribeAll();
    this.delivery?.close();
    this.pulled?.close();
    this.requests?.stop();
    const listener = this.closedListener;
    this.closedListener = null;
    listener?.();
  }

  private async restart(): Promise<void> {
    this.unsubscribeAll();
    this.sources.friendsChanged?.(this.viewerId);
    this.queue.length = 0;
    this.selfQueued = false;
    await this.start();
  }

  private unsubscribeAll(): void {
    if (this.followingSelf) this.sources.bus.unfollow(this.viewerId, this);
    this.followingSelf = false;
    for (const entry of this.friends.values()) {
      entry.drop();
      this.sources.bus.unfollow(entry.friendId, entry);
    }
    this.friends.clear();
    this.adding = null;
    this.removed = null;
    this.loading = null;
  }

  /** @internal (for its deliveries) */
  fail(error: unknown): void {
    this.sources.log.error({ err: error, viewerId: this.viewerId }, "presence feed failed; closing it");
    this.close();
  }

  private follow(friendId: string): FriendEntry {
    const entry = new FriendEntry(friendId, this);
    this.sources.bus.follow(friendId, entry);
    return entry;
  }

  /** What views are made with now (buckets are relative to the moment a view is made). */
  private context(): ViewContext {
    return viewContext({ lastSeenLevel: this.viewerLevel }, this.sources.lastSeenReciprocity);
  }

  private settleEntry(entry: FriendEntry, state: PresenceState): void {
    const view = sharedViewOf(state, this.viewerId, this.context());
    entry.version = state.version;
    entry.state = state;
    entry.queued = view;
    entry.delivered = view;
  }

  /** A message on the viewer's own channel (each friend's channel is followed by its entry). */
  receive(_from: string, message: BusMessage): void {
    if (this.closed) return;
    // At once, even while a snapshot is read: another feed of ours may be about to read the list.
    if (message.type === "friend_added" || message.type === "friend_removed") this.sources.friendsChanged?.(this.viewerId);
    if (this.startBuffer) {
      this.startBuffer.push({ friend: null, message });
      return;
    }
    this.receiveOwn(message);
  }

  /** @internal (for `FriendEntry`) A message on a friend's channel. */
  receiveFromFriend(entry: FriendEntry, message: BusMessage): void {
    if (this.closed || !entry.current) return;
    if (this.startBuffer) {
      this.startBuffer.push({ friend: entry, message });
      return;
    }
    if (message.type !== "state") return;
    const waiting = this.loading?.get(entry);
    if (waiting) waiting.push(message);
    else if (entry.state !== null) this.applyFriendState(entry, message.state, message.publishedAt);
  }

  private receiveOwn(message: BusMessage): void {
    switch (message.type) {
      case "state":
        return this.applySelfState(message.state, message.publishedAt);
      case "friend_added":
        return this.addFriend(message.friendId);
      case "friend_removed":
        this.removeFriend(message.friendId);
        return this.addIfStillFriends(message.friendId);
      case "requests_changed":
        this.requests ??= new PendingRequestsReader(
          this.viewerId,
          this.sources.requestsOf,
          (lists) => this.push({ kind: "event", event: { type: "requests", ...lists } }),
          this.sources.log,
        );
        return this.requests.changed();
    }
  }

  private applyFriendState(entry: FriendEntry, state: PresenceState, publishedAt: number | undefined): void {
    if (state.version <= entry.version) return;
    if (state.fades.length > 0) this.sources.fading?.(state);
    const previous = entry.state;
    entry.version = state.version;
    entry.state = state;
    const context = this.context();
    const view = sharedViewOf(state, this.viewerId, context);
    if (sameVisiblePresence(view, entry.queued)) return;
    if (previous !== null && onlyAged(view, entry.queued, sharedViewOf(previous, this.viewerId, context))) return;
    // An arrival can wait for the beat (ARRIVAL_HOLD_MS); any other change leaves this tick.
    const arrival = entry.queued.status === "offline" && view.status !== "offline";
    entry.queued = view;
    entry.publishedAt = publishedAt ?? null;
    this.enqueueUpdate(entry, arrival);
  }

  private applySelfState(state: PresenceState, publishedAt: number | undefined): void {
    const self = this.self;
    if (!self || state.version <= self.version) return;
    self.version = state.version;
    if (state.lastSeenLevel !== this.viewerLevel) this.ownLevelChanged(state.lastSeenLevel);
    const view = ownViewOf(state);
    if (sameOwnPresence(view, self.queued)) return;
    self.queued = view;
    self.publishedAt = publishedAt ?? null;
    if (!this.selfQueued) {
      this.selfQueued = true;
      this.push({ kind: "self" });
    }
  }

  /**
   * With reciprocity, the viewer's own level decides how exactly they see everyone else's last
   * seen: every friend whose view changed with it is sent again (rule 9: those only).
   */
  private ownLevelChanged(level: LastSeenLevel): void {
    this.viewerLevel = level;
    if (!this.sources.lastSeenReciprocity) return;
    const context = this.context();
    for (const entry of this.friends.values()) {
      if (entry.state === null) continue;
      const view = sharedViewOf(entry.state, this.viewerId, context);
      if (sameVisiblePresence(view, entry.queued)) continue;
      entry.queued = view;
      entry.publishedAt = null;
      this.enqueueUpdate(entry);
    }
  }

  private addFriend(friendId: string): void {
    if (this.friends.get(friendId)) return;
    const added = this.follow(friendId);
    this.friends.add(added);
    (this.loading ??= new Map()).set(added, []);
    if (this.adding) {
      this.adding.push(added);
      return;
    }
    // A host linking many friendships at once (system.friends.link) sends many friend_added in
    // one burst: their first views are read in one query, not one query per friend.
    const batch = [added];
    this.adding = batch;
    setImmediate(() => {
      if (this.adding === batch) this.adding = null;
      if (!this.closed) this.loadAdded(batch);
    });
  }

  /**
   * Friendship messages are hints, not the truth: a `friend_added` from an accept can arrive after
   * the `friend_removed` of a cancel that beat it to the database, so an added friend is announced
   * only if the friend list, read after the message, still has them.
   */
  private loadAdded(batch: readonly FriendEntry[]): void {
    this.sources.bus
      .subscriptionsReady()
      .then(() => Promise.all([this.sources.loadStates(batch.map((entry) => entry.friendId)), this.sources.friendIdsOf(this.viewerId)]))
      .then(([states, friendIds]) => {
        const friends = new Set(friendIds);
        for (const entry of batch) {
          const waited = this.loading?.get(entry) ?? [];
          this.loading?.delete(entry);
          if (this.closed || !entry.current) continue;
          const state = states.get(entry.friendId);
          if (!state || !friends.has(entry.friendId)) {
            this.removeFriend(entry.friendId); // never announced: nothing to take back
            continue;
          }
          // The friend_added event carries the first view; later changes follow as updates.
          this.settleEntry(entry, state);
          this.push({ kind: "event", event: { type: "friend_added", presence: entry.delivered } });
          for (const message of waited) {
            if (message.type === "state") this.applyFriendState(entry, message.state, message.publishedAt);
          }
        }
        if (this.loading?.size === 0) this.loading = null;
      })
      .catch((error: unknown) => this.fail(error));
  }

  private removeFriend(friendId: string): void {
    const entry = this.friends.get(friendId);
    if (!entry) return;
    entry.drop();
    this.sources.bus.unfollow(friendId, entry);
    this.friends.remove(entry);
    this.loading?.delete(entry);
    for (const item of this.queue) if (item.kind === "updates") item.entries.delete(entry);
    // A friend still loading was never announced: nothing to take back.
    if (entry.state !== null) this.push({ kind: "event", event: { type: "friend_removed", userId: friendId } });
  }

  /**
   * After a `friend_removed`: if the list read then still has them, a later friendship overtook
   * this message on the way (unfriended and befriended again at once), and they are added back.
   * The removals of one turn (a host unlinking many pairs) share one read of the list.
   */
  private addIfStillFriends(friendId: string): void {
    if (this.removed) {
      this.removed.add(friendId);
      return;
    }
    const removed = new Set([friendId]);
    this.removed = removed;
    setImmediate(() => {
      if (this.removed === removed) this.removed = null;
      this.sources
        .friendIdsOf(this.viewerId)
        .then((friendIds) => {
          if (this.closed || this.startBuffer !== null) return;
          for (const id of friendIds) if (removed.has(id)) this.addFriend(id);
        })
        .catch((error: unknown) => this.fail(error));
    });
  }

  private enqueueUpdate(entry: FriendEntry, canWait = false): void {
    const last = this.queue[this.queue.length - 1];
    if (last?.kind === "updates") {
      last.entries.delete(entry);
      last.entries.add(entry);
      this.delivery?.queued(canWait);
      return;
    }
    this.push({ kind: "updates", entries: new Set([entry]) }, canWait);
  }

  private push(item: QueueItem, canWait = false): void {
    this.queue.push(item);
    this.delivery?.queued(canWait);
  }

  /** The next queued item as its event: null when it became nothing, undefined when the queue is empty. */
  private takeNext(): PresenceEvent | null | undefined {
    const item = this.queue.shift();
    return item === undefined ? undefined : this.resolve(item);
  }

  /** Turns a queue item into the event to send, or null when nothing the viewer sees changed. */
  private resolve(item: QueueItem): PresenceEvent | null {
    const observer = this.sources.observer;
    if (item.kind === "event") {
      observer?.eventSent(item.event.type, null);
      return item.event;
    }
    if (item.kind === "self") {
      this.selfQueued = false;
      const self = this.self;
      if (!self || sameOwnPresence(self.queued, self.delivered)) return null;
      self.delivered = self.queued;
      observer?.eventSent("self", latencySince(self.publishedAt));
      return { type: "self", presence: self.delivered };
    }
    const presences: VisiblePresence[] = [];
    let oldest: number | null = null;
    for (const entry of item.entries) {
      if (!entry.current || sameVisiblePresence(entry.queued, entry.delivered)) continue;
      entry.delivered = entry.queued;
      presences.push(entry.delivered);
      if (entry.publishedAt !== null) oldest = oldest === null ? entry.publishedAt : Math.min(oldest, entry.publishedAt);
    }
    if (presences.length === 0) return null;
    const event: PresenceEvent = presences.length === 1 ? { type: "update", presence: presences[0]! } : { type: "updates", presences };
    observer?.eventSent(event.type, latencySince(oldest));
    return event;
  }
}

function latencySince(publishedAt: number | null): number | null {
  return publishedAt === null ? null : Date.now() - publishedAt;
}
