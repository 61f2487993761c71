/**
 * SSUBSCRIBE on a Redis Cluster (Redis 7 sharded pub/sub): a channel lives on the master that
 * owns its slot, and only that master (and its replicas) carries its messages, so a change is
 * never broadcast cluster-wide. One connection per master, each channel subscribed on its
 * owner's. (ioredis' own `shardedSubscribers` re-subscribes without telling anyone when it is
 * done, and the bus must know that to resync: hence this.)
 *
 * Ownership changes when a master dies and its replica is promoted, or when slots move. Either
 * way messages may have been lost, so every channel is placed again on its current owner and,
 * once all are acknowledged and every master answers, the gap is reported as a recovery. The
 * placement runs when a connection closes, when Redis tells a connection its channels moved
 * away (an unsolicited SUNSUBSCRIBE: ioredis emits "moved"), and whenever the cluster client has
 * re-read the slot map (periodically, and after MOVED replies). A connection to every master is
 * kept, channels or not: losing any master means this server's users may have lost live facts
 * there, and the recovery is what makes the server register them again.
 */
import { Redis, type Cluster } from "ioredis";
import { slotOf } from "./slot.js";
import type { ChannelSubscriber, SubscriberHandlers } from "./subscriber.js";

/** Backoff between placement attempts while a master is unreachable (a failover takes seconds). */
const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 1_000;
/** A slot-map refresh that does not answer within this long is given up; the next attempt retries. */
const REFRESH_TIMEOUT_MS = 2_000;

export class ShardSubscriber implements ChannelSubscriber {
  /** Connections by node (`host:port`), one per master. */
  private readonly links = new Map<string, Redis>();
  private readonly wanted = new Set<string>();
  /** Where each wanted channel is subscribed (or its SSUBSCRIBE is in flight). */
  private readonly placed = new Map<string, string>();
  /** Messages may have been lost since the last recovery. */
  private lost = false;
  private running = false;
  private runAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private retryMs = MIN_RETRY_MS;
  private closed = false;
  private readonly onRefresh = () => {
    // A refresh this class asked for itself (while running) would loop forever.
    if (!this.running) this.schedule(0);
  };

  constructor(
    private readonly cluster: Cluster,
    private readonly handlers: SubscriberHandlers,
  ) {
    cluster.on("refresh", this.onRefresh);
    for (const node of this.masters()) this.link(node);
  }

  async subscribe(channel: string): Promise<void> {
    this.wanted.add(channel);
    const owner = this.ownerOf(channel);
    if (owner === undefined) {
      this.markLost();
      throw new Error(`no master is known for slot ${slotOf(channel)} yet`);
    }
    await this.place(channel, owner);
  }

  async unsubscribe(channel: string): Promise<void> {
    this.wanted.delete(channel);
    const node = this.placed.get(channel);
    this.placed.delete(channel);
    const link = node === undefined ? undefined : this.links.get(node);
    if (link && !this.closed) await link.sunsubscribe(channel);
  }

