/**
 * Session verification with revocation. A token is valid while its signature and expiry hold
 * (tokens.ts) and its `ver` equals the user's `token_version`; `auth.signOut` bumps the version,
 * which revokes every token the user holds, on every server.
 *
 * Versions are cached per user for `cacheMs`, so verifying costs a database read at most once
 * per user per few seconds, and lookups made in the same tick (apps/server re-checks every live
 * socket at once, on the same clock) share one query; another server honours a sign-out within
 * that time. A server that is its database's only writer (embedded PGlite) caches them for good
 * (`cacheMs` Infinity): every sign-out is its own, and sets the cached version itself, so the
 * 5-s re-check of every live socket reads nothing. When the database cannot be read and no
 * version is cached, a well-signed unexpired token is accepted: an outage must not sign everyone
 * out, and every procedure that reads or writes data fails during it anyway.
 */
import type { AccountsRepo } from "../repo/accounts.js";
import type { Logger } from "../logger.js";
import type { SessionAuthority } from "./session-authority.js";
import type { SessionClaims, TokenSigner } from "./tokens.js";
import { TurnBatch } from "../repo/turn-batch.js";

const SESSION_VERSION_CACHE_MS = 5_000;
const MAX_CACHED_USERS = 50_000;

type RevocationListener = (userId: string, version: number) => void;
/** A token version: null, no such user; undefined, unknown (the database did not answer). */
type VersionLookup = number | null | undefined;

export class SessionVerifier implements SessionAuthority {
  private readonly versions = new Map<string, { version: number | null; checkedAt: number }>();
  private readonly inFlight = new Map<string, Promise<VersionLookup>>();
  /** Users looked up in one turn share one query. */
  private readonly lookUps = new TurnBatch<string, VersionLookup>((userIds) => this.lookUpBatch(userIds));
  private readonly listeners = new Set<RevocationListener>();

  constructor(
    private readonly tokens: TokenSigner,
    private readonly accounts: AccountsRepo,
    private readonly log: Logger,
    private readonly cacheMs = SESSION_VERSION_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The claims of a valid, unexpired, unrevoked token; null for anything else (never throws). */
  async verify(token: unknown): Promise<SessionClaims | null> {
    const claims = this.tokens.verify(token);
    if (!claims) return null;
    return (await this.isCurrent(claims)) ? claims : null;
  }

  /** Whether the token these claims came from is still current (not expired, not revoked). */
  async isCurrent(claims: SessionClaims): Promise<boolean> {
    if (claims.exp * 1000 <= this.now()) return false;
    const version = await this.versionOf(claims.sub);
    if (version === undefined) return true; // unknown: the database did not answer
    return version !== null && claims.ver === version;
  }

  /** Revokes every token of the user (here at once, elsewhere within `cacheMs`); the new version. */
  async revokeAll(userId: string): Promise<number> {
    const version = await this.accounts.bumpTokenVersion(userId);
    if (version === null) throw new Error(`no user ${userId}`);
    this.versions.set(userId, { version, checkedAt: this.now() });
    for (const listener of this.listeners) listener(userId, version);
    return version;
  }

  /** Told about sign-outs made on this server (apps/server closes the user's sockets). */
  onRevoked(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private versionOf(userId: string): Promise<VersionLookup> {
    const cached = this.versions.get(userId);
    if (cached && this.now() - cached.checkedAt < this.cacheMs) return Promise.resolve(cached.version);
    const running = this.inFlight.get(userId);
    if (running) return running;
    const lookup = this.lookUps.get(userId).finally(() => this.inFlight.delete(userId));
    this.inFlight.set(userId, lookup);
    return lookup;
  }

  private async lookUpBatch(userIds: string[]): Promise<Map<string, VersionLookup>> {
    let found: Map<string, number>;
    try {
      found = await this.accounts.tokenVersions(userIds);
    } catch (error) {
      this.log.warn({ err: error, users: userIds.length }, "could not read token versions; using the last known ones");
      return new Map(userIds.map((userId) => [userId, this.versions.get(userId)?.version]));
    }
    if (this.versions.size + userIds.length > MAX_CACHED_USERS) this.prune();
    const checkedAt = this.now();
    const versions = new Map<string, VersionLookup>();
    for (const userId of userIds) {
      const version = found.get(userId) ?? null;
      this.versions.set(userId, { version, checkedAt });
      versions.set(userId, version);
    }
    return versions;
  }

  private prune(): void {
    const cutoff = this.now() - this.cacheMs;
    for (const [userId, entry] of this.versions) if (entry.checkedAt < cutoff) this.versions.delete(userId);
    if (this.versions.size >= MAX_CACHED_USERS) this.versions.clear();
  }
}
