/**
 * Orchestrates presence: applies the pure rules to the durable facts (PostgreSQL) and the live
 * facts (the store), and publishes every change on the bus.
 *
 * Ordering across servers: every change takes a new version in the live store, and publishes
 * the full state at that version; listeners keep only the highest version. A live change takes
 * its version atomically with the change. A durable change takes it after its write committed,
 * and the store records the newest durable revision ordered so far: the durable half published
 * with a version is a row at least that new (remembered, or read again — presence-repo.ts), so
 * the state with the highest version holds every write ordered before it, and listeners
 * converge on the truth.
 */
import { randomUUID } from "node:crypto";
import type { Database } from "@herald/db";
import type { BusMessage, PresenceBus } from "../bus/types.js";
import {
  befriended,
  choiceChanged,
  choicesEnded,
  fadesEnded,
  forgetViewer,
  lastConnectionEnded,
  lastSeenPrivacyChanged,
  nextChoiceEnd,
  nextFadeEnd,
  settledOffline,
  type ChoicePatch,
} from "../engine/transitions.js";
import type { LastSeenLevel } from "@herald/protocol";
import type { Logger } from "../logger.js";
import type { ConnectionRef, PresenceStore } from "../store/types.js";
import {
  DEFAULT_CONNECTION_FACTS,
  DEFAULT_DURABLE_PRESENCE,
  OFFLINE_LIVE_PRESENCE,
  type ConnectionFacts,
  type DurablePresence,
  type LivePresence,
  type PresenceState,
} from "../types.js";
import { fadeSeenBy, sameDevicesAndIdle } from "../engine/visibility.js";
import { DurablePresenceRepo } from "../repo/presence-repo.js";
import { retryUntilDone } from "./retry.js";
import { viewersByOwner } from "./viewers-by-owner.js";
import { isStoreUnavailable } from "../store/unavailable.js";

/** Calls in flight at once while re-registering after an outage, or settling a gone server's users. */
const REREGISTER_BATCH = 100;
/**
 * A fade's end is checked this long after its `until`, so that timer rounding never finds it
 * still on; a grace ends as late, so that a disconnect and a hide look alike in time too (rule 5).
 */
const FADE_END_SLACK_MS = 2;
/** Later than any fade's end: ends them all. */
const END_OF_TIME = "9999-12-31T23:59:59.999Z";

/** A user whose last connection here ended at `since`; `timer` null: the settle is overdue. */
interface Grace {
  since: Date;
  timer: NodeJS.Timeout | null;
}

export interface PresenceServiceOptions {
  db: Database;
  /** Its `offlineGraceMs` times the graces here. */
  store: PresenceStore;
  bus: PresenceBus;
  log: Logger;
  now?: () => Date;
  observer?: Partial<ChangeObserver> | undefined;
}

/** Hooks for metrics: called once per durable change (status, message, settings) published. */
export interface ChangeObserver {
  /**
   * `ms` from the change being asked for to its publication acknowledged by the bus: the database
   * write (with the wait for its statement) and the live store's ordering, what a change spends
   * before the fan-out's own latency starts.
   */
  changePublished(ms: number): void;
}

export class PresenceService {
  private readonly store: PresenceStore;
  private readonly bus: PresenceBus;
  private readonly offlineGraceMs: number;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly graces = new Map<string, Grace>();
  /** Per user, the timer that ends their next fade, and when it fires. */
  private readonly fadeTimers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** Disconnects the store missed during an outage, by connection id: replayed by `reregister`. */
  private readonly missedDisconnects = new Map<string, { ref: ConnectionRef; at: Date }>();
  private readonly durables: DurablePresenceRepo;
  private readonly observer: Partial<ChangeObserver> | undefined;
  /** By durable object (see `stateOf`); forgotten along with the remembered row. */
  private readonly lastStates = new WeakMap<DurablePresence, PresenceState>();
  private closed = false;

  constructor(options: PresenceServiceOptions) {
    this.store = options.store;
    this.bus = options.bus;
    this.offlineGraceMs = options.store.settings.offlineGraceMs;
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
    this.durables = new DurablePresenceRepo(options.db);
    this.observer = options.observer;
  }

  /** Full states of many users. Versions are read before the durable facts (see the header). */
  async loadStates(userIds: readonly string[]): Promise<Map<string, PresenceState>> {
    const live = await this.store.getLive(userIds);
    const durable = await this.durables.currentFor(live);
    const states = new Map<string, PresenceState>();
    for (const userId of userIds) {
      states.set(userId, this.stateOf(userId, durable.get(userId) ?? DEFAULT_DURABLE_PRESENCE, live.get(userId) ?? OFFLINE_LIVE_PRESENCE));
    }
    return states;
  }

