/**
 * Last-seen controls (docs/protocol.md §9.3) and "See as" (§9.4) in the engine: levels,
 * exceptions, reciprocity, buckets, and the reasons `viewOf` gives when asked.
 */
import { describe, expect, it } from "vitest";
import { MemoryPresenceBus } from "../src/bus/memory-bus.js";
import { bucketOf, levelFor, type ViewContext } from "../src/engine/last-seen.js";
import { forgetViewer, lastSeenPrivacyChanged } from "../src/engine/transitions.js";
import { viewOf } from "../src/engine/visibility.js";
import type { PresenceEvent } from "../src/feed/events.js";
import { FriendFeed } from "../src/feed/friend-feed.js";
import { silentLogger } from "../src/logger.js";
import { DEFAULT_DURABLE_PRESENCE, type PresenceState } from "../src/types.js";
import { presenceState } from "./fixtures/presence-state.js";

const T = "00000000-0000-4000-8000-00000000000a";
const V = "00000000-0000-4000-8000-00000000000b";
const W = "00000000-0000-4000-8000-00000000000c";
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse("2026-06-01T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();

const EXACT: ViewContext = { now: NOW, viewerLevel: "friends", reciprocity: true };

function state(overrides: Partial<PresenceState> = {}): PresenceState {
  return presenceState(T, overrides);
}

describe("bucketOf", () => {
  it("puts ≤ 3 days in recently, ≤ 7 in within a week, ≤ 30 in within a month, the rest in long ago", () => {
    expect(bucketOf(ago(0), NOW)).toBe("recently");
    expect(bucketOf(ago(3 * DAY), NOW)).toBe("recently");
    expect(bucketOf(ago(3 * DAY + 1), NOW)).toBe("within a week");
    expect(bucketOf(ago(7 * DAY), NOW)).toBe("within a week");
    expect(bucketOf(ago(7 * DAY + 1), NOW)).toBe("within a month");
    expect(bucketOf(ago(30 * DAY), NOW)).toBe("within a month");
    expect(bucketOf(ago(30 * DAY + 1), NOW)).toBe("long ago");
    expect(bucketOf(ago(400 * DAY), NOW)).toBe("long ago");
  });

  it("counts a moment in the future (clock skew between servers) as now", () => {
    expect(bucketOf(ago(-DAY), NOW)).toBe("recently");
  });
});

describe("viewOf with last-seen levels", () => {
  const offline = state({ lastSeen: ago(5 * DAY) });

  it("shows the exact instant at friends, a bucket at approximate, and nothing at nobody", () => {
    expect(viewOf(offline, V, EXACT)).toMatchObject({ status: "offline", lastSeen: ago(5 * DAY), lastSeenBucket: null });
    const approximate = viewOf({ ...offline, lastSeenLevel: "approximate" }, V, EXACT);
    expect(approximate).toMatchObject({ status: "offline", lastSeen: null, lastSeenBucket: "within a week" });
    const nobody = viewOf({ ...offline, lastSeenLevel: "nobody" }, V, EXACT);
    expect(nobody).toMatchObject({ status: "offline", lastSeen: null, lastSeenBucket: null });
  });

  it("gives no bucket when there is no last seen", () => {
    expect(viewOf(state({ lastSeenLevel: "approximate" }), V, EXACT)).toMatchObject({ lastSeen: null, lastSeenBucket: null });
  });

  it("lets an exception replace the default for one friend, both ways", () => {
    const hidden = { ...offline, lastSeenLevel: "nobody" as const, lastSeenExceptions: { [V]: "friends" as const } };
    expect(viewOf(hidden, V, EXACT).lastSeen).toBe(ago(5 * DAY));
    expect(viewOf(hidden, W, EXACT).lastSeen).toBeNull();
    const shared = { ...offline, lastSeenExceptions: { [V]: "approximate" as const } };
    expect(viewOf(shared, V, EXACT)).toMatchObject({ lastSeen: null, lastSeenBucket: "within a week" });
    expect(viewOf(shared, W, EXACT).lastSeen).toBe(ago(5 * DAY));
  });

  it("with reciprocity, a viewer who hides their own last seen sees others' at most approximately", () => {
    for (const viewerLevel of ["approximate", "nobody"] as const) {
      const context = { ...EXACT, viewerLevel };
      expect(viewOf(offline, V, context)).toMatchObject({ lastSeen: null, lastSeenBucket: "within a week" });
      expect(viewOf({ ...offline, lastSeenLevel: "nobody" }, V, context).lastSeenBucket).toBeNull();
      expect(viewOf(offline, V, { ...context, reciprocity: false }).lastSeen).toBe(ago(5 * DAY));
    }
  });

  it("leaves views of a connected user alone: no last seen to show", () => {
    const online = state({ online: true, connections: 1, lastSeen: ago(DAY), lastSeenLevel: "approximate" });
    expect(viewOf(online, V, EXACT)).toMatchObject({ status: "online", lastSeen: null, lastSeenBucket: null });
  });

  it("shows an invisible user to a hidden viewer exactly as one who went offline at the same moment, at every level", () => {
    const at = ago(2 * DAY);
    for (const lastSeenLevel of ["friends", "approximate", "nobody"] as const) {
      const invisible = state({ online: true, connections: 1, status: "invisible", lastSeen: at, lastSeenLevel });
      const gone = state({ lastSeen: at, lastSeenLevel });
      expect(viewOf(invisible, V, EXACT)).toEqual(viewOf(gone, V, EXACT));
    }
  });
});

describe("levelFor", () => {
  it("never raises a level: reciprocity turns friends into approximate and leaves the rest", () => {
    const capped = { ...EXACT, viewerLevel: "nobody" as const };
    expect(levelFor({ lastSeenLevel: "friends", lastSeenExceptions: {} }, V, capped)).toBe("approximate");
    expect(levelFor({ lastSeenLevel: "approximate", lastSeenExceptions: {} }, V, capped)).toBe("approximate");
    expect(levelFor({ lastSeenLevel: "nobody", lastSeenExceptions: {} }, V, capped)).toBe("nobody");
  });
});

describe("viewOf's reasons (See as)", () => {
  const why = (s: PresenceState, context = EXACT) => {
    const reasons: string[] = [];
    const view = viewOf(s, V, context, reasons);
    expect(view).toEqual(viewOf(s, V, context)); // explaining changes nothing
    return reasons;
  };

  it("says what decides the status", () => {
    expect(why(state({ online: true, connections: 1 }))).toEqual(["you are connected"]);
    const invisible = state({ online: true, connections: 1, status: "invisible" });
    expect(why({ ...invisible, visibleTo: [V] })).toEqual(["you are invisible", "on your allow-list"]);
    expect(why(invisible)).toContain("not on your allow-list");
    expect(why(state())).toContain("you are offline");
  });

  it("says what decides the last seen", () => {
    const offline = state({ lastSeen: ago(DAY) });
    expect(why({ ...offline, lastSeenLevel: "approximate" })).toContain("your last seen is approximate for everyone");
    expect(why({ ...offline, lastSeenExceptions: { [V]: "nobody" } })).toContain("an exception: nobody sees your last seen");
    expect(why(offline, { ...EXACT, viewerLevel: "nobody" })).toContain(
      "they hide their own last seen, so they see yours only approximately",
    );
    expect(why(state())).toContain("they have never seen you online");
  });
});

describe("transitions of last-seen privacy", () => {
  it("changes the level, keeps exceptions when they are omitted, and writes nothing when nothing changed", () => {
    const before = { ...DEFAULT_DURABLE_PRESENCE, lastSeenExceptions: { [V]: "nobody" as const } };
    const after = lastSeenPrivacyChanged(before, "approximate");
    expect(after).toMatchObject({ lastSeenLevel: "approximate", lastSeenExceptions: { [V]: "nobody" } });
    expect(lastSeenPrivacyChanged(after, "approximate", { [V]: "nobody" })).toBe(after);
    expect(lastSeenPrivacyChanged(after, "approximate", {}).lastSeenExceptions).toEqual({});
  });

  it("moves no last seen and adds no fade", () => {
    const before = { ...DEFAULT_DURABLE_PRESENCE, lastSeen: ago(DAY) };
    const after = lastSeenPrivacyChanged(before, "nobody");
    expect(after.lastSeen).toBe(before.lastSeen);
    expect(after.fades).toEqual([]);
  });

  it("forgets an unfriended viewer's exception (rule 11)", () => {
    const before = { ...DEFAULT_DURABLE_PRESENCE, lastSeenExceptions: { [V]: "nobody" as const, [W]: "friends" as const } };
    expect(forgetViewer(before, V).lastSeenExceptions).toEqual({ [W]: "friends" });
  });
});

describe("a live feed and the viewer's own level (reciprocity)", () => {
  async function feedOf(viewerLevel: "friends" | "nobody", friend: PresenceState, reciprocity = true) {
    const bus = new MemoryPresenceBus();
    let own = selfState(V, viewerLevel, 1);
    const feed = new FriendFeed(V, {
      bus,
      friendIdsOf: async () => [T],
      loadStates: async (ids) => new Map(ids.map((id) => [id, id === T ? friend : own])),
      requestsOf: async () => ({ incoming: [], outgoing: [] }),
      lastSeenReciprocity: reciprocity,
      log: silentLogger,
    });
    await feed.start();
    const publishOwn = async (level: "friends" | "nobody", version: number) => {
      own = selfState(V, level, version);
      await bus.publish(V, { type: "state", state: own });
    };
    return { bus, feed, publishOwn };
  }

  it("sends every friend whose view changes again when the viewer hides their own last seen, and back", async () => {
    const friend = state({ lastSeen: new Date(Date.now() - 2 * DAY).toISOString() });
    const { feed, publishOwn, bus } = await feedOf("friends", friend);
    const [snapshot] = feed.takeQueued();
    expect(snapshot).toMatchObject({ type: "snapshot", friends: [{ lastSeen: friend.lastSeen, lastSeenBucket: null }] });
    await publishOwn("nobody", 2);
    expect(updatesIn(feed.takeQueued())).toEqual([expect.objectContaining({ userId: T, lastSeen: null, lastSeenBucket: "recently" })]);
    await publishOwn("friends", 3);
    expect(updatesIn(feed.takeQueued())).toEqual([expect.objectContaining({ userId: T, lastSeen: friend.lastSeen, lastSeenBucket: null })]);
    feed.close();
    expect(bus.listenerCount()).toBe(0);
  });

  it("sends nothing about friends when reciprocity is off, or their view does not change", async () => {
    const friend = state({ lastSeen: new Date(Date.now() - DAY).toISOString() });
    const off = await feedOf("friends", friend, false);
    off.feed.takeQueued();
    await off.publishOwn("nobody", 2);
    expect(updatesIn(off.feed.takeQueued())).toEqual([]);
    off.feed.close();
    const hidden = await feedOf("friends", { ...friend, lastSeenLevel: "nobody" });
    hidden.feed.takeQueued();
    await hidden.publishOwn("nobody", 2);
    expect(updatesIn(hidden.feed.takeQueued())).toEqual([]);
    hidden.feed.close();
  });
});

function selfState(userId: string, lastSeenLevel: "friends" | "nobody", version: number): PresenceState {
  return {
    userId,
    ...DEFAULT_DURABLE_PRESENCE,
    lastSeenLevel,
    online: true,
    connections: 1,
    devices: ["web"],
    idle: false,
    version,
    durableRevision: 0,
  };
}

function updatesIn(events: PresenceEvent[]) {
  return events.flatMap((event) => (event.type === "update" ? [event.presence] : event.type === "updates" ? event.presences : []));
}
