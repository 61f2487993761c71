/**
 * The Redis flavour of the live store and the bus, for running several servers as one: on one
 * Redis (`REDIS_URL`) or a Redis Cluster (`REDIS_CLUSTER_NODES`). The server calls
 * `createRedisPresence(url or nodes)`; tests may build the parts alone.
 */
import type { ClusterNode } from "ioredis";
import type { PresenceSettings } from "../settings.js";
import { connectRedis, connectRedisCluster, duplicateReady, whenReady, type RedisClient } from "./connect.js";
import { RedisPresenceBus } from "./redis-bus.js";
import { RedisPresenceStore } from "./redis-store.js";

export { connectRedis, connectRedisCluster, type ConnectRedisOptions, type RedisClient } from "./connect.js";
export { RedisPresenceBus, type RedisPresenceBusOptions } from "./redis-bus.js";
export { RedisPresenceStore, type RedisPresenceStoreOptions } from "./redis-store.js";
export { DEFAULT_PREFIX, RedisKeys } from "./keys.js";
export { slotOf } from "./slot.js";

/** The store's TTL and grace (settings.ts; unset: its defaults), and how to reach Redis. */
export interface RedisPresenceOptions extends Partial<PresenceSettings> {
  /** Key and channel prefix. Default `herald`. */
  prefix?: string;
  /** Start-up wait for Redis before failing with a message naming REDIS_URL (or REDIS_CLUSTER_NODES). */
  timeoutMs?: number;
  /** Errors with no caller to throw to (lost connections, bad messages, throwing listeners). */
  onError?: (error: unknown, context: string) => void;
  /** Redis came back after an outage (maybe empty): re-register live connections here. */
  onReconnect?: () => void;
}

export interface RedisPresence {
  store: RedisPresenceStore;
  bus: RedisPresenceBus;
  /** Closes the store and the bus with their connections. */
  close(): Promise<void>;
}

/**
 * Connects (or throws within `timeoutMs`) and builds a store and a bus on separate connections:
 * to the Redis at `target` (a URL), or to the Redis Cluster these seed nodes belong to.
 */
export async function createRedisPresence(
  target: string | readonly ClusterNode[],
  options: RedisPresenceOptions = {},
): Promise<RedisPresence> {
  const onError = options.onError;
  const connectOptions = { timeoutMs: options.timeoutMs, onError: onError && ((error: Error) => onError(error, "store connection")) };
  const storeClient: RedisClient =
    typeof target === "string" ? await connectRedis(target, connectOptions) : await connectRedisCluster(target, connectOptions);
  // The bus publishes on its own connection, so a slow pub/sub fan-out never queues store calls.
  const busClient = await duplicateReady(storeClient).catch(async (error: unknown) => {
    storeClient.disconnect();
    throw error;
  });
  const store = new RedisPresenceStore(storeClient, {
    prefix: options.prefix,
    presenceTtlMs: options.presenceTtlMs,
    offlineGraceMs: options.offlineGraceMs,
  });
  const bus = new RedisPresenceBus(busClient, {
    prefix: options.prefix,
    onError,
    beforeResync: () => whenReady(storeClient),
    onReconnect: options.onReconnect,
  });
  return {
    store,
    bus,
    close: async () => {
      await Promise.all([bus.close(), store.close()]);
    },
  };
}
