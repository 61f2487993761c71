/**
 * The bus on Redis pub/sub: one channel per user, a publisher and a subscriber connection per
 * server. A channel is SUBSCRIBEd while at least one local listener needs it and UNSUBSCRIBEd
 * when the last one leaves, so a server hears only about users its own subscribers care about.
 *
 * Pub/sub is at-most-once: whatever was published while the subscriber connection was down is
 * gone. So after a reconnect the bus re-subscribes every channel itself (ioredis'
 * autoResubscribe is off: we need to know when the re-subscription is acknowledged), and only
 * then tells the resync listeners to rebuild from fresh snapshots.
 */
import type { Redis } from "ioredis";
import { ChannelRegistry, type ChannelFollower } from "../bus/channel-registry.js";
import type { BusListener, BusMessage, PresenceBus } from "../bus/types.js";
import { storeUnavailable } from "../store/unavailable.js";
import { closeClient, whenReady } from "./connect.js";
import { RedisKeys } from "./keys.js";

export interface RedisPresenceBusOptions {
  /** Channel prefix; tests give each instance its own. Default `herald`. */
  prefix?: string;
  /** Failures that have no caller to throw to: a bad message, a throwing listener, a lost connection. */
  onError?: (error: unknown, context: string) => void;
  /**
   * Awaited before a resync is announced, with the bus' own connections ready: resync listeners
   * rebuild from the store, so `createRedisPresence` makes them wait for the store's connection.
   */
  beforeResync?: () => Promise<void>;
  /**
   * Called once per recovery, before the resync listeners: the server re-registers its live
   * connections from here. (Not a resync listener, so listener counts stay about subscribers.)
   */
  onReconnect?: () => void;
}

