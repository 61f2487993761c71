/** Opens the database and the live store + bus that the config asks for. */
import { openDatabase, type DatabaseHandle } from "@herald/db";
import {
  MemoryPresenceBus,
  MemoryPresenceStore,
  resolvePresenceSettings,
  type PresenceBus,
  type PresenceSettings,
  type PresenceStore,
} from "@herald/presence";
import { join } from "node:path";
import type { Logger } from "pino";
import type { HeraldConfig } from "./env.js";

export interface Backends {
  database: DatabaseHandle;
  store: PresenceStore;
  bus: PresenceBus;
  /** Pub/sub messages received so far, by the Redis (`host:port`) that delivered them; empty in-process. */
  messagesReceived(): ReadonlyMap<string, number>;
  /**
   * Sets what to do when the live store comes back from an outage (Redis only; it may have
   * come back empty). Set once, after the app that owns the connections exists.
   */
  onStoreReconnect(handler: () => void): void;
  close(): Promise<void>;
}

export async function openBackends(config: HeraldConfig, log: Logger): Promise<Backends> {
  // Checked before anything opens; the store is built with them, and the app takes them from it.
  const { presenceTtlMs, offlineGraceMs } = resolvePresenceSettings(config);
  const database = config.databaseUrl
    ? await openDatabase({ databaseUrl: config.databaseUrl })
    : await openDatabase({ dataDir: config.dataDir ? join(config.dataDir, "pglite") : null });
  try {
    const live = await openLive(config, { presenceTtlMs, offlineGraceMs }, log);
    return {
      database,
      ...live,
      async close() {
        await live.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

type Live = Pick<Backends, "store" | "bus" | "messagesReceived" | "onStoreReconnect" | "close">;

async function openLive(config: HeraldConfig, settings: PresenceSettings, log: Logger): Promise<Live> {
  const redisTarget = config.redisClusterNodes ?? config.redisUrl;
  if (!redisTarget) {
    const store = new MemoryPresenceStore(settings);
    const bus = new MemoryPresenceBus();
    return {
      store,
      bus,
      messagesReceived: () => new Map(),
      onStoreReconnect: () => {}, // in-process: never away
      close: async () => void (await Promise.all([store.close(), bus.close()])),
    };
  }
  const { createRedisPresence } = await import("@herald/presence/redis");
  let reconnected = () => {};
  const presence = await createRedisPresence(redisTarget, {
    prefix: config.redisPrefix ?? "herald",
    ...settings,
    onError: (error, context) => log.warn({ err: error, context }, "redis trouble"),
    onReconnect: () => {
      log.info("redis is back; re-registering live connections and resyncing subscribers");
      reconnected();
    },
  });
  return {
    store: presence.store,
    bus: presence.bus,
    messagesReceived: () => presence.bus.messagesReceived(),
    onStoreReconnect: (handler) => {
      reconnected = handler;
    },
    close: () => presence.close(),
  };
}
