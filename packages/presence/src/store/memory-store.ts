/** The embedded store: one process, no Redis. Same contract as the Redis store. */
import { withPresenceDefaults, type PresenceSettings } from "../settings.js";
import { combineConnections, DEFAULT_CONNECTION_FACTS, OFFLINE_LIVE_PRESENCE, type ConnectionFacts, type LivePresence } from "../types.js";
import type { ConnectionRef, OfflineSettlement, PresenceStore, PresenceStoreOptions } from "./types.js";

interface ConnectionRecord extends ConnectionFacts {
  /** ms since epoch */
  expiry: number;
}

interface UserRecord {
  connections: Map<string, ConnectionRecord>;
  online: boolean;
  version: number;
  durableRevision: number;
  /** When the connection count last dropped to zero, or the last refresh of a reaped connection. */
  lastConnectedAt: number;
}

export class MemoryPresenceStore implements PresenceStore {
  readonly settings: Readonly<PresenceSettings>;
  readonly diesWithProcess = true;
  private readonly users = new Map<string, UserRecord>();
  private readonly now: () => number;

  constructor(options: PresenceStoreOptions = {}) {
    this.settings = Object.freeze(withPresenceDefaults(options));
    this.now = options.now ?? Date.now;
  }

  async connect({ userId, connectionId }: ConnectionRef, facts: ConnectionFacts = DEFAULT_CONNECTION_FACTS): Promise<LivePresence> {
    const record = this.record(userId);
    record.connections.set(connectionId, { device: facts.device, idle: facts.idle, expiry: this.now() + this.settings.presenceTtlMs });
    record.online = true;
    record.version += 1;
    return live(record);
  }

  async disconnect({ userId, connectionId }: ConnectionRef, at: Date): Promise<LivePresence> {
    const record = this.record(userId);
    if (record.connections.delete(connectionId)) {
      record.version += 1;
      if (record.connections.size === 0) record.lastConnectedAt = at.getTime();
    }
    return live(record);
  }

  async setIdle({ userId, connectionId }: ConnectionRef, idle: boolean): Promise<LivePresence | null> {
    const record = this.users.get(userId);
    const connection = record?.connections.get(connectionId);
    if (!record || !connection || connection.idle === idle) return null;
    connection.idle = idle;
    record.version += 1;
    return live(record);
  }

  async refresh(refs: ConnectionRef[]): Promise<void> {
    const expiry = this.now() + this.settings.presenceTtlMs;
    for (const { userId, connectionId } of refs) {
      const connection = this.users.get(userId)?.connections.get(connectionId);
      if (connection) connection.expiry = Math.max(connection.expiry, expiry);
    }
  }

  async settleOffline(userId: string): Promise<OfflineSettlement | null> {
    const record = this.users.get(userId);
    if (!record || !record.online || record.connections.size > 0) return null;
    return this.settle(record);
  }

  async reap(now: Date): Promise<Array<{ userId: string } & OfflineSettlement>> {
    const settled: Array<{ userId: string } & OfflineSettlement> = [];
    const nowMs = now.getTime();
    for (const [userId, record] of this.users) {
      let lastExpired = 0;
      for (const [connectionId, { expiry }] of record.connections) {
        if (expiry <= nowMs) {
          record.connections.delete(connectionId);
          record.version += 1;
          lastExpired = Math.max(lastExpired, expiry);
        }
      }
      if (!record.online || record.connections.size > 0) continue;
      if (lastExpired > 0) {
        record.lastConnectedAt = Math.max(record.lastConnectedAt, lastExpired);
        settled.push({ userId, ...this.settle(record) });
      } else if (record.lastConnectedAt + this.settings.offlineGraceMs < nowMs) {
        settled.push({ userId, ...this.settle(record) });
      }
    }
    return settled;
  }

  async orderDurableChange(userId: string, durableRevision: number): Promise<LivePresence> {
    const record = this.record(userId);
    record.version += 1;
    record.durableRevision = Math.max(record.durableRevision, durableRevision);
    return live(record);
  }

  async getLive(userIds: readonly string[]): Promise<Map<string, LivePresence>> {
    const result = new Map<string, LivePresence>();
    for (const userId of userIds) {
      const record = this.users.get(userId);
      result.set(userId, record ? live(record) : { ...OFFLINE_LIVE_PRESENCE });
    }
    return result;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.users.clear();
  }

  private settle(record: UserRecord): OfflineSettlement {
    record.online = false;
    record.version += 1;
    return { live: live(record), lastConnectedAt: new Date(record.lastConnectedAt).toISOString() };
  }

  private record(userId: string): UserRecord {
    let record = this.users.get(userId);
    if (!record) {
      record = { connections: new Map(), online: false, version: 0, durableRevision: 0, lastConnectedAt: 0 };
      this.users.set(userId, record);
    }
    return record;
  }
}

function live(record: UserRecord): LivePresence {
  return {
    online: record.online,
    connections: record.connections.size,
    ...combineConnections(record.connections.values()),
    version: record.version,
    durableRevision: record.durableRevision,
  };
}
