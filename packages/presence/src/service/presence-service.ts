/**
 * Orchestrates presence: applies the pure rules to the durable facts (PostgreSQL) and the live
 * facts (the store), and publishes every change on the bus.
 *
 * Ordering across servers: every change is "write, then take a new version, then read the full
 * state, then publish it". The state with the highest version was read after every write that
 * got a lower one, so listeners that keep only the highest version converge on the truth.
 */
import type { Database } from "@herald/db";
import type { BusMessage, PresenceBus } from "../bus/types.js";
import { choiceChanged, forgetViewer, wentOffline, type ChoicePatch } from "../engine/transitions.js";
import type { Logger } from "../logger.js";
import type { ConnectionRef, OfflineSettlement, PresenceStore } from "../store/types.js";
import { DEFAULT_DURABLE_PRESENCE, OFFLINE_LIVE_PRESENCE, type PresenceState } from "../types.js";
import { loadDurable, updateDurable } from "./presence-repo.js";
import { retryUntilDone } from "./retry.js";

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
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
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
    const live = await this.store.disconnect(ref, this.now());
    if (live.online && live.connections === 0) this.startGrace(ref.userId);
    await this.publishState(ref.userId);
  }

  /** A change of chosen status, message or allow-list (SPEC §3 `presence.setStatus`). */
  async changeChoice(userId: string, patch: ChoicePatch): Promise<PresenceState> {
    const live = (await this.store.getLive([userId])).get(userId) ?? OFFLINE_LIVE_PRESENCE;
    const at = this.now().toISOString();
    await updateDurable(this.db, userId, (before) => choiceChanged(before, patch, live.online, at));
    await this.store.bumpVersion(userId);
    return this.publishState(userId);
  }

  /** Rule 11: after unfriending, each leaves the other's allow-list and memory. */
  async forgetEachOther(a: string, b: string): Promise<void> {
    for (const [owner, viewer] of [
      [a, b],
      [b, a],
    ] as const) {
      await updateDurable(this.db, owner, (before) => forgetViewer(before, viewer));
      await this.store.bumpVersion(owner);
      await this.publishState(owner);
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
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
  }

  /** Settles every pending grace now: used on shutdown so that last-seen is recorded. */
  async settleAllGraces(): Promise<void> {
    const userIds = [...this.graceTimers.keys()];
    for (const userId of userIds) this.cancelGrace(userId);
    await Promise.all(userIds.map((userId) => this.settle(userId)));
  }

  private async publishState(userId: string): Promise<PresenceState> {
    const state = await this.loadState(userId);
    const message: BusMessage = { type: "state", state, publishedAt: Date.now() };
    await this.bus.publish(userId, message);
    return state;
  }

  private startGrace(userId: string): void {
    this.cancelGrace(userId);
    const timer = setTimeout(() => {
      this.graceTimers.delete(userId);
      this.settle(userId).catch((error) => this.log.error({ err: error, userId }, "offline transition failed"));
    }, this.graceMs);
    timer.unref();
    this.graceTimers.set(userId, timer);
  }

  private cancelGrace(userId: string): void {
    const timer = this.graceTimers.get(userId);
    if (timer) clearTimeout(timer);
    this.graceTimers.delete(userId);
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
    await this.store.bumpVersion(userId);
    await this.publishState(userId);
  }
}
