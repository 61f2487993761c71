/**
 * Opening and closing ioredis clients, for one Redis (`REDIS_URL`) or a Redis Cluster
 * (`REDIS_CLUSTER_NODES`). At start-up a missing Redis is a configuration mistake, so both give
 * up after a few seconds with a message naming the variable; once connected, ioredis keeps
 * reconnecting forever (its retry strategies), because then an outage is something to ride out.
 */
import { redactUrl } from "@herald/protocol";
import { Cluster, Redis, type ClusterNode, type RedisOptions } from "ioredis";

/** What the store and the bus run on: one Redis, or a cluster client that routes by slot. */
export type RedisClient = Redis | Cluster;

export interface ConnectRedisOptions {
  /** How long start-up waits for Redis to answer. */
  timeoutMs?: number;
  /** Connection errors during operation (reconnects are automatic). Default: ioredis logs them. */
  onError?: (error: Error) => void;
}

/** The longest pause between reconnect attempts while Redis is away. */
const MAX_RECONNECT_DELAY_MS = 1_000;
/** How long a command may wait for any reply before its connection counts as dead. */
const SOCKET_TIMEOUT_MS = 5_000;

/** During an outage, retry often: once Redis is back, every server re-registers its users and resyncs its subscribers. */
const reconnectDelay = (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 100);

export async function connectRedis(url: string, options: ConnectRedisOptions = {}): Promise<Redis> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: reconnectDelay,
    // A command caught by a dropped connection fails at once (the caller answers "unavailable")
    // instead of waiting through reconnect attempts and maybe running twice.
    maxRetriesPerRequest: 0,
    // A Redis that hangs (or a network that drops packets) would otherwise hold calls forever:
    // no reply within this long means the connection is dead, and it is rebuilt like any other.
    socketTimeout: SOCKET_TIMEOUT_MS,
    // Commands issued in the same tick (many users' changes at once) leave in one write and
    // come back in one read: fewer syscalls per change, which is most of a command's cost here.
    enableAutoPipelining: true,
    // ioredis keeps one auto-pipeline in flight per connection, and the commands behind a stuck
    // one would otherwise wait for the reconnect in the offline queue, i.e. for a second socket
    // timeout. Without the queue they fail as soon as the stuck connection is dropped. (Nothing
    // here sends before the connection is ready: connectRedis waits for it.)
    enableOfflineQueue: false,
  });
  return awaitReady(redis, timeoutMs, options, () => `Redis at ${redactUrl(url)} (REDIS_URL)`);
}

/** How often the cluster client re-reads the slot map on its own (it also does on MOVED and lost nodes). */
const SLOTS_REFRESH_INTERVAL_MS = 2_000;

/**
 * A cluster client on these seed nodes (any subset of the cluster: it discovers the rest).
 * Commands go to the master that owns their key's slot; after a failover a command fails over
 * to the promoted replica once the slot map says so (MOVED, or the periodic refresh).
 */
export async function connectRedisCluster(nodes: readonly ClusterNode[], options: ConnectRedisOptions = {}): Promise<Cluster> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  // The reply mapping named, not inferred: inferred from RedisOptions it is "legacy" | "resp3",
  // and relating that Cluster to the one everywhere else costs TypeScript (and lint) ~1.3 s.
  const cluster = new Cluster<"legacy">([...nodes], {
    lazyConnect: true,
    clusterRetryStrategy: reconnectDelay,
    slotsRefreshInterval: SLOTS_REFRESH_INTERVAL_MS,
    enableAutoPipelining: true,
    // As for one Redis: while the cluster as a whole is down, calls fail at once ("unavailable").
    enableOfflineQueue: false,
    redisOptions: clusterNodeOptions(timeoutMs),
  });
  const described = () => `Redis Cluster at ${nodes.map(nodeName).join(",")} (REDIS_CLUSTER_NODES)`;
  return awaitReady(cluster, timeoutMs, options, described);
}

function nodeName(node: ClusterNode): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  return `${node.host ?? "127.0.0.1"}:${node.port ?? 6379}`;
}

/**
 * Settings of each connection the cluster client opens to a node. Node connections are opened
 * lazily, on a slot's first command, so they keep their offline queue (the command waits for the
 * connect); a node that dies is dropped and its slots' commands retried elsewhere by the cluster.
 */
function clusterNodeOptions(timeoutMs: number): RedisOptions & { replyMapping?: "legacy" } {
  return { connectTimeout: timeoutMs, socketTimeout: SOCKET_TIMEOUT_MS, maxRetriesPerRequest: 0 };
}

async function awaitReady<T extends RedisClient>(
  redis: T,
  timeoutMs: number,
  options: ConnectRedisOptions,
  described: () => string,
): Promise<T> {
  let lastError: Error | undefined;
  const recordError = (error: Error) => {
    lastError = error;
  };
  redis.on("error", recordError);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        redis.off("ready", onReady);
        reject(new Error(`${described()} did not answer within ${timeoutMs} ms` + (lastError ? `: ${lastError.message}` : "")));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      redis.once("ready", onReady);
      // The first attempt may fail (Redis still starting); ioredis retries until the timer.
      redis.connect().catch(() => {});
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  } finally {
    redis.off("error", recordError);
  }
  if (options.onError) redis.on("error", options.onError);
  return redis;
}

/** A second connection with the same settings, connected (its error listeners are the caller's job). */
export async function duplicateReady(redis: RedisClient): Promise<RedisClient> {
  // No `as` or annotation here: see NodeSubscriber's constructor.
  const copy = redis instanceof Cluster ? redis.duplicate(undefined, { lazyConnect: true }) : redis.duplicate({ lazyConnect: true });
  try {
    await copy.connect();
  } catch (error) {
    copy.disconnect(); // else ioredis would keep retrying in the background
    throw error;
  }
  return copy;
}

/** Resolves when `redis` is ready (now, or on its next reconnect); rejects once it has ended for good. */
export function whenReady(redis: RedisClient): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  if (redis.status === "end") return Promise.reject(new Error("the Redis connection was closed"));
  return new Promise((resolve, reject) => {
    const onReady = () => {
      redis.off("end", onEnd);
      resolve();
    };
    const onEnd = () => {
      redis.off("ready", onReady);
      reject(new Error("the Redis connection was closed"));
    };
    redis.once("ready", onReady);
    redis.once("end", onEnd);
  });
}

/** QUIT politely; a client that is not connected is just disconnected (no reconnecting). */
export async function closeClient(redis: RedisClient): Promise<void> {
  if (redis.status === "ready") {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}
