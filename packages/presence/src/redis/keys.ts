/**
 * Redis key and channel names for one Herald deployment (or one isolated test).
 *
 * Per-user keys carry the user id as a hash tag (`{userId}`), so in Redis Cluster all of a user's
 * keys share one slot and a Lua script may touch them together. The reap index is the one key
 * that is not per user; see `expiries` below.
 */
export const DEFAULT_PREFIX = "herald";

export class RedisKeys {
  constructor(readonly prefix: string = DEFAULT_PREFIX) {}

  /** Sorted set: connectionId → expiry (ms since epoch). */
  connections(userId: string): string {
    return `${this.prefix}:{${userId}}:conns`;
  }

  /** Hash: online (0/1), version, lastConnectedAt (ms since epoch). Kept forever: versions must never restart. */
  live(userId: string): string {
    return `${this.prefix}:{${userId}}:live`;
  }

  /** Pub/sub channel of one user's presence changes. */
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
   * Sorted set: userId → the moment `reap` should next look at that user. One global key: under
   * Redis Cluster it lives on a single shard, which is fine for its load (a write per connect and
   * disconnect, a range read per reap tick). Because it shares no slot with the per-user keys, no
   * script touches both; the store keeps it correct with ordered, separate writes instead.
   */
  expiries(): string {
    return `${this.prefix}:expiries`;
  }
}
