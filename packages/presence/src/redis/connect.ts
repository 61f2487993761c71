/**
 * Opening and closing ioredis clients. At start-up a missing Redis is a configuration mistake,
 * so `connectRedis` gives up after a few seconds with a message naming REDIS_URL; once
 * connected, ioredis keeps reconnecting forever (its retryStrategy), because then an outage is
 * something to ride out.
 */
import { redactUrl } from "@herald/protocol";
import { Redis } from "ioredis";

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

export async function connectRedis(url: string, options: ConnectRedisOptions = {}): Promise<Redis> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // During an outage, retry often: once Redis is back, every server re-registers its users
    // and resyncs its subscribers, and that cannot start before the clients reconnect.
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 100),
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
  let lastError: Error | undefined;
  const recordError = (error: Error) => {
    lastError = error;
  };
  redis.on("error", recordError);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        redis.off("ready", onReady);
        reject(
          new Error(
            `Redis at ${redactUrl(url)} (REDIS_URL) did not answer within ${timeoutMs} ms` + (lastError ? `: ${lastError.message}` : ""),
          ),
        );
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
export async function duplicateReady(redis: Redis): Promise<Redis> {
  const copy = redis.duplicate({ lazyConnect: true });
  try {
    await copy.connect();
  } catch (error) {
    copy.disconnect(); // else ioredis would keep retrying in the background
    throw error;
  }
  return copy;
}

/** Resolves when `redis` is ready (now, or on its next reconnect); rejects once it has ended for good. */
export function whenReady(redis: Redis): Promise<void> {
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
export async function closeClient(redis: Redis): Promise<void> {
  if (redis.status === "ready") {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}
