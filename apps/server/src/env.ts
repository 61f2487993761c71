/**
 * The only reader of process.env: configuration (docs/protocol.md §4), validated once at start, and the
 * `ServerConfig` it becomes. Presence timing takes its defaults, bounds and relationships from
 * @herald/presence's settings.ts; the variables keep their documented units.
 */
import {
  MIN_SERVICE_TOKEN_LENGTH,
  parseHostKey,
  type FriendSource,
  type IdentityOptions,
  type PasswordHashingOptions,
} from "@herald/presence";
import {
  PRESENCE_BOUNDS,
  PRESENCE_DEFAULTS,
  presenceSettingsProblems,
  SESSION_TTL_SECONDS,
  STATUS_RATE_LIMIT,
  type PresenceSettings,
} from "@herald/presence/settings";
import { z } from "zod";
import { parseCidr, splitCidrList } from "./client-ip.js";

const flag = z.enum(["on", "off"]).transform((value) => value === "on");

/** The host's identity (AUTH_MODE=jwt): set only with it, and then exactly one source of keys. */
const JWT_ONLY = ["AUTH_JWKS_URL", "AUTH_JWT_KEY", "AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_NAME_CLAIM"] as const;

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    // Prometheus metrics count connections, invisible users' too: operators only, never on PORT.
    METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
    METRICS_HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL" }).optional(),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// URL" }).optional(),
    REDIS_CLUSTER_NODES: z.string().transform(parseClusterNodes).optional(),
    // Braces would break the per-user hash tags that keep a user's keys on one Cluster slot.
    REDIS_PREFIX: z
      .string()
      .max(100)
      .regex(/^[A-Za-z0-9_.:-]+$/, "may hold only letters, digits and _ . : -")
      .optional(),
    DATA_DIR: z.string().min(1).default(".data"),
    AUTH_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    // Whose accounts: Herald's own (builtin), or the host app's JWTs (jwt; the variables below).
    AUTH_MODE: z.enum(["builtin", "jwt"]).default("builtin"),
    AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL (the host's JWKS)" }).optional(),
    AUTH_JWT_KEY: z
      .string()
      .superRefine((text, context) => {
        try {
          parseHostKey(text);
        } catch (error) {
          context.addIssue({ code: "custom", message: (error as Error).message });
        }
      })
      .optional(),
    AUTH_ISSUER: z.string().min(1).optional(),
    AUTH_AUDIENCE: z.string().min(1).optional(),
    AUTH_NAME_CLAIM: z.string().min(1).max(100).optional(),
    // Who makes friendships: users (herald), or the host's backend alone through system.friends.* (host).
    FRIENDS: z.enum(["herald", "host"]).default("herald"),
    // The host backend's credential for system.* over HTTP; unset: system.* is in-process only.
    HERALD_SERVICE_TOKEN: z
      .string()
      .min(MIN_SERVICE_TOKEN_LENGTH, `must be at least ${MIN_SERVICE_TOKEN_LENGTH} characters (e.g. openssl rand -base64 32)`)
      .optional(),
    PRESENCE_TTL_SECONDS: z.coerce
      .number()
      .positive()
      .max(PRESENCE_BOUNDS.presenceTtlMs.max / 1000)
      .default(PRESENCE_DEFAULTS.presenceTtlMs / 1000),
    OFFLINE_GRACE_MS: z.coerce
      .number()
      .int()
      .min(PRESENCE_BOUNDS.offlineGraceMs.min)
      .max(PRESENCE_BOUNDS.offlineGraceMs.max)
      .default(PRESENCE_DEFAULTS.offlineGraceMs),
    RATE_LIMITS: flag.default(true),
    STATUS_RATE_LIMIT: z.coerce.number().int().min(0).default(STATUS_RATE_LIMIT),
    // docs/protocol.md §9.3: a user who hides their last seen sees others' only approximately (as Telegram).
    LAST_SEEN_RECIPROCITY: flag.default(true),
    // Session tokens live this long; live sockets are closed (4401) when theirs expires.
    SESSION_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(365 * 86_400)
      .default(SESSION_TTL_SECONDS),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    WEB_DIST_DIR: z.string().optional(),
    // Proxies whose X-Forwarded-For is believed for per-address limits (see client-ip.ts).
    TRUSTED_PROXIES: z
      .string()
      .transform(splitCidrList)
      .refine((cidrs) => cidrs.every((cidr) => parseCidr(cidr) !== null), {
        error: (issue) => {
          const bad = (issue.input as string[]).find((cidr) => parseCidr(cidr) === null);
          return `must be comma-separated CIDRs such as 10.0.0.0/8,fd00::/8; ${JSON.stringify(bad)} is not one`;
        },
      })
      .optional(),
  })
  // Herald's own tokens need the secret; with the host's tokens Herald signs none.
  .refine((env) => env.NODE_ENV !== "production" || env.AUTH_MODE === "jwt" || env.AUTH_SECRET, {
    path: ["AUTH_SECRET"],
    message: "is required when NODE_ENV=production",
  })
  .refine((env) => !(env.REDIS_URL && env.REDIS_CLUSTER_NODES), {
    path: ["REDIS_CLUSTER_NODES"],
    message: "cannot be set together with REDIS_URL: set REDIS_URL for one Redis, REDIS_CLUSTER_NODES for a Redis Cluster",
  })
  .superRefine((env, context) => {
    for (const problem of identityProblems(env)) context.addIssue({ code: "custom", ...problem });
  })
  .refine((env) => env.METRICS_PORT === 0 || env.METRICS_PORT !== env.PORT, {
    path: ["METRICS_PORT"],
    message: "must differ from PORT: metrics are never served on the public port",
  })
  // How the presence settings relate (settings.ts), once each is valid on its own.
  .superRefine(
    (env, context) => {
      for (const problem of presenceSettingsProblems(presenceSettingsOf(env))) {
        context.addIssue({ code: "custom", path: [PRESENCE_VARIABLES[problem.setting]], message: problem.message });
      }
    },
    { when: (payload) => !payload.issues.some((issue) => Object.values(PRESENCE_VARIABLES).includes(String(issue.path?.[0]))) },
  );

