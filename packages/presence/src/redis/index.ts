/**
 * The Redis flavour of the live store and the bus, for running several servers as one
 * (`REDIS_URL`). The server calls `createRedisPresence(url)`; tests may build the parts alone.
 */
import type { PresenceSettings } from "../settings.js";
import { connectRedis, duplicateReady, whenReady } from "./connect.js";
import { RedisPresenceBus } from "./redis-bus.js";
import { RedisPresenceStore } from "./redis-store.js";

export { connectRedis, type ConnectRedisOptions } from "./connect.js";
export { RedisPresenceBus, type RedisPresenceBusOptions } from "./redis-bus.js";
export { RedisPresenceStore, type RedisPresenceStoreOptions } from "./redis-store.js";
export { DEFAULT_PREFIX } from "./keys.js";

/** The store's TTL and grace (settings.ts; unset: its defaults), and how to reach Redis. */
export interface RedisPresenceOptions extends Partial<PresenceSettings> {
  /** Key and channel prefix. Default `herald`. */
  prefix?: string;
  /** Start-up wait for Redis before failing with a message naming REDIS_URL. */
  timeoutMs?: number;
  /** Errors with no caller to throw to (lost connections, bad messages, throwing listeners). */
  onError?: (error: unknown, context: string) => void;
  /** Redis came back after an outage (maybe empty): re-register live connections here. */
  onReconnect?: () => void;
}

export interface RedisPresence {
  store: RedisPresenceStore;
  bus: RedisPresenceBus;
  /** Closes the store and the bus with their three connections. */
  close(): Promise<void>;
}

/** Connects (or throws within `timeoutMs`) and builds a store and a bus on separate connections. */
export async function createRedisPresence(url: string, options: RedisPresenceOptions = {}): Promise<RedisPresence> {
  const onError = options.onError;
  const storeClient = await connectRedis(url, {
    timeoutMs: options.timeoutMs,
    onError: onError && ((error) => onError(error, "store connection")),
  });
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
