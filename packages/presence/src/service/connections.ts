/**
 * The life of each live connection on this server (rule 7). A connection is live while it is
 * heard from (any call, heartbeat or pong) within the TTL; a periodic sweep keeps live ones
 * fresh in the store in one batch and ends the ones that went silent.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import type { PresenceService } from "./presence-service.js";

/** How often the sweep runs, as a fraction of the TTL (bounded below so tests stay cheap). */
const SWEEPS_PER_TTL = 4;
const MIN_SWEEP_INTERVAL_MS = 100;
const MAX_SWEEP_INTERVAL_MS = 5_000;

type ConnectionPhase =
  | { kind: "opening" }
  | { kind: "live"; lastHeardAt: number }
  | { kind: "closed" };

export interface ConnectionHandle {
  readonly id: string;
  readonly userId: string;
  /** The connection was heard from: keeps it live. */
  touch(): void;
  /** The socket ended (or must end): the connection no longer counts. Idempotent. */
  close(): Promise<void>;
}

interface Connection extends ConnectionHandle {
  phase: ConnectionPhase;
  terminate: () => void;
}

export class ConnectionRegistry {
  private readonly connections = new Map<string, Connection>();
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(
    private readonly service: PresenceService,
    private readonly log: Logger,
  ) {
    const interval = Math.min(MAX_SWEEP_INTERVAL_MS, Math.max(MIN_SWEEP_INTERVAL_MS, service.ttlMs / SWEEPS_PER_TTL));
    this.sweepTimer = setInterval(() => void this.sweep(), interval);
    this.sweepTimer.unref();
  }

  /** Registers an authenticated socket; `terminate` must close it (used when it goes silent). */
  async open(userId: string, terminate: () => void): Promise<ConnectionHandle> {
    const connection: Connection = {
      id: randomUUID(),
      userId,
      phase: { kind: "opening" },
      terminate,
      touch: () => {
        if (connection.phase.kind === "live") connection.phase.lastHeardAt = Date.now();
      },
      close: async () => {
        if (connection.phase.kind === "closed") return;
        const wasRegistered = connection.phase.kind === "live";
        connection.phase = { kind: "closed" };
        this.connections.delete(connection.id);
        if (wasRegistered) await this.service.disconnect({ userId, connectionId: connection.id });
      },
    };
    this.connections.set(connection.id, connection);
    try {
      await this.service.connect({ userId, connectionId: connection.id });
    } catch (error) {
      this.connections.delete(connection.id);
      connection.phase = { kind: "closed" };
      throw error;
    }
    if (connection.phase.kind === "opening") {
      connection.phase = { kind: "live", lastHeardAt: Date.now() };
    } else {
      // The socket closed while we registered it: undo the registration.
      await this.service.disconnect({ userId, connectionId: connection.id });
    }
    return connection;
  }

  get size(): number {
    return this.connections.size;
  }

  get userCount(): number {
    return new Set([...this.connections.values()].map((c) => c.userId)).size;
  }

  /** Refreshes live connections in the store and ends silent ones; also reaps dead servers' users. */
  async sweep(): Promise<void> {
    const now = Date.now();
    const live: Connection[] = [];
    for (const connection of this.connections.values()) {
      if (connection.phase.kind !== "live") continue;
      if (now - connection.phase.lastHeardAt > this.service.ttlMs) {
        this.log.info({ userId: connection.userId }, "connection went silent; closing it");
        connection.terminate();
        void connection.close().catch((error) => this.log.error({ err: error }, "closing a silent connection failed"));
      } else {
        live.push(connection);
      }
    }
    try {
      await this.service.store.refresh(
        live.map((c) => ({ userId: c.userId, connectionId: c.id })),
        this.service.ttlMs,
      );
      await this.service.reap();
    } catch (error) {
      this.log.warn({ err: error }, "presence sweep failed; will retry");
    }
  }

  /** Shutdown: close every connection so friends see the user leave (after the grace). */
  async closeAll(): Promise<void> {
    clearInterval(this.sweepTimer);
    const all = [...this.connections.values()];
    for (const connection of all) connection.terminate();
    await Promise.allSettled(all.map((c) => c.close()));
  }

  stop(): void {
    clearInterval(this.sweepTimer);
  }
}