/**
 * `host:port,host:port,…`: seed nodes of a Redis Cluster (any of its nodes; the client finds the
 * rest). IPv6 hosts go in brackets, `[::1]:7000`.
 */
function parseClusterNodes(text: string, context: z.RefinementCtx): Array<{ host: string; port: number }> {
  const entries = text.split(",").map((entry) => entry.trim());
  const nodes: Array<{ host: string; port: number }> = [];
  for (const entry of entries) {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65_535) {
      context.addIssue({
        code: "custom",
        message: `must be a comma-separated list of host:port (such as 10.0.0.1:7000,10.0.0.2:7000); ${JSON.stringify(entry)} is not one`,
      });
      return z.NEVER;
    }
    nodes.push({ host: match[1] ?? match[2]!, port });
  }
  return nodes;
}

/** AUTH_MODE=jwt needs its keys, issuer and audience; AUTH_MODE=builtin takes none of them. */
function identityProblems(env: { AUTH_MODE: "builtin" | "jwt"; [name: string]: unknown }): Array<{ path: [string]; message: string }> {
  if (env.AUTH_MODE === "builtin") {
    return JWT_ONLY.filter((name) => env[name] !== undefined).map((name) => ({
      path: [name],
      message: "is for the host's tokens: set AUTH_MODE=jwt to use it (AUTH_MODE is builtin)",
    }));
  }
  const problems: Array<{ path: [string]; message: string }> = [];
  if (env.AUTH_JWKS_URL === undefined && env.AUTH_JWT_KEY === undefined) {
    problems.push({
      path: ["AUTH_JWKS_URL"],
      message: "or AUTH_JWT_KEY is required when AUTH_MODE=jwt: where the host's signing keys are",
    });
  }
  if (env.AUTH_JWKS_URL !== undefined && env.AUTH_JWT_KEY !== undefined) {
    problems.push({ path: ["AUTH_JWT_KEY"], message: "and AUTH_JWKS_URL are both set: give one source of keys" });
  }
  for (const name of ["AUTH_ISSUER", "AUTH_AUDIENCE"] as const) {
    if (env[name] === undefined) {
      problems.push({
        path: [name],
        message: `is required when AUTH_MODE=jwt: the ${name === "AUTH_ISSUER" ? "iss" : "aud"} every host token must carry`,
      });
    }
  }
  return problems;
}

const PRESENCE_VARIABLES: Record<keyof PresenceSettings, string> = {
  presenceTtlMs: "PRESENCE_TTL_SECONDS",
  offlineGraceMs: "OFFLINE_GRACE_MS",
};

/** The one place where the TTL's documented unit (seconds) becomes the code's (ms). */
function presenceSettingsOf(env: Pick<Env, "PRESENCE_TTL_SECONDS" | "OFFLINE_GRACE_MS">): PresenceSettings {
  return { presenceTtlMs: Math.round(env.PRESENCE_TTL_SECONDS * 1000), offlineGraceMs: env.OFFLINE_GRACE_MS };
}

