/**
 * Everything the router needs, wired once per server: database, store, bus, rules, limits. The
 * composition root: every object that lives as long as the server (repositories, the service,
 * the connection registry, the live feeds and their friend-list cache) is built here and closed
 * by `close()`. `apps/server` builds one from its config; tests build one directly.
 */
import type { Database } from "@herald/db";
import { HostTokenVerifier, type HostTokenOptions } from "./auth/host-tokens.js";
import { PasswordHasher, type PasswordHashingOptions } from "./auth/password.js";
import { AbuseLimits } from "./auth/rate-limiter.js";
import { ServiceToken } from "./auth/service-token.js";
import type { SessionAuthority } from "./auth/session-authority.js";
import { SessionVerifier } from "./auth/sessions.js";
import { TokenSigner } from "./auth/tokens.js";
import type { PresenceBus } from "./bus/types.js";
import type { FeedObserver } from "./feed/events.js";
import { PresenceFeeds } from "./feed/feeds.js";
import { SubscriptionLimits } from "./feed/subscription-limits.js";
import { silentLogger, type Logger } from "./logger.js";
import { AccountsRepo } from "./repo/accounts.js";
import { FriendshipsRepo } from "./repo/friendships.js";
import { LiveVouchesRepo } from "./repo/live-vouches.js";
import type { UserIdKind } from "./identity/user-ids.js";
import { ChoiceEnds } from "./service/choice-ends.js";
import { CrashVouches } from "./service/crash-vouches.js";
import { ConnectionRegistry } from "./service/connections.js";
import { HostFriendGraph } from "./service/host-friend-graph.js";
import { PresenceService, type ChangeObserver } from "./service/presence-service.js";
import { resolvePresenceSettings, SESSION_TTL_SECONDS, STATUS_RATE_LIMIT, type PresenceTiming } from "./settings.js";
import type { PresenceStore } from "./store/types.js";

/** Whose accounts: Herald's own (AUTH_MODE=builtin, the default), or the host app's JWTs. */
export type IdentityOptions = { mode: "builtin" } | ({ mode: "jwt" } & HostTokenOptions);

/** Who makes friendships: users, through `friends.*` (the default), or the host alone, through `system.friends.*` (FRIENDS=host). */
export type FriendSource = "herald" | "host";

export interface HeraldAppOptions {
  db: Database;
  /** Built with the presence TTL and offline grace (settings.ts); the app's timers follow it. */
  store: PresenceStore;
  bus: PresenceBus;
  /** Signs Herald's own session tokens (unused with `identity.mode` jwt, where the host signs). */
  authSecret: string;
  identity?: IdentityOptions | undefined;
  friendSource?: FriendSource | undefined;
  /** HERALD_SERVICE_TOKEN: the host backend's credential for `system.*` over HTTP; unset: in-process only. */
  serviceToken?: string | undefined;
  rateLimits?: boolean;
  statusRateLimit?: number;
  /** LAST_SEEN_RECIPROCITY (§9.3, default on): a user who hides their last seen sees others' only approximately. */
  lastSeenReciprocity?: boolean | undefined;
  /** live connections per user (default 20; `rateLimits: false` lifts it) */
  maxConnectionsPerUser?: number;
  /** concurrent `presence.onChange` subscriptions per socket (default 4; on even with `rateLimits: false`) */
  maxSubscriptionsPerSocket?: number;
  /** how long a session token lives (default 30 days) */
  sessionTtlSeconds?: number;
  /** scrypt cost and hashing concurrency (default: OWASP's N=2^17, r=8, p=1; 2 at once, 8 queued) */
  passwordHashing?: PasswordHashingOptions | undefined;
  log?: Logger;
  /** Metrics' hooks: every event handed to a subscriber, and (if it has the hook) every durable change published. */
  observer?: FeedObserver & Partial<ChangeObserver>;
  /**
   * No other process writes this database (embedded PGlite, which one process opens): what this
   * server caches of it, token versions included, never goes stale, as every change is its own.
   */
  soleDatabaseWriter?: boolean;
}

