/**
 * Property test of the last-seen levels (docs/protocol.md §9.3): random histories of one user
 * (connections, invisibility, allow-lists, privacy changes, spread over weeks), random viewers
 * with their own levels, with and without reciprocity. Every view, and every event of a live
 * feed, carries no more precision than the viewer's level; an approximate viewer gets no update
 * when only the exact time moved inside its bucket; and the reasons (`presence.preview`) come
 * from the call that makes the view, without changing it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LastSeenLevel } from "@herald/protocol";
import { LAST_SEEN_LEVELS } from "@herald/protocol";
import { MemoryPresenceBus } from "../src/bus/memory-bus.js";
import type { ViewContext } from "../src/engine/last-seen.js";
import { choiceChanged, fadesEnded, lastConnectionEnded, lastSeenPrivacyChanged, settledOffline } from "../src/engine/transitions.js";
import { sameVisiblePresence, viewOf } from "../src/engine/visibility.js";
import type { PresenceEvent } from "../src/feed/events.js";
import { FriendFeed } from "../src/feed/friend-feed.js";
import { silentLogger } from "../src/logger.js";
import { presencesIn } from "../src/testing/index.js";
import { presenceState } from "./fixtures/presence-state.js";
import { DEFAULT_DURABLE_PRESENCE, type DurablePresence, type PresenceState, type VisiblePresence } from "../src/types.js";

const USER = "00000000-0000-4000-8000-000000000001";
const VIEWERS = ["00000000-0000-4000-8000-0000000000f1", "00000000-0000-4000-8000-0000000000f2", "00000000-0000-4000-8000-0000000000f3"];
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const GRACE_MS = 5_000;
/**
 * Every moment in a history is a whole number of hours plus half an hour before "now": never
 * within 30 minutes of a bucket's edge (3, 7, 30 days), so moving a time by less than that, or
 * the clock running on during the test, never crosses one.
 */
const MARGIN_MS = 30 * 60 * 1000;

type Op =
  | { kind: "connect" }
  | { kind: "disconnect" }
  | { kind: "status"; status: "online" | "invisible"; visibleTo: string[] }
  | { kind: "privacy"; level: LastSeenLevel; exceptions: Record<string, LastSeenLevel> | undefined };

const levelArb = fc.constantFrom(...LAST_SEEN_LEVELS);
const exceptionsArb = fc
  .array(fc.tuple(fc.constantFrom(...VIEWERS), levelArb), { maxLength: 3 })
  .map((pairs) => Object.fromEntries(pairs) as Record<string, LastSeenLevel>);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: "connect" }),
  fc.constant<Op>({ kind: "disconnect" }),
  fc.record({
    kind: fc.constant("status" as const),
    status: fc.constantFrom("online" as const, "invisible" as const),
    visibleTo: fc.subarray(VIEWERS),
  }),
  fc.record({ kind: fc.constant("privacy" as const), level: levelArb, exceptions: fc.option(exceptionsArb, { nil: undefined }) }),
);
/** Each op with the hours since the one before it: up to ~3 weeks. */
const historyArb = fc.array(fc.tuple(opArb, fc.integer({ min: 1, max: 500 })), { minLength: 1, maxLength: 25 });
const viewerLevelsArb = fc.tuple(levelArb, levelArb, levelArb);
/** Hours between the last op and "now": up to ~45 days, so every bucket comes up, often right at an edge. */
const tailArb = fc.oneof(
  fc.integer({ min: 0, max: 1100 }),
  fc.constantFrom(3 * 24, 7 * 24, 30 * 24).chain((edge) => fc.integer({ min: edge - 2, max: edge + 1 })),
);

/** One user's presence, driven through the engine's transitions. */
class History {
  durable: DurablePresence = { ...DEFAULT_DURABLE_PRESENCE };
  connections = 0;
  version = 0;

  apply(op: Op, at: number): void {
    const iso = new Date(at).toISOString();
    const until = new Date(at + GRACE_MS).toISOString();
    // Ops are hours apart: whatever faded before has long ended.
    this.durable = fadesEnded(this.durable, iso);
    switch (op.kind) {
      case "connect":
        this.connections += 1;
        break;
      case "disconnect":
        if (this.connections === 0) return;
        this.connections -= 1;
        if (this.connections === 0) {
          this.durable = lastConnectionEnded(this.durable, iso, until);
          this.durable = fadesEnded(settledOffline(this.durable, iso), until);
        }
        break;
      case "status":
        this.durable = choiceChanged(this.durable, { status: op.status, visibleTo: op.visibleTo }, this.connections > 0, iso, until);
        break;
      case "privacy":
        this.durable = lastSeenPrivacyChanged(this.durable, op.level, op.exceptions);
        break;
    }
    this.version += 1;
  }

  state(): PresenceState {
    return {
      userId: USER,
      ...this.durable,
      online: this.connections > 0,
      connections: this.connections,
      devices: this.connections > 0 ? ["web"] : [],
      idle: false,
      version: this.version,
      durableRevision: 0,
    };
  }
}

/** The level stated directly: the exception, else the default; reciprocity lowers `friends` to `approximate`. */
function expectedLevel(durable: DurablePresence, viewerId: string, context: ViewContext): LastSeenLevel {
  const granted = durable.lastSeenExceptions[viewerId] ?? durable.lastSeenLevel;
  return context.reciprocity && context.viewerLevel !== "friends" && granted === "friends" ? "approximate" : granted;
}

function expectedBucket(lastSeen: string, now: number): string {
  const days = (now - Date.parse(lastSeen)) / DAY;
  return days <= 3 ? "recently" : days <= 7 ? "within a week" : days <= 30 ? "within a month" : "long ago";
}

