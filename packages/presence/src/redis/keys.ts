/**
 * Redis key and channel names for one Herald deployment (or one isolated test).
 *
 * Per-user keys and the user's channel carry the user id as a hash tag (`{userId}`), so in Redis
 * Cluster all of a user's keys and their channel share one slot: a Lua script may touch them
 * together, and a change is published on the shard that holds the user. The reap index is the
 * only global structure; it is split into buckets spread over the slot space (see `expiries`).
 */
import { SLOT_COUNT, slotOf } from "./slot.js";

export const DEFAULT_PREFIX = "herald";

/**
 * Buckets of the reap index. Each lives on its own slot, evenly spaced over the slot space, so a
 * cluster whose masters own equal slot ranges (what `redis-cli --cluster create` and rebalancing
 * make) holds an equal share of them on each master: 3 masters get 5 or 6 each, 6 get 2 or 3.
 * Every reaper reads every bucket each tick, so more buckets cost more round trips per tick.
 */
export const EXPIRY_BUCKETS = 16;

export class RedisKeys {
  private readonly bucketKeys: readonly string[];

  constructor(readonly prefix: string = DEFAULT_PREFIX) {
    this.bucketKeys = Array.from({ length: EXPIRY_BUCKETS }, (_, bucket) => `${prefix}:{${bucketTag(bucket)}}:expiries`);
  }

  /** Sorted set: connectionId → expiry (ms since epoch). */
  connections(userId: string): string {
    return `${this.prefix}:{${userId}}:conns`;
  }

  /** Hash: connectionId → `<device>:<0|1 idle>`, what each live connection says of itself. */
  connectionFacts(userId: string): string {
    return `${this.prefix}:{${userId}}:facts`;
  }

  /** Hash: online (0/1), version, lastConnectedAt (ms since epoch). Kept forever: versions must never restart. */
  live(userId: string): string {
    return `${this.prefix}:{${userId}}:live`;
  }

  /** Pub/sub channel of one user's presence changes (sharded under Cluster: on the user's slot). */
  events(userId: string): string {
    return `${this.prefix}:{${userId}}:events`;
  }

  /** The user whose `events` channel this is; null for any other name. */
  userOfEvents(channel: string): string | null {
    const head = `${this.prefix}:{`;
    const tail = "}:events";
    if (!channel.startsWith(head) || !channel.endsWith(tail)) return null;
    return channel.slice(head.length, channel.length - tail.length);
  }

  /**
   * The reap-index bucket that holds `userId`: a sorted set userId → the moment `reap` should
   * next look at that user. A user always maps to the same bucket; buckets share no slot with
   * the per-user keys, so no script touches both (the store orders its writes instead).
   */
  expiries(userId: string): string {
    return this.bucketKeys[slotOf(userId) % EXPIRY_BUCKETS]!;
  }

  /** Every bucket of the reap index: a reaper reads them all. */
  expiryBuckets(): readonly string[] {
    return this.bucketKeys;
  }
}

/**
 * A short hash tag whose slot is the first one found at or after the bucket's share of the slot
 * space: bucket b of B sits at slot ≥ b × 16384 / B (a few dozen CRCs per bucket, once).
 */
function bucketTag(bucket: number): string {
  const start = Math.floor((bucket * SLOT_COUNT) / EXPIRY_BUCKETS);
  const end = Math.floor(((bucket + 1) * SLOT_COUNT) / EXPIRY_BUCKETS);
  for (let n = 0; ; n++) {
    const tag = `x${bucket}.${n}`;
    const slot = slotOf(tag);
    if (slot >= start && slot < end) return tag;
  }
}
