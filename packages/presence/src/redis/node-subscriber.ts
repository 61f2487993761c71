/**
 * SUBSCRIBE on one Redis: a single connection of its own. Pub/sub is at-most-once, so after a
 * reconnect it re-subscribes every channel itself (ioredis' autoResubscribe is off: we need to
 * know when the re-subscription is acknowledged), and only then reports the recovery.
 */
import type { Redis } from "ioredis";
import { closeClient } from "./connect.js";
import type { ChannelSubscriber, SubscriberHandlers } from "./subscriber.js";

export class NodeSubscriber implements ChannelSubscriber {
  private readonly redis: Redis;
  private readonly channels = new Set<string>();
  private readonly node: string;
  private hasBeenReady = false;
  private connectionLost = false;
  private closed = false;

  /** Duplicates `from` (same address and settings) into a connection it owns. */
  constructor(
    from: Redis,
    private readonly handlers: SubscriberHandlers,
  ) {
    // The offline queue stays on here: the first SUBSCRIBEs may be sent while it still connects.
    const copy = from.duplicate({ autoResubscribe: false, lazyConnect: false, enableAutoPipelining: false, enableOfflineQueue: true });
    // Assigned apart: given the field's type as context, duplicate() infers its override against
    // it, and relating ioredis' generic Redis types costs TypeScript (and lint) ~1.5 s.
    this.redis = copy;
    this.node = `${from.options.host ?? "127.0.0.1"}:${from.options.port ?? 6379}`;
    this.redis.on("message", (channel: string, raw: string) => handlers.message(channel, raw, this.node));
    this.redis.on("error", (error: Error) => handlers.error(error, "subscriber connection"));
    this.redis.on("close", () => {
      if (this.hasBeenReady) this.connectionLost = true;
    });
    this.redis.on("ready", () => this.onReady());
  }

  async subscribe(channel: string): Promise<void> {
    this.channels.add(channel);
    await this.redis.subscribe(channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    this.channels.delete(channel);
    if (!this.closed) await this.redis.unsubscribe(channel);
  }

  async ping(): Promise<void> {
    // Not queued for a reconnect: a health check must answer now.
    if (this.redis.status !== "ready") throw new Error(`Redis connection is ${this.redis.status}`);
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    await closeClient(this.redis);
  }

  private onReady(): void {
    this.hasBeenReady = true;
    if (!this.connectionLost || this.closed) return;
    this.connectionLost = false;
    const channels = [...this.channels];
    const resubscribed = channels.length > 0 ? this.redis.subscribe(...channels) : Promise.resolve();
    resubscribed.then(
      () => {
        if (!this.closed) this.handlers.recovered();
      },
      // The connection dropped again; the next 'ready' retries and recovers.
      (error: unknown) => {
        if (!this.closed) this.handlers.error(error, `resubscribe ${channels.length} channels`);
      },
    );
  }
}
