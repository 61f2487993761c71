/**
 * Sliding-window counters kept in this process. With several servers each keeps its own, so a
 * determined client spread over N servers gets up to N times the limit: acceptable for abuse
 * limits, which only need to make attacks slow.
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit; false when the key is already at its limit (the hit is then not counted). */
  tryHit(key: string): boolean {
    if (this.limit <= 0) return true;
    const recent = this.recent(key);
    if (recent.length >= this.limit) return false;
    recent.push(this.now());
    this.hits.set(key, recent);
    return true;
  }

  /** Whether the key is at its limit, without counting a hit. */
  isLimited(key: string): boolean {
    return this.limit > 0 && this.recent(key).length >= this.limit;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const recent = (this.hits.get(key) ?? []).filter((at) => at > cutoff);
    if (recent.length === 0) this.hits.delete(key);
    if (this.hits.size > 100_000) this.prune(cutoff);
    return recent;
  }

  private prune(cutoff: number): void {
    for (const [key, times] of this.hits) if (times.every((at) => at <= cutoff)) this.hits.delete(key);
  }
}

export interface AbuseLimitsConfig {
  enabled: boolean;
  /** status changes per user per 10 s; 0 = off */
  statusChangesPer10s: number;
  /** live WebSocket connections per user (default 20) */
  connectionsPerUser?: number | undefined;
}

export const DEFAULT_MAX_CONNECTIONS_PER_USER = 20;

/** Every abuse limit of SPEC §4 (`RATE_LIMITS`, `STATUS_RATE_LIMIT`) in one place. */
export class AbuseLimits {
  readonly signInFailuresPerUsername: RateLimiter;
  readonly signInFailuresPerIp: RateLimiter;
  readonly signUpsPerIp: RateLimiter;
  readonly friendRequestsPerUser: RateLimiter;
  readonly statusChangesPerUser: RateLimiter;
  /** Live connections one user may hold on one server; Infinity when limits are off. */
  readonly maxConnectionsPerUser: number;

  constructor(config: AbuseLimitsConfig) {
    const on = (limit: number) => (config.enabled ? limit : 0);
    this.signInFailuresPerUsername = new RateLimiter(on(10), 15 * 60_000);
    this.signInFailuresPerIp = new RateLimiter(on(100), 15 * 60_000);
    this.signUpsPerIp = new RateLimiter(on(30), 10 * 60_000);
    this.friendRequestsPerUser = new RateLimiter(on(60), 60_000);
    this.statusChangesPerUser = new RateLimiter(on(config.statusChangesPer10s), 10_000);
    this.maxConnectionsPerUser = config.enabled ? (config.connectionsPerUser ?? DEFAULT_MAX_CONNECTIONS_PER_USER) : Infinity;
  }
}
