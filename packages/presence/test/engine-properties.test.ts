/**
 * Model-based property test of the engine: random sequences of connects (of each kind of device),
 * disconnects, idle and active signals per connection, grace expiries, fade ends, status, message
 * and allow-list changes, and statuses and messages that end by themselves (§9.1). A reference
 * model tracks, per
 * viewer, when they could last see the user and what they keep seeing while the user fades from
 * their sight; the engine's views must always match it (rules 2, 3, 5, 6; §7.2 auto-away and §9.2
 * devices: a fade keeps the devices and the shown status seen when the user vanished).
 * The same sequences drive a live feed, which must send an event exactly when a view changes
 * and converge on the final view (rule 9).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryPresenceBus } from "../src/bus/memory-bus.js";
import { choiceChanged, choicesEnded, fadesEnded, lastConnectionEnded, settledOffline } from "../src/engine/transitions.js";
import { sharedViewOf } from "../src/engine/shared-views.js";
import { sameVisiblePresence, viewOf, type ViewContext } from "../src/engine/visibility.js";
import type { PresenceEvent } from "../src/feed/events.js";
import { FriendFeed } from "../src/feed/friend-feed.js";
import { silentLogger } from "../src/logger.js";
import { presenceState } from "./fixtures/presence-state.js";
import {
  CHOSEN_STATUSES,
  combineConnections,
  DEFAULT_DURABLE_PRESENCE,
  DEVICE_KINDS,
  type ConnectionFacts,
  type DeviceKind,
  type DurablePresence,
  type PresenceState,
  type VisiblePresence,
} from "../src/types.js";

const USER = "00000000-0000-4000-8000-000000000001";
const VIEWERS = ["00000000-0000-4000-8000-0000000000v1", "00000000-0000-4000-8000-0000000000v2", "00000000-0000-4000-8000-0000000000v3"];

/** Views at the default level, as every viewer here sees them. */
const EXACT: ViewContext = { now: Date.parse("2026-01-01T00:00:00.000Z"), viewerLevel: "friends", reciprocity: false };

/** A friend who is on no allow-list: what everyone outside the allow-list sees. */
const NEVER_ALLOWED = "00000000-0000-4000-8000-0000000000h0";

type Op =
  | { kind: "connect"; device: DeviceKind }
  | { kind: "disconnect"; index: number }
  | { kind: "idle"; index: number; idle: boolean }
  | { kind: "graceExpires" }
  | { kind: "fadesEnd" }
  | { kind: "status"; status: (typeof CHOSEN_STATUSES)[number] }
  | { kind: "message"; message: string | null }
  | { kind: "allow"; visibleTo: string[] }
  | { kind: "statusFor"; status: (typeof CHOSEN_STATUSES)[number]; message: string | null; steps: number }
  | { kind: "choicesEnd" };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom(...DEVICE_KINDS).map((device): Op => ({ kind: "connect", device })),
  fc.nat(3).map((index): Op => ({ kind: "disconnect", index })),
  fc.record({ index: fc.nat(3), idle: fc.boolean() }).map(({ index, idle }): Op => ({ kind: "idle", index, idle })),
  fc.constant<Op>({ kind: "graceExpires" }),
  fc.constant<Op>({ kind: "fadesEnd" }),
  fc.constantFrom(...CHOSEN_STATUSES).map((status): Op => ({ kind: "status", status })),
  fc.option(fc.constantFrom("a", "b"), { nil: null }).map((message): Op => ({ kind: "message", message })),
  fc.subarray(VIEWERS).map((visibleTo): Op => ({ kind: "allow", visibleTo })),
  fc
    .record({
      status: fc.constantFrom(...CHOSEN_STATUSES),
      message: fc.option(fc.constantFrom("a", "b"), { nil: null }),
      steps: fc.integer({ min: 1, max: 4 }),
    })
    .map((op): Op => ({ kind: "statusFor", ...op })),
  fc.constant<Op>({ kind: "choicesEnd" }),
);

/** Steps (seconds) a fade lasts: the offline grace. */
const GRACE_STEPS = 3;

/** The system under test: the engine's pure functions plus live facts as the store keeps them. */
class EngineModel {
  durable: DurablePresence = { ...DEFAULT_DURABLE_PRESENCE };
  /** The live connections, oldest first: what each says of itself. */
  conns: ConnectionFacts[] = [];
  online = false;
  lastConnectedAt: string | null = null;
  version = 0;

