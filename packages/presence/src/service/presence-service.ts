/**
 * Orchestrates presence: applies the pure rules to the durable facts (PostgreSQL) and the live
 * facts (the store), and publishes every change on the bus.
 *
 * Ordering across servers: every change is "write, then take a new version, then read the full
 * state, then publish it". The state with the highest version was read after every write that
 * got a lower one, so listeners that keep only the highest version converge on the truth.
 */
import { randomUUID } from "node:crypto";
import type { Database } from "@herald/db";
import type { BusMessage, PresenceBus } from "../bus/types.js";
import { choiceChanged, forgetViewer, wentOffline, type ChoicePatch } from "../engine/transitions.js";
import type { Logger } from "../logger.js";
import type { ConnectionRef, OfflineSettlement, PresenceStore } from "../store/types.js";
import { DEFAULT_DURABLE_PRESENCE, OFFLINE_LIVE_PRESENCE, type PresenceState } from "../types.js";
import { loadDurable, updateDurable } from "./presence-repo.js";
import { retryUntilDone } from "./retry.js";
import { isStoreUnavailable } from "./unavailable.js";

/** Store calls in flight at once while re-registering after an outage. */
const REREGISTER_BATCH = 100;

/** A user whose last connection here ended at `since`; `timer` null: the settle is overdue. */
interface Grace {
  since: Date;
  timer: NodeJS.Timeout | null;
}

export interface PresenceServiceOptions {
  db: Database;
  store: PresenceStore;
  bus: PresenceBus;
  ttlMs: number;
  graceMs: number;
  log: Logger;
  now?: () => Date;
}

export class PresenceService {
  readonly db: Database;
  readonly store: PresenceStore;
  readonly bus: PresenceBus;
  readonly ttlMs: number;
  readonly graceMs: number;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly graces = new Map<string, Grace>();
  /** Disconnects the store missed during an outage, by connection id: replayed by `reregister`. */
  private readonly missedDisconnects = new Map<string, { ref: ConnectionRef; at: Date }>();
  private closed = false;

  constructor(options: PresenceServiceOptions) {
    this.db = options.db;
    this.store = options.store;
    this.bus = options.bus;
    this.ttlMs = options.ttlMs;
    this.graceMs = options.graceMs;
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
  }

  /** Full states of many users. Versions are read before the durable facts (see the header). */
  async loadStates(userIds: readonly string[]): Promise<Map<string, PresenceState>> {
    const live = await this.store.getLive(userIds);
    const durable = await loadDurable(this.db, userIds);
    const states = new Map<string, PresenceState>();
    for (const userId of userIds) {
      states.set(userId, {
        userId,
        ...(durable.get(userId) ?? DEFAULT_DURABLE_PRESENCE),
        ...(live.get(userId) ?? OFFLINE_LIVE_PRESENCE),
      });
    }
    return states;
  }

  async loadState(userId: string): Promise<PresenceState> {
    return (await this.loadStates([userId])).get(userId)!;
  }

  async connect(ref: ConnectionRef): Promise<void> {
    this.cancelGrace(ref.userId);
    await this.store.connect(ref, this.ttlMs);
    await this.publishState(ref.userId);
  }

  async disconnect(ref: ConnectionRef): Promise<void> {
    const at = this.now();
    let live;
    try {
      live = await this.store.disconnect(ref, at);
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      // Else the store (if it kept its data) would hold the connection until its TTL ran out.
      this.missedDisconnects.set(ref.connectionId, { ref, at });
      this.log.warn({ userId: ref.userId }, "live store unavailable; the disconnect will be replayed when it returns");
      return;
    }
    if (live.online && live.connections === 0) this.startGrace(ref.userId, at);
    await this.publishState(ref.userId);
  }

  /**
   * After a store outage (Redis may have come back empty): registers this server's live
   * connections again, replays the disconnects it missed and restores the graces running here,
   * then republishes every user concerned. Idempotent, so a failed attempt is simply retried.
   */
  async reregister(live: readonly ConnectionRef[]): Promise<void> {
    const touched = new Set<string>();
    await inBatches(live, async (ref) => {
      await this.store.connect(ref, this.ttlMs);
      touched.add(ref.userId);
    });
    const restored = new Set<string>();
    for (const [connectionId, { ref, at }] of [...this.missedDisconnects]) {
      await this.store.connect(ref, this.ttlMs);
      const after = await this.store.disconnect(ref, at);
      this.missedDisconnects.delete(connectionId);
      touched.add(ref.userId);
      restored.add(ref.userId);
      const grace = this.graces.get(ref.userId);
      if (after.online && after.connections === 0 && (!grace || grace.since < at)) this.startGrace(ref.userId, at);
    }
    for (const [userId, grace] of [...this.graces]) {
      if (!restored.has(userId)) {
        // A stand-in connection, ended when the real one did: online in grace again, with the
        // right last-seen moment, whether or not the store kept its data.
        const standIn = { userId, connectionId: `grace-${randomUUID()}` };
        await this.store.connect(standIn, this.ttlMs);
        await this.store.disconnect(standIn, grace.since);
        touched.add(userId);
      }
      const remainingMs = grace.since.getTime() + this.graceMs - this.now().getTime();
      if (grace.timer === null || remainingMs <= 0) {
        if (grace.timer) clearTimeout(grace.timer);
        grace.timer = null; // overdue until settled: a failed attempt leaves it for the retry
        await this.settle(userId);
        if (this.graces.get(userId) === grace) this.graces.delete(userId);
      } else {
        this.startGrace(userId, grace.since, remainingMs);
      }
    }
    await inBatches([...touched], (userId) => this.publishState(userId));
  }