  /**
   * The state of these facts: the object built last time when nothing in it changed. Snapshots
   * of the same friend then share one state, hence one view per visibility class
   * (`sharedViewOf`): with every friend online in many tabs, this is most of a feed's memory.
   * States are never mutated, and a durable object stands for one revision of one user's row
   * (remembered rows are replaced, not changed), so equal identity and live facts mean an equal state.
   */
  private stateOf(userId: string, durable: DurablePresence, live: LivePresence): PresenceState {
    if (durable.fades.length > 0) {
      // Rare and short-lived; a fade whose end no timer here will publish (its server died, or
      // this one restarted) must end all the same.
      this.scheduleFadeEnd(userId, durable);
      return { userId, ...fadesEnded(durable, this.now().toISOString()), ...live };
    }
    const last = this.lastStates.get(durable);
    if (last?.userId === userId && hasLiveFacts(last, live)) return last;
    const state = { userId, ...durable, ...live };
    this.lastStates.set(durable, state);
    return state;
  }

  /** Live connections of each user across every server, invisible or not: for `system.presence.reachable` only. */
  async liveConnections(userIds: readonly string[]): Promise<Map<string, number>> {
    const live = await this.store.getLive(userIds);
    return new Map([...live].map(([userId, facts]) => [userId, facts.connections]));
  }

  async loadState(userId: string): Promise<PresenceState> {
    return (await this.loadStates([userId])).get(userId)!;
  }

  /** Pushes the expiry of these live connections (this server's periodic keep-alive, rule 7). */
  async refresh(refs: ConnectionRef[]): Promise<void> {
    await this.store.refresh(refs);
  }

  /** A connection opened (or is registered again): `facts` is what it says of itself (§9.2). */
  async connect(ref: ConnectionRef, facts: ConnectionFacts = DEFAULT_CONNECTION_FACTS): Promise<void> {
    this.cancelGrace(ref.userId);
    await this.publishAt(ref.userId, await this.store.connect(ref, facts));
  }

  /**
   * Auto-away (§7.2): the user is idle, or active again, on this connection. Published only when
   * it changes the live facts; the feeds then send each viewer only what changes in their view.
   */
  async setIdle(ref: ConnectionRef, idle: boolean): Promise<PresenceState> {
    const live = await this.store.setIdle(ref, idle);
    return live ? this.publishAt(ref.userId, live) : this.loadState(ref.userId);
  }

  /**
   * A connection ended. `facts`: what it said of itself when it ended; if it was the user's last,
   * its friends keep seeing that device (and its idleness) through the fade, as for a hide.
   */
  async disconnect(ref: ConnectionRef, facts: ConnectionFacts = DEFAULT_CONNECTION_FACTS): Promise<void> {
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
    if (!(live.online && live.connections === 0)) {
      await this.publishAt(ref.userId, live);
      return;
    }
    this.startGrace(ref.userId, at);
    const until = new Date(at.getTime() + this.offlineGraceMs).toISOString();
    // Retried, the write may land after the fade was due: then it adds none.
    const seen = { devices: [facts.device], idle: facts.idle };
    const ended = (before: DurablePresence) =>
      fadesEnded(lastConnectionEnded(before, at.toISOString(), until, seen), this.now().toISOString());
    try {
      await this.writeAndPublish(ref.userId, ended);
    } catch (error) {
      // Friends keep what they see until it lands (the database is down); the grace's end waits for it too.
      this.log.warn({ err: error, userId: ref.userId }, "could not record the end of the last connection; retrying");
      void retryUntilDone(() => this.writeAndPublish(ref.userId, ended), {
        what: "recording the end of a last connection",
        log: this.log,
        isClosed: () => this.closed,
      }).catch(() => {});
    }
  }

