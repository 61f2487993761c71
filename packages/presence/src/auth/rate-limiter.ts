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

  /** Takes back the key's latest hit: the attempt it counted turned out not to count (a success, a refusal). */
  refund(key: string): void {
    if (this.limit <= 0) return;
    const times = this.hits.get(key);
    times?.pop();
    if (times?.length === 0) this.hits.delete(key);
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

/**
 * Failed sign-ins for one key (a username *and* an address): `freeAttempts` failures are free,
 * then each further attempt must wait a delay that doubles with every failure (`firstDelayMs`,
 * ×2, … up to `maxDelayMs`). An attempt is counted when it *begins*, before any hashing, so
 * concurrent guesses (an HTTP batch, many parallel requests) cannot all pass the check before
 * the first failure is recorded. A success forgets the key; a key quiet for `forgetAfterMs`
 * after its last delay is forgotten too.
 */
export class FailureBackoff {
  private readonly entries = new Map<string, { failures: number; inFlight: number; blockedUntil: number; lastFailureAt: number }>();

  constructor(
    readonly freeAttempts: number,
    readonly firstDelayMs: number,
    readonly maxDelayMs: number,
    readonly forgetAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts an attempt as in flight and answers 0, or answers how many ms to wait (not counted). */
  begin(key: string): number {
    if (this.freeAttempts <= 0) return 0;
    const now = this.now();
    const entry = this.live(key, now) ?? { failures: 0, inFlight: 0, blockedUntil: 0, lastFailureAt: 0 };
    if (now < entry.blockedUntil) return entry.blockedUntil - now;
    // Past the free attempts, one at a time: the next waits for this one's verdict (and delay).
    if (entry.failures + entry.inFlight >= this.freeAttempts && entry.inFlight > 0) return this.firstDelayMs;
    entry.inFlight++;
    if (this.entries.size > 100_000) this.prune(now);
    this.entries.set(key, entry);
    return 0;
  }

  /** The attempt begun for the key failed: count it, and start the key's next delay. */
  failed(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    const now = this.now();
    entry.inFlight = Math.max(0, entry.inFlight - 1);
    entry.failures++;
    entry.lastFailureAt = now;
    const over = entry.failures - this.freeAttempts;
    if (over >= 0) entry.blockedUntil = now + Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** Math.min(over, 30));
  }

  /** The attempt succeeded: everything the key had is forgotten. */
  succeeded(key: string): void {
    this.entries.delete(key);
  }

  /** The attempt begun was never checked (refused for another reason): it does not count. */
  cancelled(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.inFlight = Math.max(0, entry.inFlight - 1);
    if (entry.failures === 0 && entry.inFlight === 0) this.entries.delete(key);
  }

  private live(key: string, now: number) {
    const entry = this.entries.get(key);
    if (entry && this.stale(entry, now)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private stale(entry: { inFlight: number; blockedUntil: number; lastFailureAt: number }, now: number): boolean {
    return entry.inFlight === 0 && now >= Math.max(entry.blockedUntil, entry.lastFailureAt) + this.forgetAfterMs;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) if (this.stale(entry, now)) this.entries.delete(key);
  }
}

/**
 * The key of an address for per-address limits: an IPv4 address as it is; an IPv6 address by
 * its /64, the smallest block one subscriber is normally given (counting single IPv6 addresses
 * would hand an attacker 2^64 fresh ones).
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(":")) return ip;
  const hextets = expandIPv6(ip);
  return hextets ? `${hextets.slice(0, 4).join(":")}::/64` : ip;
}

function expandIPv6(ip: string): string[] | null {
  const bare = ip.replace(/%.*$/, "").toLowerCase();
  const halves = bare.split("::");
  if (halves.length > 2) return null;
  const part = (text: string | undefined) => (text ? text.split(":") : []);
  const head = part(halves[0]);
  const tail = part(halves[1]);
  // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two hextets.
  const last = tail.length > 0 ? tail : head;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(last[last.length - 1] ?? "");
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    last.splice(last.length - 1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const hextets = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill("0"), ...tail];
  return hextets.map((h) => h.replace(/^0+(?=.)/, ""));
}

export interface AbuseLimitsConfig {
  enabled: boolean;
  /** status changes per user per 10 s; 0 = off */
  statusChangesPer10s: number;
  /** live WebSocket connections per user (default 20) */
  connectionsPerUser?: number | undefined;
}

export const DEFAULT_MAX_CONNECTIONS_PER_USER = 20;

/** Failures free per (username, address) before the delays start. */
export const SIGN_IN_FREE_FAILURES = 10;
/** The first delay after those; each further failure doubles it, up to 15 minutes. */
export const SIGN_IN_FIRST_DELAY_MS = 30_000;
export const SIGN_IN_MAX_DELAY_MS = 15 * 60_000;

/** Every abuse limit of docs/protocol.md §4 (`RATE_LIMITS`, `STATUS_RATE_LIMIT`) in one place. */
export class AbuseLimits {
  /**
   * Failed sign-ins per (username, address), with growing delays. Keyed by both, so guesses
   * from elsewhere never lock a user out of their correct password from their own address.
   */
  readonly signInFailuresPerUsernameAndAddress: FailureBackoff;
  /** Failed sign-ins per address, whatever the usernames; affects that address only. */
  readonly signInFailuresPerIp: RateLimiter;
  readonly signUpsPerIp: RateLimiter;
  readonly friendRequestsPerUser: RateLimiter;
  readonly statusChangesPerUser: RateLimiter;
  /** Live connections one user may hold on one server; Infinity when limits are off. */
  readonly maxConnectionsPerUser: number;
  /** Whether a request may carry at most one `auth.signIn`/`auth.signUp` (HTTP batches). */
  readonly oneSignInPerRequest: boolean;
  /** Whether each WebSocket's calls are budgeted (the server's call-budget.ts). */
  readonly callsPerSocket: boolean;

  constructor(config: AbuseLimitsConfig) {
    const on = (limit: number) => (config.enabled ? limit : 0);
    this.signInFailuresPerUsernameAndAddress = new FailureBackoff(
      on(SIGN_IN_FREE_FAILURES),
      SIGN_IN_FIRST_DELAY_MS,
      SIGN_IN_MAX_DELAY_MS,
      15 * 60_000,
    );
    this.signInFailuresPerIp = new RateLimiter(on(100), 15 * 60_000);
    this.signUpsPerIp = new RateLimiter(on(30), 10 * 60_000);
    this.friendRequestsPerUser = new RateLimiter(on(60), 60_000);
    this.statusChangesPerUser = new RateLimiter(on(config.statusChangesPer10s), 10_000);
    this.maxConnectionsPerUser = config.enabled ? (config.connectionsPerUser ?? DEFAULT_MAX_CONNECTIONS_PER_USER) : Infinity;
    this.oneSignInPerRequest = config.enabled;
    this.callsPerSocket = config.enabled;
  }
}
