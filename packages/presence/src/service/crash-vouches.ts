/**
 * Rule 7 where the live store dies with its process (the in-memory store: no Redis). A crash (a
 * kill, the machine going down) takes the store along, and with it the only record of who was
 * connected: after a restart they would be offline with the last seen of some earlier day, or
 * none. So at every sweep the server vouches in the database for the users connected to it
 * (`live_vouches`: its word's time; `live_vouch_users`: who, written as they come and go, as a
 * list rewritten whole cost PGlite 25-70 ms of this thread at 20,000 users), and a server that
 * starts, or sweeps, settles the users a gone server vouched for: offline, last seen the last
 * moment it vouched. A clean stop records last seen itself and takes its word back. On Redis the store outlives the server, and its reaper does this instead.
 * Another server's word that is fresh means two servers without Redis on one database: a warning.
 */
import { randomUUID } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Logger } from "../logger.js";
import type { LiveVouchesRepo } from "../repo/live-vouches.js";
import type { ConnectionRegistry } from "./connections.js";
import type { PresenceService } from "./presence-service.js";

/**
 * Users named or unnamed per statement. On PGlite naming 1,000 took ~26 ms of the server's thread
 * (unnaming 100 of 20,000 ~2 ms), so a statement holds it ~6 ms at most.
 */
const USERS_PER_STATEMENT = 250;

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
  /** The users this server's word names (as far as it knows: a failed round writes them again). */
  private named: ReadonlySet<string> = new Set();
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
    // A round in flight is not waited for (with the database down it would wait as long). It
    // writes no word after this; if one of its statements lands after the removal all the same,
    // the next start settles users whose last seen this stop recorded later, which leaves it as it
    // is (`settledOffline`).
    if (!withdraw) return;
    await this.repo
      .remove(this.serverId)
      .catch((error: unknown) => this.options.log.warn({ err: error }, "could not withdraw this server's live vouch"));
  }

  private async vouchAndSettle(): Promise<void> {
    try {
      await this.settleGone();
      await this.vouch();
      if (this.failing) this.options.log.info({}, "vouching for live connections works again");
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.options.log.warn({ err: error }, "vouching for live connections failed; will retry");
      this.failing = true;
    }
  }

  /** Settles the users of every server whose word is older than `goneAfterMs`; warns of the others. */
  private async settleGone(): Promise<void> {
    const goneBefore = Date.now() - this.options.goneAfterMs;
    for (const other of await this.repo.others(this.serverId)) {
      if (other.vouchedAt.getTime() >= goneBefore) {
        this.warnOfAnother(other.serverId);
        continue;
      }
      const userIds = await this.repo.namedBy(other.serverId);
      await this.service.settleVouched(userIds, other.vouchedAt.toISOString());
      await this.repo.remove(other.serverId, other.vouchedAt);
      this.options.log.info({ users: userIds.length, vouchedAt: other.vouchedAt }, "settled the users of a server that is gone");
    }
  }

  /**
   * Brings this server's word up to date. Who left is unnamed before its time moves (else a crash
   * would give them a last seen after they left); who came is named after it (a crash before that
   * leaves them their last seen from before, as anyone connected within the last sweep keeps).
   */
  private async vouch(): Promise<void> {
    const now = new Date();
    const connected = this.connections.connectedUserIds();
    let named = this.named;
    const left = [...named].filter((userId) => !connected.has(userId));
    await inStatements(left, (userIds) => this.repo.unname(this.serverId, userIds));
    if (this.closed) return; // the stop takes the word back: a round in flight must not write it again
    if (!(await this.repo.touch(this.serverId, now))) {
      // The first round; or another server took this one for gone (it stood still past the TTL)
      // and removed its word with the users it named.
      await this.repo.create(this.serverId, now);
      named = new Set();
    }
    const came = [...connected].filter((userId) => !named.has(userId));
    await inStatements(came, (userIds) => this.repo.name(this.serverId, userIds));
    this.named = connected;
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

/**
 * Runs `write` over `userIds`, USERS_PER_STATEMENT at a time, letting the event loop turn between
 * them: on PGlite a statement runs on the server's thread (~26 µs a user), and a connect storm
 * comes and goes by the thousand.
 */
async function inStatements(userIds: readonly string[], write: (userIds: readonly string[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < userIds.length; i += USERS_PER_STATEMENT) {
    if (i > 0) await nextTurn();
    await write(userIds.slice(i, i + USERS_PER_STATEMENT));
  }
}