  async ping(): Promise<void> {
    const masters = this.masters();
    if (masters.size === 0) throw new Error("no Redis Cluster master is known");
    await Promise.all(
      [...masters].map(async (node) => {
        const link = this.links.get(node);
        // Not queued for a reconnect: a health check must answer now.
        if (link?.status !== "ready") throw new Error(`subscriber connection to ${node} is ${link?.status ?? "missing"}`);
        await link.ping();
      }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cluster.off("refresh", this.onRefresh);
    clearTimeout(this.timer);
    const links = [...this.links.values()];
    this.links.clear();
    this.wanted.clear();
    this.placed.clear();
    await Promise.all(links.map((link) => link.quit().catch(() => link.disconnect())));
  }

  /** SSUBSCRIBE on `node`; on failure the channel counts as unplaced, for the next attempt. */
  private place(channel: string, node: string): Promise<void> {
    this.placed.set(channel, node);
    return this.link(node)
      .ssubscribe(channel)
      .then(
        () => {},
        (error: unknown) => {
          if (this.placed.get(channel) === node) this.placed.delete(channel);
          this.markLost();
          throw error;
        },
      );
  }

  private link(node: string): Redis {
    const existing = this.links.get(node);
    if (existing) return existing;
    const separator = node.lastIndexOf(":");
    const redis = new Redis({
      ...this.cluster.options.redisOptions,
      host: node.slice(0, separator),
      port: Number(node.slice(separator + 1)),
      lazyConnect: false,
      autoResubscribe: false,
      enableAutoPipelining: false,
      // SSUBSCRIBEs may be sent while it still connects.
      enableOfflineQueue: true,
      // No reconnecting to the same address: the node may be gone for good (failover). The
      // next placement asks the slot map where the channels live now.
      retryStrategy: () => null,
      // ioredis' default, named: spread from the cluster's options the mapping's type is
      // "legacy" | "resp3", and that Redis<...> costs TypeScript (and lint) ~1 s to relate to Redis.
      replyMapping: "legacy",
    });
    redis.on("smessage", (channel: string, raw: string) => this.handlers.message(channel, raw, node));
    redis.on("error", (error: Error) => {
      if (!this.closed) this.handlers.error(error, `subscriber connection to ${node}`);
    });
    redis.on("moved", () => this.markLost());
    redis.once("close", () => {
      if (this.links.get(node) === redis) this.forget(node);
      this.markLost();
    });
    this.links.set(node, redis);
    return redis;
  }

  /** Drops the connection to `node`; its channels wait to be placed again. */
  private forget(node: string): void {
    const redis = this.links.get(node);
    this.links.delete(node);
    for (const [channel, at] of this.placed) if (at === node) this.placed.delete(channel);
    // Closed on purpose: not a loss in itself (reconcile decides whether channels moved).
    redis?.removeAllListeners("close");
    redis?.disconnect();
  }

  private markLost(): void {
    if (this.closed) return;
    this.lost = true;
    this.schedule(this.retryMs);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.running) {
      this.runAgain = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => void this.run(), delayMs);
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    this.runAgain = false;
    let placedAll = false;
    try {
      placedAll = await this.reconcile();
    } catch (error) {
      this.handlers.error(error, "placing shard subscriptions");
    } finally {
      this.running = false;
    }
    if (this.closed) return;
    if (!placedAll) {
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      this.schedule(this.retryMs);
      return;
    }
    this.retryMs = MIN_RETRY_MS;
    if (this.runAgain) {
      this.schedule(0);
      return;
    }
    if (this.lost) {
      this.lost = false;
      this.handlers.recovered();
    }
  }

  /** Every wanted channel on its owner, a connection to every master: true once all answered. */
  private async reconcile(): Promise<boolean> {
    // After a loss the map may be stale (the dead master still listed): read it again first.
    if (this.lost) await this.refreshSlots();
    const masters = this.masters();
    if (masters.size === 0) return false;
    for (const node of [...this.links.keys()]) {
      if (masters.has(node)) continue;
      const held = [...this.placed.values()].some((at) => at === node);
      this.forget(node);
      if (held) this.lost = true;
    }
    const work: Array<Promise<unknown>> = [];
    for (const channel of this.wanted) {
      const owner = this.ownerOf(channel)!;
      const current = this.placed.get(channel);
      if (current === owner) continue;
      if (current !== undefined) {
        // The slot moved while we held it: whatever was published in between is gone.
        this.lost = true;
        this.links
          .get(current)
          ?.sunsubscribe(channel)
          .catch(() => {});
      }
      work.push(this.place(channel, owner));
    }
    for (const node of masters) work.push(this.link(node).ping());
    const results = await Promise.allSettled(work);
    return results.every((result) => result.status === "fulfilled");
  }

  private refreshSlots(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, REFRESH_TIMEOUT_MS);
      this.cluster.refreshSlotsCache(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private masters(): Set<string> {
    const masters = new Set<string>();
    for (const nodes of this.cluster.slots) if (nodes?.[0]) masters.add(nodes[0]);
    return masters;
  }

  private ownerOf(channel: string): string | undefined {
    return this.cluster.slots[slotOf(channel)]?.[0];
  }
}