  /** Applies `op` at `at`; true when fades that were over ended with it. */
  apply(op: Op, at: string): boolean {
    const until = new Date(Date.parse(at) + GRACE_STEPS * 1000).toISOString();
    let endedFades = false;
    switch (op.kind) {
      case "connect":
        this.conns.push({ device: op.device, idle: false });
        this.online = true;
        break;
      case "disconnect": {
        if (this.conns.length === 0) return false;
        const [ended] = this.conns.splice(op.index % this.conns.length, 1);
        if (this.conns.length === 0) {
          this.lastConnectedAt = at;
          this.durable = lastConnectionEnded(this.durable, at, until, combineConnections([ended!]));
        }
        break;
      }
      case "idle":
        if (this.conns.length === 0) return false;
        this.conns[op.index % this.conns.length]!.idle = op.idle;
        break;
      case "graceExpires":
        if (!this.online || this.conns.length > 0) return false;
        this.online = false;
        this.durable = fadesEnded(settledOffline(this.durable, this.lastConnectedAt!), at);
        endedFades = true;
        break;
      case "fadesEnd":
        this.durable = fadesEnded(this.durable, at);
        endedFades = true;
        break;
      case "status":
        this.durable = choiceChanged(this.durable, { status: op.status }, this.connected, at, until, this.live());
        break;
      case "message":
        this.durable = choiceChanged(this.durable, { message: op.message }, this.connected, at, until, this.live());
        break;
      case "allow":
        this.durable = choiceChanged(this.durable, { visibleTo: op.visibleTo }, this.connected, at, until, this.live());
        break;
      case "statusFor": {
        const ends = new Date(Date.parse(at) + op.steps * 1000).toISOString();
        const patch = { status: op.status, message: op.message, until: ends };
        this.durable = choiceChanged(this.durable, patch, this.connected, at, until, this.live());
        break;
      }
      case "choicesEnd":
        this.durable = choicesEnded(this.durable, at, this.connected, until);
        break;
    }
    this.version += 1;
    return endedFades;
  }

  get connected(): boolean {
    return this.conns.length > 0;
  }

  live() {
    return combineConnections(this.conns);
  }

  state(): PresenceState {
    const live = { online: this.online, connections: this.conns.length, ...this.live(), version: this.version, durableRevision: 0 };
    return { userId: USER, ...this.durable, ...live };
  }

  /** What a friend who sees the chosen status sees: auto-away and devices stated directly. */
  chosenView(): VisiblePresence {
    const { status, message, statusUntil } = this.durable;
    const everyDeviceIdle = this.conns.length > 0 && this.conns.every((c) => c.idle);
    const visible = status === "invisible" ? "online" : status === "online" && everyDeviceIdle ? "away" : status;
    return {
      userId: USER,
      status: visible,
      message,
      lastSeen: null,
      until: status === "invisible" ? null : statusUntil,
      devices: [...new Set(this.conns.map((c) => c.device))].sort(),
      lastSeenBucket: null,
    };
  }
}

/**
 * The rules stated directly, per viewer: can they see the user now, when did they last, and what
 * do they keep seeing after losing sight, until the grace is over?
 */
class ReferenceModel {
  private readonly lastSeen = new Map<string, string>();
  private readonly couldSee = new Map<string, boolean>();
  private readonly fading = new Map<string, { view: VisiblePresence; until: string }>();

  /** `before`: what a viewer who saw the chosen status saw just before `op`. */
  observe(engine: EngineModel, before: VisiblePresence, at: string, endedFades: boolean): void {
    for (const viewer of [...VIEWERS, NEVER_ALLOWED]) {
      const fading = this.fading.get(viewer);
      if (fading && endedFades && fading.until <= at) this.fading.delete(viewer);
      const canSee = this.canSee(engine, viewer);
      if (canSee) this.fading.delete(viewer);
      if (this.couldSee.get(viewer) && !canSee) {
        // Losing sight (a disconnect or a hide) dates from now — but never earlier than a moment
        // the viewer already saw the user; and the last view stays on for the grace.
        const earlier = this.lastSeen.get(viewer);
        this.lastSeen.set(viewer, earlier && earlier > at ? earlier : at);
        this.fading.set(viewer, { view: before, until: new Date(Date.parse(at) + GRACE_STEPS * 1000).toISOString() });
      }
      this.couldSee.set(viewer, canSee);
    }
  }

