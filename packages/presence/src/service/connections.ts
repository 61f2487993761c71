/**
 * The life of each live connection on this server (rule 7). A connection is live while it is
 * heard from (any call, heartbeat or pong) within the TTL; a periodic sweep keeps live ones
 * fresh in the store in one batch and ends the ones that went silent.
 *
 * This registry is also the source the store is rebuilt from: when the store comes back from an
 * outage (the server calls `resync` when Redis reconnects, and a sweep that succeeds after
 * failing, or after the store hung for longer than the TTL, does too), every live connection here
 * is registered again. A socket that opens while the store is down stays open and counts from then on.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import type { PresenceTiming } from "../settings.js";
import type { PresenceService } from "./presence-service.js";
import { retryUntilDone } from "./retry.js";
import { excuseStall, StallMeter } from "./stall-meter.js";
import { isStoreUnavailable } from "../store/unavailable.js";
import type { ConnectionFacts, DeviceKind } from "../types.js";

/** Longest pause between attempts to re-register after an outage. */
const MAX_RESYNC_RETRY_MS = 1_000;
/**
 * After an outage longer than the TTL every connection in the store has expired, on every
 * server. Reaping right away would flap everyone offline; this leaves all servers time to
 * re-register theirs first.
 */
const NO_REAP_AFTER_OUTAGE_MS = 5_000;

type ConnectionPhase = { kind: "opening" } | { kind: "live"; lastHeardAt: number } | { kind: "closed" };

export interface ConnectionHandle {
  readonly id: string;
  readonly userId: string;
  /** What kind of device it is (`connectionParams.device`, §9.2). */
  readonly device: DeviceKind;
  /** Whether its user is idle there (auto-away, §7.2). */
  readonly idle: boolean;
  /** The user is idle (or active again) on this connection: friends may see auto-away. */
  setIdle(idle: boolean): Promise<void>;
  /** The connection was heard from: keeps it live. */
  touch(): void;
  /** The socket ended (or must end): the connection no longer counts. Idempotent. */
  close(): Promise<void>;
}

/**
 * One connection. A class, not an object literal with arrow functions: its methods live on the
 * prototype instead of in five closures per connection (memory per idle connection, issue 14).
 */
class Connection implements ConnectionHandle {
  readonly id = randomUUID();
  phase: ConnectionPhase = { kind: "opening" };
  /** Kept here as well as in the store: a resync registers the connection again with them. */
  facts: ConnectionFacts;

  constructor(
    readonly userId: string,
    readonly terminate: () => void,
    device: DeviceKind,
    private readonly service: PresenceService,
    /** The registry's connections, which this one leaves when it closes. */
    private readonly registered: Map<string, Connection>,
  ) {
    this.facts = { device, idle: false };
  }

  get device(): DeviceKind {
    return this.facts.device;
  }

  get idle(): boolean {
    return this.facts.idle;
  }

  get ref() {
    return { userId: this.userId, connectionId: this.id };
  }

  touch(): void {
    if (this.phase.kind === "live") this.phase.lastHeardAt = Date.now();
  }

  async setIdle(idle: boolean): Promise<void> {
    if (this.phase.kind === "closed" || this.facts.idle === idle) return;
    this.facts = { ...this.facts, idle };
    // Still opening: its registration (or the resync) carries the flag.
    if (this.phase.kind === "live") await this.service.setIdle(this.ref, idle);
  }

  async close(): Promise<void> {
    if (this.phase.kind === "closed") return;
    const wasRegistered = this.phase.kind === "live";
    this.phase = { kind: "closed" };
    this.registered.delete(this.id);
    if (wasRegistered) await this.service.disconnect(this.ref, this.facts);
  }
}

export class ConnectionRegistry {
  private readonly connections = new Map<string, Connection>();
  private readonly sweepTimer: NodeJS.Timeout;
  /** False from a failed store call until the store answers again (then we resync). */
  private storeAnswering = true;
  private resyncing: Promise<void> | null = null;
  private resyncAgain = false;
  private reapNotBefore = 0;
  /** When the latest sweep whose refresh succeeded sent it: registrations it refreshed expire a TTL after. */
  private lastRefreshSentAt = Date.now();
  /** Time this process stood still does not count as the clients' silence (stall-meter.ts). */
  private readonly stalls: StallMeter;
  private stopped = false;