/** The view obeys `level`: exact instant only at friends, a bucket only at approximate, consistent with the instant. */
function expectObeys(view: VisiblePresence, exact: VisiblePresence, level: LastSeenLevel, now: number): void {
  if (level === "friends") {
    expect(view.lastSeenBucket).toBeNull();
    expect(view).toEqual(exact);
    return;
  }
  expect(view.lastSeen).toBeNull();
  if (level === "nobody") expect(view.lastSeenBucket).toBeNull();
  else expect(view.lastSeenBucket).toBe(exact.lastSeen === null ? null : expectedBucket(exact.lastSeen, now));
  expect({ ...view, lastSeenBucket: null }).toEqual({ ...exact, lastSeen: null });
}

/** The same state with every recorded moment moved by `shiftMs` (less than MARGIN_MS: no bucket changes). */
function shifted(state: PresenceState, shiftMs: number, version: number): PresenceState {
  const move = (iso: string) => new Date(Date.parse(iso) + shiftMs).toISOString();
  return {
    ...state,
    version,
    lastSeen: state.lastSeen === null ? null : move(state.lastSeen),
    lastSeenBy: Object.fromEntries(Object.entries(state.lastSeenBy).map(([id, at]) => [id, move(at)])),
    lastDisconnectedAt: state.lastDisconnectedAt === null ? null : move(state.lastDisconnectedAt),
  };
}

const shiftArb = fc.integer({ min: -(MARGIN_MS - 60_000), max: MARGIN_MS - 60_000 }).filter((ms) => ms !== 0);

describe("last-seen levels (property)", () => {
  it("every view obeys the viewer's level, and an approximate or hidden viewer cannot tell times within a bucket apart", () => {
    fc.assert(
      fc.property(historyArb, tailArb, viewerLevelsArb, fc.boolean(), shiftArb, (history, tail, viewerLevels, reciprocity, shiftMs) => {
        const now = Date.parse("2026-06-01T00:00:00.000Z");
        const total = history.reduce((sum, [, hours]) => sum + hours, 0) + tail;
        let at = now - total * HOUR - MARGIN_MS;
        const user = new History();
        for (const [op, hours] of history) {
          at += hours * HOUR;
          user.apply(op, at);
          const state = user.state();
          VIEWERS.forEach((viewerId, i) => {
            const context: ViewContext = { now, viewerLevel: viewerLevels[i]!, reciprocity };
            const level = expectedLevel(state, viewerId, context);
            const exact = viewOf({ ...state, lastSeenLevel: "friends", lastSeenExceptions: {} }, viewerId, {
              ...context,
              reciprocity: false,
            });
            const view = viewOf(state, viewerId, context);
            expectObeys(view, exact, level, now);
            const reasons: string[] = [];
            expect(viewOf(state, viewerId, context, reasons)).toEqual(view);
            expect(reasons.length).toBeGreaterThan(0);
            if (level !== "friends")
              expect(sameVisiblePresence(viewOf(shifted(state, shiftMs, state.version), viewerId, context), view)).toBe(true);
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a live feed sends only what the level allows, and nothing when only the exact time moved inside a bucket", async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArb,
        tailArb,
        levelArb,
        fc.boolean(),
        fc.array(shiftArb, { minLength: 25, maxLength: 25 }),
        async (history, tail, viewerLevel, reciprocity, shifts) => {
          const viewer = VIEWERS[0]!;
          // The feed makes its views at Date.now(): the history is laid out before it.
          const now = Date.now();
          const total = history.reduce((sum, [, hours]) => sum + hours, 0) + tail;
          let at = now - total * HOUR - MARGIN_MS;
          const user = new History();
          const bus = new MemoryPresenceBus();
          const own = presenceState(viewer, { lastSeenLevel: viewerLevel, online: true, connections: 1, devices: ["web"] });
          const feed = new FriendFeed(viewer, {
            bus,
            friendIdsOf: async () => [USER],
            loadStates: async (ids) => new Map(ids.map((id) => [id, id === USER ? user.state() : own])),
            requestsOf: async () => ({ incoming: [], outgoing: [] }),
            lastSeenReciprocity: reciprocity,
            log: silentLogger,
          });
          await feed.start();
          const context: ViewContext = { now, viewerLevel, reciprocity };
          const check = (events: PresenceEvent[]) => {
            for (const view of events.flatMap(presencesIn)) {
              const state = user.state();
              const level = expectedLevel(state, viewer, context);
              const exact = viewOf({ ...state, lastSeenLevel: "friends", lastSeenExceptions: {} }, viewer, {
                ...context,
                reciprocity: false,
              });
              expectObeys(view, exact, level, now);
            }
          };
          check(feed.takeQueued());
          for (const [step, [op, hours]] of history.entries()) {
            at += hours * HOUR;
            user.apply(op, at);
            // Room for the two republished states below before the next op's version.
            const version = user.version * 2;
            await bus.publish(USER, { type: "state", state: { ...user.state(), version } });
            check(feed.takeQueued());
            // The same state again, only its moments moved within their buckets (and a newer version).
            const level = expectedLevel(user.state(), viewer, context);
            await bus.publish(USER, { type: "state", state: shifted(user.state(), shifts[step]!, version + 1) });
            const events = feed.takeQueued();
            if (level !== "friends") expect(events.flatMap(presencesIn)).toEqual([]);
            // Back to the true moments before the next op (a friends-level viewer may see them move back).
            await bus.publish(USER, { type: "state", state: { ...user.state(), version: version + 1.5 } });
            feed.takeQueued();
          }
          feed.close();
          expect(bus.listenerCount()).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
