/**
 * Several real Herald server processes on one PostgreSQL and one Redis (or a Redis Cluster), for
 * the multi-server suites: each is `node --import tsx src/main.ts` configured by environment
 * alone, exactly as an operator would run it. Every child is killed after the suite, whatever
 * happened, and the scratch database and the run's Redis keys are dropped.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createScratchDatabase } from "@herald/db/testing";
import { connectRedis } from "@herald/presence/redis";
import { afterAll, afterEach, beforeAll } from "vitest";
import { TEST_AUTH_SECRET } from "../../src/testing/index.js";
import { deleteKeysWithPrefix, RedisCluster } from "@herald/presence/testing";
export { RedisCluster, RedisServer, freePort } from "@herald/presence/testing";

const SERVER_DIR = fileURLToPath(new URL("../..", import.meta.url));
const START_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_TAIL_CHARS = 3_000;

export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Children still running in this worker: killed on exit even if an afterAll never ran. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** What a test needs of a server: where it is, and a way to kill it. */
export interface ServerProcess {
  name: string;
  url: string;
  wsUrl: string;
  /** Everything it printed (stdout and stderr), for failure reports. */
  output(): string;
  /** SIGKILL: no goodbye to anyone, like a crashed machine. Resolves when it is gone. */
  crash(): Promise<void>;
  /** SIGTERM, then SIGKILL if it lingers. */
  stop(): Promise<void>;
  alive(): boolean;
  /** SIGSTOP: the process stops running (a paused VM, a debugger) until `thaw`; its sockets stay open. */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
  /** GET /healthz status code, or null when nothing answers. */
  health(): Promise<number | null>;
}

/** Starts one server process and resolves once it prints `listening on http://…`. */
export async function startServerProcess(name: string, env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--conditions=@herald/source", "--import", "tsx", "src/main.ts"], {
    cwd: SERVER_DIR,
    env: { ...baseEnv(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const exited = once(child, "exit").then(() => void running.delete(child));
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} did not start within ${START_TIMEOUT_MS} ms:\n${output.slice(-LOG_TAIL_CHARS)}`));
    }, START_TIMEOUT_MS);
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      resolve(match[1]!);
    };
    child.stdout.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before listening:\n${output.slice(-LOG_TAIL_CHARS)}`));
    });
  });

  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    url,
    wsUrl: `${url.replace(/^http/, "ws")}/trpc`,
    output: () => output,
    alive,
    freeze: () => void child.kill("SIGSTOP"),
    thaw: () => void child.kill("SIGCONT"),
    async crash() {
      if (!alive()) return;
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (!alive()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
    async health() {
      try {
        const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) });
        return response.status;
      } catch {
        return null;
      }
    },
  };
}

/** The parent's environment minus anything that would configure a server behind our back. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (
      /^(PORT|HOST|METRICS_PORT|METRICS_HOST|DATABASE_URL|REDIS_URL|REDIS_CLUSTER_NODES|REDIS_PREFIX|DATA_DIR|AUTH_SECRET|PRESENCE_TTL_SECONDS|OFFLINE_GRACE_MS|RATE_LIMITS|STATUS_RATE_LIMIT|LAST_SEEN_RECIPROCITY|LOG_LEVEL|WEB_DIST_DIR|AUTH_[A-Z_]+|FRIENDS|HERALD_SERVICE_TOKEN)$/.test(
        key,
      )
    ) {
      delete env[key];
    }
  }
  // Every server gets its own ephemeral metrics port: several run at once on this machine.
  return { ...env, METRICS_PORT: "0" };
}

export interface ClusterOptions {
  /** How many servers (default 3). */
  count?: number;
  /** Default: the shared Redis, with a key prefix of this run's own. */
  redisUrl?: string;
  /** `REDIS_CLUSTER_NODES` of a Redis Cluster to run on instead (the caller owns the cluster). */
  redisClusterNodes?: string;
  /** Unset: the servers' default. */
  presenceTtlMs?: number;
  offlineGraceMs?: number;
}

export interface Cluster {
  servers: ServerProcess[];
  databaseUrl: string;
  redisPrefix: string;
  /** Starts one more server on the same database and Redis (`env` overrides, e.g. its own `REDIS_URL`). */
  add(name: string, env?: Record<string, string>): Promise<ServerProcess>;
  stop(): Promise<void>;
}

