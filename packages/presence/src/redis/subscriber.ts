/**
 * The receiving side of the Redis bus, one implementation per topology: `NodeSubscriber` holds
 * one SUBSCRIBE connection to a single Redis; `ShardSubscriber` one SSUBSCRIBE connection per
 * Cluster master, each channel on the master that owns its slot. The bus decides which channels
 * to hold; a subscriber holds them through reconnects, failovers and slot moves, and says when
 * it held them all again after a gap in which messages may have been lost.
 */
export interface SubscriberHandlers {
  /** A message on a channel; `node` is the `host:port` of the Redis it came from (for metrics). */
  message(channel: string, raw: string, node: string): void;
  /**
   * Every channel is subscribed again after a loss (a dropped connection, a failover, a moved
   * slot): messages published meanwhile may be gone, so subscribers must resync.
   */
  recovered(): void;
  /** Failures with no caller to throw to. */
  error(error: unknown, context: string): void;
}

export interface ChannelSubscriber {
  /** Resolves once Redis acknowledged the subscription; rejects if it could not be made now (it is retried after a recovery). */
  subscribe(channel: string): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** Resolves when every connection answers (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