export interface HeraldApp {
  /** Users, password hashes, token versions: all of their SQL. */
  accounts: AccountsRepo;
  /** Friendships and requests: all of their SQL. */
  friendships: FriendshipsRepo;
  service: PresenceService;
  /** The live feeds of `presence.onChange` on this server. */
  feeds: PresenceFeeds;
  connections: ConnectionRegistry;
  tokens: TokenSigner;
  /**
   * Whose accounts these are: `builtin`, Herald's own (ids are UUIDs, `auth.*` signs tokens), or
   * `jwt`, the host's (ids are the host's, the host signs tokens).
   */
  identity: IdentityOptions["mode"];
  /** The kind of id that names a user here (follows `identity`). */
  userIds: UserIdKind;
  friendSource: FriendSource;
  /**
   * Verifies callers' tokens: Herald's sessions (with revocation, `auth.signOut`) or the host's
   * JWTs. Use it, not `tokens.verify`, for callers.
   */
  sessions: SessionAuthority;
  /** The credential of `system.*` over HTTP. */
  serviceToken: ServiceToken;
  /** The host's friend graph (`system.friends.*`). */
  hostGraph: HostFriendGraph;
  limits: AbuseLimits;
  /** Subscriptions per socket: a cap that is always on, and a subscribe rate that `rateLimits: false` lifts. */
  subscriptionLimits: SubscriptionLimits;
  /** Hashes and checks passwords, a bounded number at a time. */
  passwords: PasswordHasher;
  /** The store's TTL and grace, checked, with the sweep and keep-alive intervals that follow. */
  settings: PresenceTiming;
  /** LAST_SEEN_RECIPROCITY (§9.3): every view made here applies it. */
  lastSeenReciprocity: boolean;
  log: Logger;
  /** Bus listeners held right now (feeds' channels and resync listeners): for metrics and leak checks. */
  busListenerCount(): number;
  /**
   * Stops timers and ends local connections. `settleGraces` records last-seen now for users
   * whose grace is running here; leave it off when another server can settle them instead.
   * `handOverConnections` (a shared store only) leaves the connections registered until their
   * TTL instead of ending them, so clients that reconnect elsewhere never look offline (see
   * `ConnectionRegistry.closeAll`).
   */
  close(options: { settleGraces: boolean; handOverConnections?: boolean }): Promise<void>;
}

export function createHeraldApp(options: HeraldAppOptions): HeraldApp {
  const log = options.log ?? silentLogger;
  // From the store, so that its expiries and the timers here cannot disagree.
  const settings = resolvePresenceSettings(options.store.settings);
  const tokens = new TokenSigner(options.authSecret, options.sessionTtlSeconds ?? SESSION_TTL_SECONDS);
  const accounts = new AccountsRepo(options.db);
  const friendships = new FriendshipsRepo(options.db);
  const identity = options.identity ?? { mode: "builtin" };
  // Before anything with a timer: a misconfigured key or service token throws here, leaving nothing to close.
  const serviceToken = new ServiceToken(options.serviceToken);
  const sessions: SessionAuthority =
    identity.mode === "jwt"
      ? new HostTokenVerifier(identity, accounts, log)
      : new SessionVerifier(tokens, accounts, log, options.soleDatabaseWriter ? Infinity : undefined);
  const service = new PresenceService({ db: options.db, store: options.store, bus: options.bus, log, observer: options.observer });
  const connections = new ConnectionRegistry(service, settings, log);
  const lastSeenReciprocity = options.lastSeenReciprocity ?? true;
  const choiceEnds = new ChoiceEnds(service, log);
  const crashVouches = options.store.diesWithProcess
    ? new CrashVouches(new LiveVouchesRepo(options.db), connections, service, {
        intervalMs: settings.sweepIntervalMs,
        goneAfterMs: options.soleDatabaseWriter ? 0 : settings.presenceTtlMs,
        log,
      })
    : null;
  const feeds = new PresenceFeeds({
    bus: options.bus,
    readFriendIds: (userId) => friendships.friendIdsOf(userId),
    loadStates: (userIds) => service.loadStates(userIds),
    readRequests: (userId) => friendships.pendingOf(userId),
    lastSeenReciprocity,
    fading: (state) => service.watchFades(state),
    log,
    observer: options.observer,
  });
  return {
    accounts,
    friendships,
    service,
    feeds,
    connections,
    tokens,
    identity: identity.mode,
    userIds: identity.mode === "jwt" ? "host" : "uuid",
    friendSource: options.friendSource ?? "herald",
    sessions,
    serviceToken,
    hostGraph: new HostFriendGraph(friendships, service),
    limits: new AbuseLimits({
      enabled: options.rateLimits ?? true,
      statusChangesPer10s: options.statusRateLimit ?? STATUS_RATE_LIMIT,
      connectionsPerUser: options.maxConnectionsPerUser,
    }),
    subscriptionLimits: new SubscriptionLimits({
      maxPerSocket: options.maxSubscriptionsPerSocket,
      subscribesPerWindow: options.rateLimits === false ? 0 : undefined,
    }),
    // With limits off (benchmarks) hashes still run a few at a time, but queue instead of being refused.
    passwords: new PasswordHasher(options.passwordHashing, { bounded: options.rateLimits ?? true }),
    settings,
    lastSeenReciprocity,
    log,
    busListenerCount: () => options.bus.listenerCount(),
    async close({ settleGraces, handOverConnections = false }) {
      choiceEnds.close();
      connections.stop();
      await connections.closeAll({ handOver: handOverConnections });
      feeds.close();
      if (settleGraces) await service.settleAllGraces();
      await crashVouches?.close({ withdraw: !handOverConnections });
      await service.close();
    },
  };
}
