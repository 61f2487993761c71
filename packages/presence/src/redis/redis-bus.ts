/**
 * The bus on Redis pub/sub: one channel per user, published on the publisher connection and
 * received by a subscriber of the topology's kind (subscriber.ts). On one Redis that is
 * PUBLISH/SUBSCRIBE; on a Redis Cluster, sharded pub/sub (SPUBLISH/SSUBSCRIBE), so a change is
 * published on the shard that owns the user and reaches only servers subscribed to that user.
 * A channel is subscribed while at least one local listener needs it and unsubscribed when the
 * last one leaves, so a server hears only about users its own subscribers care about.
 *
 * Pub/sub is at-most-once: whatever was published while a subscriber connection was down (or a
 * slot was moving) is gone. So once the subscriber holds every channel again, the bus tells the
 * server to re-register its connections and the resync listeners to rebuild from fresh snapshots.
 */
import { Cluster } from "ioredis";
import { ChannelRegistry, type ChannelFollower } from "../bus/channel-registry.js";
import type { BusListener, BusMessage, PresenceBus } from "../bus/types.js";
import { storeUnavailable } from "../store/unavailable.js";
import { closeClient, whenReady, type RedisClient } from "./connect.js";
import { RedisKeys } from "./keys.js";
import { NodeSubscriber } from "./node-subscriber.js";
import { ShardSubscriber } from "./shard-subscriber.js";
import type { ChannelSubscriber } from "./subscriber.js";

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
  private readonly publisher: RedisClient;
  private readonly subscriber: ChannelSubscriber;
  private readonly keys: RedisKeys;
  private readonly onError: (error: unknown, context: string) => void;
  private readonly beforeResync: () => Promise<void>;
  private readonly onReconnect: () => void;
  /** Local followers by user; a user's channel is subscribed in Redis exactly while followed here. */
  private readonly channels = new ChannelRegistry({
    joined: (userId) => void this.track(this.subscriber.subscribe(this.keys.events(userId)), `subscribe ${this.keys.events(userId)}`),
    left: (userId) => {
      if (!this.closed) void this.track(this.subscriber.unsubscribe(this.keys.events(userId)), `unsubscribe ${this.keys.events(userId)}`);
    },
  });
  private readonly resyncListeners = new Set<() => void>();
  /** Settles once every (un)subscription sent so far is answered (on every connection). */
  private subscriptionsSettled: Promise<void> = Promise.resolve();
  /** Messages received, by the `host:port` of the Redis that delivered them (for /metrics and the benchmark). */
  private readonly received = new Map<string, number>();
  private closed = false;

  /** Takes ownership of `redis` (the publisher) and of the subscriber connections it opens beside it. */
  constructor(redis: RedisClient, options: RedisPresenceBusOptions = {}) {
    this.publisher = redis;
    this.keys = new RedisKeys(options.prefix);
    this.onError = options.onError ?? ((error, context) => console.error(`[herald redis bus] ${context}:`, error));
    this.beforeResync = options.beforeResync ?? (async () => {});
    this.onReconnect = options.onReconnect ?? (() => {});
    const handlers = {
      message: (channel: string, raw: string, node: string) => this.deliver(channel, raw, node),
      recovered: () => void this.resync(),
      error: (error: unknown, context: string) => this.onError(error, context),
    };
    this.subscriber = redis instanceof Cluster ? new ShardSubscriber(redis, handlers) : new NodeSubscriber(redis, handlers);
    this.publisher.on("error", (error: Error) => this.onError(error, "publisher connection"));
  }

  async publish(userId: string, message: BusMessage): Promise<void> {
    const payload = JSON.stringify(message);
    // A listener this bus registered before publishing must hear the message, so wait until
    // Redis has acknowledged pending subscriptions. Every publish waits on the latest barrier,
    // which settles after all earlier ones, so publishes still leave in call order.
    await this.subscriptionsSettled;
    if (this.publisher.status !== "ready") throw storeUnavailable(new Error(`Redis publisher is ${this.publisher.status}`));
    const channel = this.keys.events(userId);
    try {
      if (this.publisher instanceof Cluster) await this.publisher.spublish(channel, payload);
      else await this.publisher.publish(channel, payload);
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

  /** Messages received so far, by the Redis (`host:port`) that delivered them. */
  messagesReceived(): ReadonlyMap<string, number> {
    return this.received;
  }

  async ping(): Promise<void> {
    // Not queued for a reconnect: a health check must answer now.
    if (this.publisher.status !== "ready") throw new Error(`Redis connection is ${this.publisher.status}`);
    await Promise.all([this.publisher.ping(), this.subscriber.ping()]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    this.resyncListeners.clear();
    await Promise.all([this.subscriber.close(), closeClient(this.publisher)]);
  }

  private deliver(channel: string, raw: string, node: string): void {
    this.received.set(node, (this.received.get(node) ?? 0) + 1);
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

  /** The subscriber holds every channel again after a gap: re-register, then rebuild every feed. */
  private async resync(): Promise<void> {
    if (this.closed) return;
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
  }

  /** Adds `command` to the subscriptions barrier; its failure is reported, not thrown. */
  private track(command: Promise<unknown>, context: string): Promise<boolean> {
    const succeeded = command.then(
      () => true,
      (error: unknown) => {
        if (!this.closed) this.onError(error, context);
        return false;
      },
    );
    this.subscriptionsSettled = Promise.all([this.subscriptionsSettled, succeeded]).then(() => {});
    return succeeded;
  }
}