export class RedisPresenceBus implements PresenceBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly keys: RedisKeys;
  private readonly onError: (error: unknown, context: string) => void;
  private readonly beforeResync: () => Promise<void>;
  private readonly onReconnect: () => void;
  /** Local followers by user; a user's channel is in Redis' subscription set exactly while followed here. */
  private readonly channels = new ChannelRegistry({
    joined: (userId) => void this.track(this.subscriber.subscribe(this.keys.events(userId)), `subscribe ${this.keys.events(userId)}`),
    left: (userId) => {
      if (!this.closed) void this.track(this.subscriber.unsubscribe(this.keys.events(userId)), `unsubscribe ${this.keys.events(userId)}`);
    },
  });
  private readonly resyncListeners = new Set<() => void>();
  /**
   * Settles once every (UN)SUBSCRIBE sent so far is answered: the subscriber connection answers
   * in order, so waiting for the latest command is waiting for all of them.
   */
  private subscriptionsSettled: Promise<void> = Promise.resolve();
  private hasBeenReady = false;
  private connectionLost = false;
  private closed = false;

  /** Takes ownership of `redis` (the publisher) and of the subscriber it duplicates from it. */
  constructor(redis: Redis, options: RedisPresenceBusOptions = {}) {
    this.publisher = redis;
    // The offline queue stays on here: the first SUBSCRIBEs may be sent while it still connects.
    this.subscriber = redis.duplicate({
      autoResubscribe: false,
      lazyConnect: false,
      enableAutoPipelining: false,
      enableOfflineQueue: true,
    });
    this.keys = new RedisKeys(options.prefix);
    this.onError = options.onError ?? ((error, context) => console.error(`[herald redis bus] ${context}:`, error));
    this.beforeResync = options.beforeResync ?? (async () => {});
    this.onReconnect = options.onReconnect ?? (() => {});
    this.subscriber.on("message", (channel: string, raw: string) => this.deliver(channel, raw));
    this.publisher.on("error", (error: Error) => this.onError(error, "publisher connection"));
    this.subscriber.on("error", (error: Error) => this.onError(error, "subscriber connection"));
    this.subscriber.on("close", () => {
      if (this.hasBeenReady) this.connectionLost = true;
    });
    this.subscriber.on("ready", () => this.onSubscriberReady());
  }

  async publish(userId: string, message: BusMessage): Promise<void> {
    const payload = JSON.stringify(message);
    // A listener this bus registered before publishing must hear the message, so wait until
    // Redis has acknowledged pending subscriptions. Every publish waits on the latest barrier,
    // which settles after all earlier ones, so publishes still leave in call order.
    await this.subscriptionsSettled;
    if (this.publisher.status !== "ready") throw storeUnavailable(new Error(`Redis publisher is ${this.publisher.status}`));
    try {
      await this.publisher.publish(this.keys.events(userId), payload);
    } catch (error) {
      throw storeUnavailable(error);
    }
  }

  subscribe(userId: string, listener: BusListener): () => void {
    return this.channels.subscribe(userId, listener);
  }

  follow(userId: string, follower: ChannelFollower): void {
    this.channels.follow(userId, follower);
  }

  unfollow(userId: string, follower: ChannelFollower): void {
    this.channels.unfollow(userId, follower);
  }

  onResync(listener: () => void): () => void {
    // A wrapper for the same reason as in subscribe.
    const entry = () => listener();
    this.resyncListeners.add(entry);
    return () => this.resyncListeners.delete(entry);
  }

  /**
   * Resolves once Redis has acknowledged every subscription made so far. A subscriber that reads
   * a snapshot after this cannot miss a message published after the snapshot.
   */
  subscriptionsReady(): Promise<void> {
    return this.subscriptionsSettled;
  }

  listenerCount(): number {
    return this.resyncListeners.size + this.channels.followerCount();
  }

  async ping(): Promise<void> {
    for (const client of [this.publisher, this.subscriber]) {
      // Not queued for a reconnect: a health check must answer now.
      if (client.status !== "ready") throw new Error(`Redis connection is ${client.status}`);
    }
    await Promise.all([this.publisher.ping(), this.subscriber.ping()]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    this.resyncListeners.clear();
    await Promise.all([closeClient(this.subscriber), closeClient(this.publisher)]);
  }

  private deliver(channel: string, raw: string): void {
    const userId = this.keys.userOfEvents(channel);
    if (userId === null) return;
    let message: BusMessage;
    try {
      message = JSON.parse(raw) as BusMessage;
    } catch (error) {
      this.onError(error, `unparseable message on ${channel}`);
      return;
    }
    // A follower that throws, thrown into ioredis, would break the connection's reply parsing
    // for everyone: reported instead. (A channel with no follower left is an UNSUBSCRIBE in flight.)
    this.channels.deliver(userId, message, (error) => this.onError(error, `listener on ${channel}`));
  }

  private onSubscriberReady(): void {
    this.hasBeenReady = true;
    if (!this.connectionLost || this.closed) return;
    this.connectionLost = false;
    const channels = this.channels.userIds().map((userId) => this.keys.events(userId));
    const resubscribed = channels.length > 0 ? this.subscriber.subscribe(...channels) : Promise.resolve();
    void this.track(resubscribed, `resubscribe ${channels.length} channels`).then(async (ok) => {
      // On failure the connection dropped again; the next 'ready' retries and resyncs.
      if (!ok || this.closed) return;
      // Listeners publish and read the store as soon as they hear of the resync.
      try {
        await whenReady(this.publisher);
        await this.beforeResync();
      } catch (error) {
        if (!this.closed) this.onError(error, "waiting for Redis before a resync");
        return;
      }
      if (this.closed) return;
      try {
        this.onReconnect();
      } catch (error) {
        this.onError(error, "reconnect handler");
      }
      for (const listener of [...this.resyncListeners]) {
        try {
          listener();
        } catch (error) {
          this.onError(error, "resync listener");
        }
      }
    });
  }

  /** Makes `command` the new subscriptions barrier; its failure is reported, not thrown. */
  private track(command: Promise<unknown>, context: string): Promise<boolean> {
    const succeeded = command.then(
      () => true,
      (error: unknown) => {
        if (!this.closed) this.onError(error, context);
        return false;
      },
    );
    this.subscriptionsSettled = succeeded.then(() => {});
    return succeeded;
  }
}