  /** A change of chosen status, message or allow-list (SPEC §3 `presence.setStatus`). */
  async changeChoice(userId: string, patch: ChoicePatch): Promise<PresenceState> {
    const live = (await this.store.getLive([userId])).get(userId) ?? OFFLINE_LIVE_PRESENCE;
    const at = this.now().toISOString();
    await updateDurable(this.db, userId, (before) => choiceChanged(before, patch, live.online, at));
    return this.publishDurableChange(userId);
  }

  /** Rule 11: after unfriending, each leaves the other's allow-list and memory. */
  async forgetEachOther(a: string, b: string): Promise<void> {
    for (const [owner, viewer] of [
      [a, b],
      [b, a],
    ] as const) {
      await updateDurable(this.db, owner, (before) => forgetViewer(before, viewer));
      await this.publishDurableChange(owner);
    }
  }

  async publishFriendship(a: string, b: string, type: "friend_added" | "friend_removed"): Promise<void> {
    await this.bus.publish(a, { type, friendId: b });
    await this.bus.publish(b, { type, friendId: a });
  }

  /** Settles users whose connections died with their server (rule 7) or whose grace was orphaned. */
  async reap(): Promise<number> {
    const settled = await this.store.reap(this.now(), this.graceMs);
    for (const { userId, ...settlement } of settled) await this.recordOffline(userId, settlement);
    return settled.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { timer } of this.graces.values()) if (timer) clearTimeout(timer);
    this.graces.clear();
  }

  /** Settles every pending grace now: used on shutdown so that last-seen is recorded. */
  async settleAllGraces(): Promise<void> {
    const userIds = [...this.graces.keys()];
    for (const userId of userIds) this.cancelGrace(userId);
    await Promise.all(userIds.map((userId) => this.settle(userId)));
  }

  /** After a write to PostgreSQL: a new version first, so the state read after it wins (see the header). */
  private async publishDurableChange(userId: string): Promise<PresenceState> {
    await this.store.bumpVersion(userId);
    return this.publishState(userId);
  }

  private async publishState(userId: string): Promise<PresenceState> {
    const state = await this.loadState(userId);
    const message: BusMessage = { type: "state", state, publishedAt: Date.now() };
    await this.bus.publish(userId, message);
    return state;
  }

  private startGrace(userId: string, since: Date, delayMs = this.graceMs): void {
    this.cancelGrace(userId);
    const grace: Grace = { since, timer: null };
    grace.timer = setTimeout(() => {
      this.graces.delete(userId);
      this.settle(userId).catch((error) => {
        if (isStoreUnavailable(error) && !this.closed && !this.graces.has(userId)) {
          // Overdue, not forgotten: `reregister` settles it once the store is back.
          this.graces.set(userId, { since, timer: null });
          this.log.warn({ userId }, "live store unavailable; the offline transition will run when it returns");
        } else {
          this.log.error({ err: error, userId }, "offline transition failed");
        }
      });
    }, delayMs);
    grace.timer.unref();
    this.graces.set(userId, grace);
  }

  private cancelGrace(userId: string): void {
    const timer = this.graces.get(userId)?.timer;
    if (timer) clearTimeout(timer);
    this.graces.delete(userId);
  }

  private async settle(userId: string): Promise<void> {
    const settlement = await this.store.settleOffline(userId);
    if (settlement) await this.recordOffline(userId, settlement);
  }

  /** The store said the user is offline: persist last-seen (never lost) and tell everyone. */
  private async recordOffline(userId: string, settlement: OfflineSettlement): Promise<void> {
    await retryUntilDone(
      async () => {
        await updateDurable(this.db, userId, (before) => wentOffline(before, settlement.lastConnectedAt));
      },
      { what: "recording last seen", log: this.log, isClosed: () => this.closed },
    );
    await this.publishDurableChange(userId);
  }
}

/** Runs `work` over `items`, REREGISTER_BATCH at a time. */
async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += REREGISTER_BATCH) {
    await Promise.all(items.slice(i, i + REREGISTER_BATCH).map(work));
  }
}