  /**
   * After a store outage (Redis may have come back empty): registers this server's live
   * connections again, replays the disconnects it missed and restores the graces running here,
   * then republishes every user concerned. Idempotent, so a failed attempt is simply retried.
   */
  async reregister(live: ReadonlyArray<{ ref: ConnectionRef; facts: ConnectionFacts }>): Promise<void> {
    const touched = new Set<string>();
    await inBatches(live, async ({ ref, facts }) => {
      await this.store.connect(ref, facts);
      touched.add(ref.userId);
    });
    const restored = new Set<string>();
    for (const [connectionId, { ref, at }] of [...this.missedDisconnects]) {
      await this.store.connect(ref);
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
        await this.store.connect(standIn);
        await this.store.disconnect(standIn, grace.since);
        touched.add(userId);
      }
      const remainingMs = grace.since.getTime() + this.offlineGraceMs + FADE_END_SLACK_MS - this.now().getTime();
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

  /** A change of chosen status, message or allow-list (docs/protocol.md §3 `presence.setStatus`). */
  async changeChoice(userId: string, patch: ChoicePatch): Promise<PresenceState> {
    const live = (await this.store.getLive([userId])).get(userId) ?? OFFLINE_LIVE_PRESENCE;
    const now = this.now();
    const at = now.toISOString();
    const until = new Date(now.getTime() + this.offlineGraceMs).toISOString();
    return this.writeAndPublish(userId, (before) => choiceChanged(before, patch, live.connections > 0, at, until, live));
  }

  /**
   * Who sees the user's last seen (§9.3); `exceptions` omitted keeps them. Published like any
   * durable change: friends' feeds send an update only to those whose view changed.
   */
  async changeLastSeenPrivacy(userId: string, level: LastSeenLevel, exceptions?: Record<string, LastSeenLevel>): Promise<PresenceState> {
    return this.writeAndPublish(userId, (before) => lastSeenPrivacyChanged(before, level, exceptions));
  }

  /** Users whose status or message ends by `by` (docs/protocol.md §9.1), soonest first: when each ends. */
  async choicesEndingBy(by: Date, limit: number): Promise<Map<string, string>> {
    const rows = await this.durables.endingBy(by, limit);
    const ends = new Map<string, string>();
    for (const [userId, { durable }] of rows) {
      const end = nextChoiceEnd(durable);
      if (end !== null) ends.set(userId, end);
    }
    return ends;
  }

  /**
   * Ends the user's status and message that are due now (§9.1) and publishes it, like any change
   * of theirs. Servers racing to end the same one write once: the others' compare-and-set fails,
   * they read the row again, find nothing due, and write and publish nothing. True if this one wrote.
   */
  async endChoices(userId: string): Promise<boolean> {
    const live = (await this.store.getLive([userId])).get(userId) ?? OFFLINE_LIVE_PRESENCE;
    const now = this.now();
    const graceEnd = new Date(now.getTime() + this.offlineGraceMs).toISOString();
    const written = await this.durables.update(userId, (before) => choicesEnded(before, now.toISOString(), live.connections > 0, graceEnd));
    if (!written.changed) return false;
    this.scheduleFadeEnd(userId, written.durable, true);
    await this.publishDurableChange(userId, written.revision);
    return true;
  }

  /** Rule 11: after unfriending, each leaves the other's allow-list and memory. */
  async forgetEachOther(a: string, b: string): Promise<void> {
    for (const [owner, viewer] of [
      [a, b],
      [b, a],
    ] as const) {
      await this.writeAndPublish(owner, (before) => forgetViewer(before, viewer));
    }
  }

  /** These are no longer the user's friends: off the allow-list and out of memory (rule 11). */
  async forgetViewers(userId: string, viewerIds: readonly string[]): Promise<PresenceState> {
    return this.writeAndPublish(userId, (before) => viewerIds.reduce(forgetViewer, before));
  }

  /**
   * Makes friendships with `write` and announces the pairs it answers as `added`. Rules 5 and 6: a
   * new friend saw nothing of what the other's fades show, so the `candidates` (the pairs that are
   * not friends yet) leave each other's fades before the write, and no read between the write and
   * the announcement shows one; the pairs made leave them again after it (a fade made meanwhile,
   * perhaps on another server), before either feed is told. Every path that makes a friendship
   * comes through here.
   */
  async befriend<T extends { added: ReadonlyArray<readonly [string, string]> }>(
    candidates: ReadonlyArray<readonly [string, string]>,
    write: () => Promise<T>,
  ): Promise<T> {
    await this.takeNewFriendsOutOfFades(candidates);
    const written = await write();
    await this.takeNewFriendsOutOfFades(written.added);
    await this.announce(written.added, "friend_added");
    return written;
  }

  /** Announces ended friendships to both users' feeds (rule 11: at once). */
  async announceUnfriended(pairs: ReadonlyArray<readonly [string, string]>): Promise<void> {
    await this.announce(pairs, "friend_removed");
  }

  private async announce(pairs: ReadonlyArray<readonly [string, string]>, type: "friend_added" | "friend_removed"): Promise<void> {
    await Promise.all(
      pairs.map(async ([a, b]) => {
        await this.bus.publish(a, { type, friendId: b });
        await this.bus.publish(b, { type, friendId: a });
      }),
    );
  }

  /**
   * Rules 5 and 6: a new friend saw nothing of what the other's fades show. One read of every
   * user's state (it also brings the rows this server remembers up to the newest revision
   * published: a fade may have been made on another server); a write, published so every server
   * agrees, only for a user who has a fade a new friend is in — rare, as fades last a grace.
   */
  private async takeNewFriendsOutOfFades(pairs: ReadonlyArray<readonly [string, string]>): Promise<void> {
    const states = await this.loadStates([...new Set(pairs.flat())]);
    const inFades = viewersByOwner(pairs, (owner, viewer) => fadeSeenBy(states.get(owner)!, viewer) !== null);
    // Retried like a disconnect's write: given up, the friendship would never be announced.
    const what = "taking new friends out of fades";
    await Promise.all(
      [...inFades].map(([owner, viewers]) =>
        retryUntilDone(() => this.writeAndPublish(owner, (before) => viewers.reduce(befriended, before)), {
          what,
          log: this.log,
          isClosed: () => this.closed,
        }),
      ),
    );
  }

  /** A request between `a` and `b` was made, accepted, declined or cancelled: both their feeds hear of it. */
  async publishRequestsChanged(a: string, b: string): Promise<void> {
    await this.bus.publish(a, { type: "requests_changed" });
    await this.bus.publish(b, { type: "requests_changed" });
  }

  /** Settles users whose connections died with their server (rule 7) or whose grace was orphaned. */
  async reap(): Promise<number> {
    const settled = await this.store.reap(this.now());
    for (const { userId, lastConnectedAt } of settled) await this.recordOffline(userId, lastConnectedAt);
    return settled.length;
  }

  /**
   * Users that a server which is gone vouched were connected to it at `at` (crash-vouches.ts): its
   * live store went with it, so nothing else will settle them. Last seen `at`, as rule 5 allows.
   */
  async settleVouched(userIds: readonly string[], at: string): Promise<void> {
    await inBatches(userIds, (userId) => this.recordOffline(userId, at));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { timer } of this.graces.values()) if (timer) clearTimeout(timer);
    this.graces.clear();
    for (const { timer } of this.fadeTimers.values()) clearTimeout(timer);
    this.fadeTimers.clear();
  }

