/**
 * Rule 7 where the live store dies with its process (the in-memory store: no Redis). A crash (a
 * kill, the machine going down) takes the store along, and with it the only record of who was
 * connected: after a restart they would be offline with the last seen of some earlier day, or
 * none. So at every sweep the server vouches in the database for the users connected to it
 * (`live_vouches`), and a server that starts, or sweeps, settles the users a gone server vouched
 * for: offline, last seen the last moment it vouched. A clean stop records last seen itself and
 * takes its word back. On Redis the store outlives the server, and its reaper does this instead.
 * Another server's word that is fresh means two servers without Redis on one database: a warning.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import type { LiveVouchesRepo } from "../repo/live-vouches.js";
import type { ConnectionRegistry } from "./connections.js";
import type { PresenceService } from "./presence-service.js";

export interface CrashVouchesOptions {
  /** How often the server vouches (its sweep interval: the most a crash can leave unsaid). */
  intervalMs: number;
  /**
   * A word older than this belongs to a server that is gone: 0 when no other server can be
   * running on this database (embedded PGlite, which one process opens), else the TTL, past
   * which every server has vouched again.
   */
  goneAfterMs: number;
  log: Logger;
}

export class CrashVouches {
  readonly serverId = randomUUID();
  private readonly interval: NodeJS.Timeout;
  /** The users named in this server's row; null until it has one. */
  private named: ReadonlySet<string> | null = null;
  private running: Promise<void> | null = null;
  /** Set while rounds fail, so that an outage is logged once, not at every sweep. */
  private failing = false;
  private closed = false;
  /** Other servers vouching here, each warned of once (`warnOfAnother`). */
  private readonly warnedOf = new Set<string>();

  constructor(
    private readonly repo: LiveVouchesRepo,
    private readonly connections: ConnectionRegistry,
    private readonly service: PresenceService,
    private readonly options: CrashVouchesOptions,
  ) {
    this.interval = setInterval(() => void this.round(), options.intervalMs);
    this.interval.unref();
    void this.round(); // at start: what a crashed predecessor left is settled now
  }

  /** Settles what gone servers left, then vouches for the users connected here. One round at a time. */
  round(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running ??= this.vouchAndSettle().finally(() => (this.running = null));
    return this.running;
  }

  /** Stops vouching. `withdraw`: the users connected here were recorded (a clean stop), so the row goes. */
  async close({ withdraw }: { withdraw: boolean }): Promise<void> {
    this.closed = true;
    clearInterval(this.interval);
    // A round in flight is not waited for (with the database down it would wait as long). If it
    // writes the row again after this, the next start settles users whose last seen this stop
    // recorded later, which leaves it as it is (`settledOffline`).
    if (!withdraw || this.named === null) return;
    await this.repo
      .remove(this.serverId)
      .catch((error: unknown) => this.options.log.warn({ err: error }, "could not withdraw this server's live vouch"));
  }

  private async vouchAndSettle(): Promise<void> {
    try {
      const goneBefore = Date.now() - this.options.goneAfterMs;
      for (const other of await this.repo.others(this.serverId)) {
        if (other.vouchedAt.getTime() >= goneBefore) {
          this.warnOfAnother(other.serverId);
          continue;
        }
        await this.service.settleVouched(other.userIds, other.vouchedAt.toISOString());
        await this.repo.remove(other.serverId, other.vouchedAt);
        this.options.log.info({ users: other.userIds.length, vouchedAt: other.vouchedAt }, "settled the users of a server that is gone");
      }
      const now = new Date();
      const connected = this.connections.connectedUserIds();
      // The list only when it changed: a server's word is otherwise one timestamp.
      if (!sameMembers(connected, this.named) || !(await this.repo.touch(this.serverId, now))) {
        await this.repo.put(this.serverId, now, [...connected]);
        this.named = connected;
      }
      if (this.failing) this.options.log.info({}, "vouching for live connections works again");
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.options.log.warn({ err: error }, "vouching for live connections failed; will retry");
      this.failing = true;
    }
  }

  /**
   * Another server vouches on this database: its live presence is in its own memory too, so users
   * connected to it and to this one do not see each other live. Almost surely a server missing
   * REDIS_URL; said once per server, as its users' presence stays split for as long as it runs.
   */
  private warnOfAnother(serverId: string): void {
    if (this.warnedOf.has(serverId)) return;
    this.warnedOf.add(serverId);
    this.options.log.warn(
      { otherServer: serverId },
      "another Herald server keeps live presence in its own memory on this database: users connected to it and to this one do not see each other live; give every server the same REDIS_URL (docs/multi-server.md)",
    );
  }
}

function sameMembers(a: ReadonlySet<string>, b: ReadonlySet<string> | null): boolean {
  if (b === null || a.size !== b.size) return false;
  for (const value of a) if (!b.has(value)) return false;
  return true;
}