  constructor(
    private readonly service: PresenceService,
    /** `presenceTtlMs` is how long a connection may stay silent; the sweep runs every `sweepIntervalMs`. */
    private readonly settings: PresenceTiming,
    private readonly log: Logger,
  ) {
    this.stalls = new StallMeter(settings.sweepIntervalMs);
    this.sweepTimer = setInterval(() => void this.sweep(), settings.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /**
   * Registers an authenticated socket of a `device` (default `web`); `terminate` must close it
   * (used when it goes silent).
   */
  async open(userId: string, terminate: () => void, device: DeviceKind = "web"): Promise<ConnectionHandle> {
    const connection = new Connection(userId, terminate, device, this.service, this.connections);
    this.connections.set(connection.id, connection);
    try {
      await this.service.connect({ userId, connectionId: connection.id }, connection.facts);
    } catch (error) {
      if (isStoreUnavailable(error)) {
        // Refusing the socket would only make the client retry in a loop; it is registered when
        // the store is back (the resync), and friends see the user from then on.
        this.storeAnswering = false;
        this.log.warn({ userId }, "live store unavailable; the connection will be registered when it returns");
      } else {
        // Typically the database is down (the state to publish cannot be read) after the store
        // took the connection. Refusing the socket would make the client retry in a tight loop
        // and leave that registration behind as a ghost; keep it and finish once it answers.
        this.log.warn({ err: error, userId }, "could not finish registering a connection; retrying in the background");
        const ref = { userId, connectionId: connection.id };
        const ended = () => connection.phase.kind === "closed";
        void retryUntilDone(
          async () => {
            if (ended()) return;
            await this.service.connect(ref, connection.facts);
            if (ended()) await this.service.disconnect(ref, connection.facts);
          },
          { what: "registering a connection", log: this.log, isClosed: () => this.stopped || ended() },
        ).catch(() => {});
      }
    }
    if (connection.phase.kind === "opening") {
      connection.phase = { kind: "live", lastHeardAt: Date.now() };
      // Idle said while registering: the registration may have carried the older flag.
      if (connection.facts.idle) {
        await this.service
          .setIdle({ userId, connectionId: connection.id }, true)
          .catch((error: unknown) => this.log.warn({ err: error, userId }, "could not record an idle flag; the next resync will"));
      }
    } else {
      // The socket closed while we registered it: undo the registration.
      await this.service.disconnect({ userId, connectionId: connection.id }, connection.facts);
    }
    return connection;
  }

  get size(): number {
    return this.connections.size;
  }

  /** The users with a live connection here. */
  connectedUserIds(): Set<string> {
    const userIds = new Set<string>();
    for (const connection of this.connections.values()) if (connection.phase.kind === "live") userIds.add(connection.userId);
    return userIds;
  }

  get userCount(): number {
    return new Set([...this.connections.values()].map((c) => c.userId)).size;
  }

  /** Refreshes live connections in the store and ends silent ones; also reaps dead servers' users. */
  async sweep(): Promise<void> {
    const now = Date.now();
    const stalled = this.stalls.stalledMs(now);
    const live: Connection[] = [];
    for (const connection of this.connections.values()) {
      if (connection.phase.kind !== "live") continue;
      if (stalled > 0) connection.phase.lastHeardAt = excuseStall(connection.phase.lastHeardAt, stalled, now);
      if (!this.heardWithinTtl(connection, now)) {
        this.log.info({ userId: connection.userId }, "connection went silent; closing it");
        connection.terminate();
        void connection.close().catch((error: unknown) => this.log.error({ err: error }, "closing a silent connection failed"));
      } else {
        live.push(connection);
      }
    }
    try {
      await this.service.refresh(live.map((c) => ({ userId: c.userId, connectionId: c.id })));
      // A store that hung (Redis stopped, say) answers every waiting call when it wakes, so no
      // call here failed; yet if it slept past the TTL, every registration in it expired, other
      // servers' too, and they may not have re-registered theirs yet. That is an outage as well.
      const sleptPastTtl = Date.now() - this.lastRefreshSentAt > this.settings.presenceTtlMs;
      this.lastRefreshSentAt = Math.max(this.lastRefreshSentAt, now);
      if (!this.storeAnswering || sleptPastTtl) {
        // Back from an outage: rebuild (which also holds reaping off) before reaping anyone.
        this.storeAnswering = true;
        void this.resync();
        return;
      }
      if (Date.now() >= this.reapNotBefore) await this.service.reap();
    } catch (error) {
      // Logged once per outage, not once per sweep.
      if (this.storeAnswering || !isStoreUnavailable(error)) this.log.warn({ err: error }, "presence sweep failed; will retry");
      if (isStoreUnavailable(error)) this.storeAnswering = false;
    }
  }

  /**
   * Registers every live connection here again (the store may have come back empty) and lets
   * the service replay what it missed. Retried until it succeeds; concurrent calls share a run,
   * and a call during a run makes it go once more.
   */
  resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    const started = Date.now();
    this.reapNotBefore = started + NO_REAP_AFTER_OUTAGE_MS;
    this.resyncing = (async () => {
      do {
        this.resyncAgain = false;
        await retryUntilDone(() => this.reregisterOnce(), {
          what: "re-registering live connections",
          log: this.log,
          isClosed: () => this.stopped,
          maxDelayMs: MAX_RESYNC_RETRY_MS,
        });
      } while (this.resyncAgain && !this.stopped);
      this.log.info({ connections: this.connections.size, ms: Date.now() - started }, "live connections re-registered");
    })()
      .catch((error: unknown) => {
        if (!this.stopped) this.log.error({ err: error }, "re-registering live connections failed");
      })
      .finally(() => {
        this.resyncing = null;
      });
    return this.resyncing;
  }

  private async reregisterOnce(): Promise<void> {
    const live = [...this.connections.values()]
      .filter((c) => c.phase.kind === "live")
      .map((c) => ({ ref: { userId: c.userId, connectionId: c.id }, facts: c.facts }));
    await this.service.reregister(live);
    // A socket that closed meanwhile may have been registered again by the line above.
    for (const { ref, facts } of live) if (!this.connections.has(ref.connectionId)) await this.service.disconnect(ref, facts);
  }

  /**
   * Shutdown: ends every socket. By default each connection is closed, so friends see the user
   * leave (after the grace). With `handOver`, the registrations stay in the (shared) store to
   * expire a TTL from now: clients told to reconnect come back on this server's successor or on
   * another one before that, and nobody flaps offline over a restart; a user who does not come
   * back is reaped at expiry, with the last moment they were heard from as last seen.
   */
  async closeAll(options: { handOver?: boolean } = {}): Promise<void> {
    this.stop();
    const all = [...this.connections.values()];
    if (options.handOver) {
      await this.refreshForHandOver(all);
      for (const connection of all) connection.phase = { kind: "closed" };
      this.connections.clear();
    }
    for (const connection of all) connection.terminate();
    await Promise.allSettled(all.map((c) => c.close()));
  }

  /**
   * Gives the handed-over registrations a whole TTL from now rather than from the last sweep (up
   * to a sweep interval earlier): after a restart every client has the same time to come back
   * before friends see it leave. Only connections still heard from, as in a sweep.
   */
  private async refreshForHandOver(all: readonly Connection[]): Promise<void> {
    const now = Date.now();
    const heard = all.filter((c) => this.heardWithinTtl(c, now));
    try {
      await this.service.refresh(heard.map((c) => ({ userId: c.userId, connectionId: c.id })));
    } catch (error) {
      // The registrations then expire as the last sweep left them: a shorter wait, no harm.
      this.log.warn({ err: error }, "could not refresh the handed-over connections");
    }
  }

  /** A live connection heard from within the TTL: one a sweep refreshes rather than ends as silent. */
  private heardWithinTtl(connection: Connection, now: number): boolean {
    return connection.phase.kind === "live" && now - connection.phase.lastHeardAt <= this.settings.presenceTtlMs;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.sweepTimer);
  }
}