  /**
   * Settles every pending grace now, ending fades early: used on shutdown so that last seen is
   * recorded and nobody is left seeing a user whose fade no timer would end.
   */
  async settleAllGraces(): Promise<void> {
    const userIds = [...new Set([...this.graces.keys(), ...this.fadeTimers.keys()])];
    for (const userId of userIds) this.cancelGrace(userId);
    await Promise.all(userIds.map((userId) => this.settle(userId, END_OF_TIME)));
  }

  /** Applies `change` to the user's row, publishes the result, and schedules the end of its fades. */
  private async writeAndPublish(userId: string, change: (before: DurablePresence) => DurablePresence): Promise<PresenceState> {
    const askedAt = performance.now();
    const written = await this.durables.update(userId, change);
    if (!written.changed) return this.loadState(userId);
    this.scheduleFadeEnd(userId, written.durable, true);
    const published = await this.publishDurableChange(userId, written.revision);
    this.observer?.changePublished?.(performance.now() - askedAt);
    return published;
  }

  /**
   * A state with fades reached this server (a feed here follows the user): end them here too when
   * they are due. The server that made a fade ends it; if that server died inside the grace, a
   * live feed elsewhere would otherwise keep the fading view until the user's next change. Ending
   * a fade twice writes and publishes nothing the second time.
   */
  watchFades(state: PresenceState): void {
    if (state.fades.length > 0) this.scheduleFadeEnd(state.userId, state);
  }