/**
 * What every test server process runs with: port 0 on loopback, the tests' secret, no abuse
 * limits, a short offline grace (default 300 ms) and the TTL asked for (default: the server's).
 * Backends are the caller's to add (none: embedded PGlite in `DATA_DIR`, memory store).
 */
export function testServerEnv(options: Pick<ClusterOptions, "presenceTtlMs" | "offlineGraceMs"> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PORT: "0",
    HOST: "127.0.0.1",
    AUTH_SECRET: TEST_AUTH_SECRET,
    RATE_LIMITS: "off",
    STATUS_RATE_LIMIT: "0",
    OFFLINE_GRACE_MS: String(options.offlineGraceMs ?? 300),
    LOG_LEVEL: "warn",
  };
  if (options.presenceTtlMs !== undefined) env.PRESENCE_TTL_SECONDS = String(options.presenceTtlMs / 1000);
  return env;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL);
  const redisUrl = options.redisClusterNodes ? undefined : (options.redisUrl ?? SHARED_REDIS_URL);
  const redisPrefix = `herald-ms-${randomUUID()}`;
  const env: Record<string, string> = {
    ...testServerEnv(options),
    DATABASE_URL: scratch.url,
    ...(redisUrl ? { REDIS_URL: redisUrl } : { REDIS_CLUSTER_NODES: options.redisClusterNodes! }),
    REDIS_PREFIX: redisPrefix,
  };
  const servers: ServerProcess[] = [];
  const cluster: Cluster = {
    servers,
    databaseUrl: scratch.url,
    redisPrefix,
    async add(name, overrides = {}) {
      const server = await startServerProcess(name, { ...env, ...overrides });
      servers.push(server);
      return server;
    },
    async stop() {
      await Promise.allSettled(servers.map((s) => s.stop()));
      await scratch.drop().catch(() => {});
      if (redisUrl) await deleteRedisKeys(redisUrl, redisPrefix).catch(() => {});
    },
  };
  try {
    const count = options.count ?? 3;
    // The first one migrates the empty database; migrations are not safe to run concurrently.
    await cluster.add("server-0");
    await Promise.all(Array.from({ length: count - 1 }, (_, i) => cluster.add(`server-${i + 1}`)));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** Where the servers keep live presence: the multi-server suites run on each. */
export interface RedisTopology {
  name: string;
  /** Brings it up for one suite; `stop` takes it down after. */
  start(): Promise<{ options: Pick<ClusterOptions, "redisUrl" | "redisClusterNodes">; stop(): Promise<void> }>;
}

export const SHARED_REDIS: RedisTopology = {
  name: "one Redis",
  start: async () => ({ options: { redisUrl: SHARED_REDIS_URL }, stop: async () => {} }),
};

/** A 3-master Redis Cluster of the suite's own (sharded pub/sub; keys spread over the masters). */
export const REDIS_CLUSTER: RedisTopology = {
  name: "Redis Cluster, 3 masters",
  start: async () => {
    const redis = await RedisCluster.start({ masters: 3 });
    return { options: { redisClusterNodes: redis.nodesVariable }, stop: () => redis.stop() };
  },
};

export const REDIS_TOPOLOGIES: readonly RedisTopology[] = [SHARED_REDIS, REDIS_CLUSTER];

/** A cluster for the whole file (or describe block): started before its first test, stopped after the last. */
export function useCluster(options: ClusterOptions = {}, redis: RedisTopology = SHARED_REDIS): { current: Cluster } {
  const holder = {} as { current: Cluster };
  let stopRedis = async () => {};
  beforeAll(async () => {
    const started = await redis.start();
    stopRedis = started.stop;
    holder.current = await startCluster({ ...options, ...started.options });
  });
  afterAll(async () => {
    await holder.current?.stop();
    await stopRedis();
  });
  return holder;
}

/** On failure, prints what every server said: a cross-process failure is unreadable without it. */
export function reportServerLogsOnFailure(cluster: { current: Cluster }): void {
  afterEach(({ task }) => {
    if (task.result?.state !== "fail") return;
    for (const server of cluster.current?.servers ?? []) {
      console.error(`--- ${server.name} (${server.url}) ---\n${server.output().slice(-LOG_TAIL_CHARS)}`);
    }
  });
}

export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = await connectRedis(url, { timeoutMs: 2_000 });
  try {
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Polls `check` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