export type Env = z.output<typeof schema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Blank variables count as unset, so `DATABASE_URL=` falls back to the embedded database. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  return result.data;
}

/**
 * What Herald needs wherever it runs: its backends, identity and rules. `attachHerald` takes this
 * (a host's own HTTP server provides the rest); the process takes a `ServerConfig`.
 */
export interface HeraldConfig {
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  /** Seed nodes of a Redis Cluster (`REDIS_CLUSTER_NODES`): the store and bus run there instead of on `redisUrl`. */
  redisClusterNodes?: Array<{ host: string; port: number }> | undefined;
  /** Where the embedded database and generated secret live; null: PGlite in memory (tests). */
  dataDir: string | null;
  authSecret?: string | undefined;
  /** A connection not heard from for this long is dead; unset: settings.ts's default (60 s). */
  presenceTtlMs?: number | undefined;
  /** How long a user whose last connection ended still looks online; unset: settings.ts's default (5 s). */
  offlineGraceMs?: number | undefined;
  rateLimits: boolean;
  statusRateLimit: number;
  /** `LAST_SEEN_RECIPROCITY` (§9.3); unset: on. */
  lastSeenReciprocity?: boolean | undefined;
  /** How long session tokens live (`SESSION_TTL_SECONDS`, default 30 days). */
  sessionTtlSeconds?: number | undefined;
  /** Live WebSocket connections per user on one server (default 20; `rateLimits: false` lifts it). */
  maxConnectionsPerUser?: number | undefined;
  /** Concurrent `presence.onChange` subscriptions per socket (default 4; stays on with `rateLimits: false`). */
  maxSubscriptionsPerSocket?: number | undefined;
  /** Unsent bytes after which a socket that stopped reading is dropped (default 1 MiB). */
  maxBufferedBytes?: number | undefined;
  logLevel: string;
  /** CIDRs of proxies whose X-Forwarded-For is believed (`TRUSTED_PROXIES`); unset: none. */
  trustedProxies?: string[] | undefined;
  /** scrypt cost and hashing concurrency; unset: OWASP's N=2^17, r=8, p=1 (tests choose cheaper). */
  passwordHashing?: PasswordHashingOptions | undefined;
  /** Key and channel prefix in Redis (`REDIS_PREFIX`, default `herald`): deployments or tests sharing one Redis stay apart. */
  redisPrefix?: string | undefined;
  /** Whose accounts (`AUTH_MODE` and the `AUTH_*` of the host's tokens); unset: Herald's own. */
  identity?: IdentityOptions | undefined;
  /** Who makes friendships (`FRIENDS`); unset: users, through `friends.*`. */
  friendSource?: FriendSource | undefined;
  /** `HERALD_SERVICE_TOKEN`: the host backend's credential for `system.*` over HTTP; unset: in-process only. */
  serviceToken?: string | undefined;
}

/** What a Herald server process needs to start: the env, or anything a test passes directly. */
export interface ServerConfig extends HeraldConfig {
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
  /** The built web app; unset: apps/web/dist next to this package. */
  webDistDir?: string | undefined;
}

export function configFromEnv(env: Env): ServerConfig {
  return {
    port: env.PORT,
    host: env.HOST,
    metricsPort: env.METRICS_PORT,
    metricsHost: env.METRICS_HOST,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisClusterNodes: env.REDIS_CLUSTER_NODES,
    redisPrefix: env.REDIS_PREFIX,
    dataDir: env.DATA_DIR,
    authSecret: env.AUTH_SECRET,
    ...presenceSettingsOf(env),
    rateLimits: env.RATE_LIMITS,
    statusRateLimit: env.STATUS_RATE_LIMIT,
    lastSeenReciprocity: env.LAST_SEEN_RECIPROCITY,
    sessionTtlSeconds: env.SESSION_TTL_SECONDS,
    logLevel: env.LOG_LEVEL,
    webDistDir: env.WEB_DIST_DIR,
    trustedProxies: env.TRUSTED_PROXIES,
    identity: identityOf(env),
    friendSource: env.FRIENDS,
    serviceToken: env.HERALD_SERVICE_TOKEN,
  };
}

function identityOf(env: Env): IdentityOptions {
  if (env.AUTH_MODE === "builtin") return { mode: "builtin" };
  return {
    mode: "jwt",
    jwksUrl: env.AUTH_JWKS_URL,
    key: env.AUTH_JWT_KEY,
    // Present: identityProblems refuses jwt mode without them.
    issuer: env.AUTH_ISSUER!,
    audience: env.AUTH_AUDIENCE!,
    nameClaim: env.AUTH_NAME_CLAIM,
  };
}