  /**
   * Makes sure a timer here ends the user's next fade (and publishes it) when it is due. With
   * `current` (the row this server just wrote or confirmed), its fades are all there are: a timer
   * for fades it no longer has is dropped, so a grace's end that already pruned them is not
   * followed by a second, empty round of the same work.
   */
  private scheduleFadeEnd(userId: string, durable: DurablePresence, current = false): void {
    if (current) this.clearFadeTimer(userId);
    const next = nextFadeEnd(durable);
    if (next === null || this.closed) return;
    const at = Date.parse(next) + FADE_END_SLACK_MS;
    const scheduled = this.fadeTimers.get(userId);
    if (scheduled && scheduled.at <= at) return;
    if (scheduled) clearTimeout(scheduled.timer);
    const timer = setTimeout(
      () => {
        this.fadeTimers.delete(userId);
        this.endFades(userId).catch((error: unknown) => this.log.error({ err: error, userId }, "ending a fade failed"));
      },
      Math.max(0, at - this.now().getTime()),
    );
    timer.unref();
    this.fadeTimers.set(userId, { at, timer });
  }

  private clearFadeTimer(userId: string): void {
    const scheduled = this.fadeTimers.get(userId);
    if (scheduled) clearTimeout(scheduled.timer);
    this.fadeTimers.delete(userId);
  }

  /** Fades that are over end: those viewers now see the user offline (rule 5's timing). */
  private async endFades(userId: string, by = this.now().toISOString()): Promise<void> {
    const written = await retryUntilDone(
      async () => {
        // The fade may have been made on another server: bring the row this one remembers up to
        // the newest revision published (`loadState` re-reads it if stale), or it would look gone.
        await this.loadState(userId);
        return this.durables.update(userId, (before) => fadesEnded(before, by));
      },
      { what: "ending fades", log: this.log, isClosed: () => this.closed },
    );
    this.scheduleFadeEnd(userId, written.durable, true);
    if (written.changed) await this.publishDurableChange(userId, written.revision);
  }

  /** After a write to PostgreSQL committed `revision`: a new version, so this state wins (see the header). */
  private async publishDurableChange(userId: string, revision: number): Promise<PresenceState> {
    return this.publishAt(userId, await this.store.orderDurableChange(userId, revision));
  }

  private async publishState(userId: string): Promise<PresenceState> {
    return this.publish(await this.loadState(userId));
  }

  /** Publishes the state at the version of `live`, the live facts a store call just returned. */
  private async publishAt(userId: string, live: LivePresence): Promise<PresenceState> {
    const durable = (await this.durables.currentFor(new Map([[userId, live]]))).get(userId);
    return this.publish({ userId, ...(durable ?? DEFAULT_DURABLE_PRESENCE), ...live });
  }

  private async publish(state: PresenceState): Promise<PresenceState> {
    const message: BusMessage = { type: "state", state, publishedAt: Date.now() };
    await this.bus.publish(state.userId, message);
    return state;
  }

  private startGrace(userId: string, since: Date, delayMs = this.offlineGraceMs + FADE_END_SLACK_MS): void {
    this.cancelGrace(userId);
    const grace: Grace = { since, timer: null };
    grace.timer = setTimeout(() => {
      this.graces.delete(userId);
      this.settle(userId).catch((error: unknown) => {
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

  /** Ends the grace of a user whose last connection here ended, and the fades over by `fadesEndBy`. */
  private async settle(userId: string, fadesEndBy?: string): Promise<void> {
    // Both branches below end the fades due by now (this grace's own among them) and schedule the
    // rest: the fade timer about to fire for the same moment would only repeat that work.
    this.clearFadeTimer(userId);
    const settlement = await this.store.settleOffline(userId);
    if (settlement) await this.recordOffline(userId, settlement.lastConnectedAt, fadesEndBy);
    else await this.endFades(userId, fadesEndBy);
  }

  /** The user is offline, last connected at `lastConnectedAt`: persist last-seen (never lost) and tell everyone. */
  private async recordOffline(userId: string, lastConnectedAt: string, fadesEndBy?: string): Promise<void> {
    const written = await retryUntilDone(
      () =>
        this.durables.update(userId, (before) =>
          fadesEnded(settledOffline(before, lastConnectedAt), fadesEndBy ?? this.now().toISOString()),
        ),
      { what: "recording last seen", log: this.log, isClosed: () => this.closed },
    );
    this.scheduleFadeEnd(userId, written.durable, true);
    await this.publishDurableChange(userId, written.revision);
  }
}

function hasLiveFacts(state: PresenceState, live: LivePresence): boolean {
  return (
    state.online === live.online &&
    state.connections === live.connections &&
    state.version === live.version &&
    state.durableRevision === live.durableRevision &&
    sameDevicesAndIdle(state, live)
  );
}

/** Runs `work` over `items`, REREGISTER_BATCH at a time. */
async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += REREGISTER_BATCH) {
    await Promise.all(items.slice(i, i + REREGISTER_BATCH).map(work));
  }
}
