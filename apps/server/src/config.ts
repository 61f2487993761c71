import { presenceSettingsOf, type Env } from "./env.js";

/** What a Herald server needs to start: the env, or anything a test passes directly. */
export interface ServerConfig {
  port: number;
  host: string;
  /**
   * Where `GET /metrics` is served: its own HTTP server, never `port` (metrics count every
   * connection, invisible users' too). Unset: an ephemeral port (tests, benchmarks); the process
   * takes `METRICS_PORT` (default 9464).
   */
  metricsPort?: number | undefined;
  /** Bind address of the metrics server (`METRICS_HOST`); unset: 127.0.0.1. */
  metricsHost?: string | undefined;
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  /** Where the embedded database and generated secret live; null: PGlite in memory (tests). */
  dataDir: string | null;
  authSecret?: string | undefined;
  /** A connection not heard from for this long is dead; unset: settings.ts's default (60 s). */
  presenceTtlMs?: number | undefined;
  /** How long a user whose last connection ended still looks online; unset: settings.ts's default (5 s). */
  offlineGraceMs?: number | undefined;
  rateLimits: boolean;
  statusRateLimit: number;
  /** How long session tokens live (`SESSION_TTL_SECONDS`, default 30 days). */
  sessionTtlSeconds?: number | undefined;
  /** Live WebSocket connections per user on one server (default 20; `rateLimits: false` lifts it). */
  maxConnectionsPerUser?: number | undefined;
  /** Concurrent `presence.onChange` subscriptions per socket (default 4; stays on with `rateLimits: false`). */
  maxSubscriptionsPerSocket?: number | undefined;
  /** Unsent bytes after which a socket that stopped reading is dropped (default 1 MiB). */
  maxBufferedBytes?: number | undefined;
  logLevel: string;
  /** The built web app; unset: apps/web/dist next to this package. */
  webDistDir?: string | undefined;
  /** CIDRs of proxies whose X-Forwarded-For is believed (`TRUSTED_PROXIES`); unset: none. */
  trustedProxies?: string[] | undefined;
  /** scrypt cost and hashing concurrency; unset: OWASP's N=2^17, r=8, p=1 (tests choose cheaper). */
  passwordHashing?: import("@herald/presence").PasswordHashingOptions | undefined;
  /** Key and channel prefix in Redis (`REDIS_PREFIX`, default `herald`): deployments or tests sharing one Redis stay apart. */
  redisPrefix?: string | undefined;
}

export function configFromEnv(env: Env): ServerConfig {
  return {
    port: env.PORT,
    host: env.HOST,
    metricsPort: env.METRICS_PORT,
    metricsHost: env.METRICS_HOST,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    dataDir: env.DATA_DIR,
    authSecret: env.AUTH_SECRET,
    ...presenceSettingsOf(env),
    rateLimits: env.RATE_LIMITS,
    statusRateLimit: env.STATUS_RATE_LIMIT,
    sessionTtlSeconds: env.SESSION_TTL_SECONDS,
    logLevel: env.LOG_LEVEL,
    webDistDir: env.WEB_DIST_DIR,
    trustedProxies: env.TRUSTED_PROXIES,
  };
}