  expectedView(engine: EngineModel, viewer: string): VisiblePresence {
    if (this.canSee(engine, viewer)) return engine.chosenView();
    const fading = this.fading.get(viewer);
    if (fading) return fading.view;
    // Whoever is on the allow-list could see the user whenever friends outside it could, so their
    // last seen is never older than the one those friends see.
    const own = this.lastSeen.get(viewer) ?? null;
    const outside = this.lastSeen.get(NEVER_ALLOWED) ?? null;
    const lastSeen = own && outside && outside > own ? outside : own;
    return { userId: USER, status: "offline", message: null, lastSeen, until: null, devices: [], lastSeenBucket: null };
  }

  private canSee(engine: EngineModel, viewer: string): boolean {
    return engine.connected && (engine.durable.status !== "invisible" || engine.durable.visibleTo.includes(viewer));
  }
}

const timeOf = (step: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, step)).toISOString();

describe("engine properties", () => {
  it("every viewer always sees what the rules say (rules 2, 5, 6)", () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 40 }), (ops) => {
        const engine = new EngineModel();
        const reference = new ReferenceModel();
        ops.forEach((op, step) => {
          const at = timeOf(step + 1);
          const before = engine.chosenView();
          reference.observe(engine, before, at, engine.apply(op, at));
          for (const viewer of VIEWERS) expect(viewOf(engine.state(), viewer, EXACT)).toEqual(reference.expectedView(engine, viewer));
        });
      }),
      { numRuns: 3000 },
    );
  });

  it("viewers share a view object exactly when they see the same thing, and it is what the rules say", () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 40 }), (ops) => {
        const engine = new EngineModel();
        const reference = new ReferenceModel();
        const viewers = [...VIEWERS, NEVER_ALLOWED];
        ops.forEach((op, step) => {
          const at = timeOf(step + 1);
          const before = engine.chosenView();
          reference.observe(engine, before, at, engine.apply(op, at));
          const state = engine.state(); // one object, as the channel hub hands every follower
          const views = viewers.map((viewer) => sharedViewOf(state, viewer, EXACT));
          views.forEach((view, i) => expect(view).toEqual(reference.expectedView(engine, viewers[i]!)));
          for (const a of views) for (const b of views) expect(a === b).toBe(sameVisiblePresence(a, b));
        });
      }),
      { numRuns: 3000 },
    );
  });

  it("a live feed sends an event exactly when its view changes, and converges (rule 9)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { maxLength: 30 }), fc.array(fc.boolean(), { maxLength: 30 }), async (ops, pulls) => {
        const viewer = VIEWERS[0]!;
        const engine = new EngineModel();
        const bus = new MemoryPresenceBus();
        const feed = new FriendFeed(viewer, {
          bus,
          friendIdsOf: async () => [USER],
          loadStates: async (ids) => new Map(ids.map((id) => [id, id === USER ? engine.state() : selfState(viewer)])),
          requestsOf: async () => ({ incoming: [], outgoing: [] }),
          lastSeenReciprocity: true,
          log: silentLogger,
        });
        await feed.start();
        const seen: VisiblePresence[] = [];
        const drain = () => feed.takeQueued().forEach((event) => record(seen, event));
        drain(); // the snapshot
        for (const [step, op] of ops.entries()) {
          engine.apply(op, timeOf(step + 1));
          await bus.publish(USER, { type: "state", state: engine.state() });
          // Sometimes the transport is slow: updates pile up and must coalesce.
          if (pulls[step]) drain();
        }
        drain();
        for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toEqual(seen[i - 1]);
        expect(seen.at(-1)).toEqual(viewOf(engine.state(), viewer, EXACT));
        feed.close();
        expect(bus.listenerCount()).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

function record(seen: VisiblePresence[], event: PresenceEvent): void {
  if (event.type === "snapshot") seen.push(...event.friends);
  else if (event.type === "update") seen.push(event.presence);
  else if (event.type === "updates") seen.push(...event.presences);
}

function selfState(userId: string): PresenceState {
  return presenceState(userId, { online: true, connections: 1, devices: ["web"] });
}
