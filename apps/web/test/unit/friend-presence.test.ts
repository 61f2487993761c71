import { describe, expect, it } from "vitest";
import { applyPresenceEvent, INITIAL_FEED_STATE, mergeFriendPresence } from "../../src/presence/friend-presence";
import type { PresenceEvent, VisiblePresence } from "../../src/presence/types";

const presence = (userId: string, status: VisiblePresence["status"], extra: Partial<VisiblePresence> = {}): VisiblePresence => ({
  userId,
  status,
  message: null,
  lastSeen: null,
  ...extra,
});

const apply = (...events: PresenceEvent[]) => events.reduce(applyPresenceEvent, INITIAL_FEED_STATE);

describe("applyPresenceEvent", () => {
  it("takes everything from a snapshot, replacing what was there", () => {
    const state = apply(
      { type: "snapshot", friends: [presence("a", "online"), presence("b", "away")] },
      { type: "snapshot", friends: [presence("b", "dnd")] },
    );
    expect(state.synced).toBe(true);
    expect([...state.byUserId.values()]).toEqual([presence("b", "dnd")]);
  });

  it("applies single and coalesced updates, latest wins", () => {
    const state = apply(
      { type: "snapshot", friends: [presence("a", "online"), presence("b", "online")] },
      { type: "update", presence: presence("a", "away") },
      { type: "updates", presences: [presence("b", "offline", { lastSeen: "2025-01-01T00:00:00.000Z" }), presence("a", "dnd")] },
    );
    expect(state.byUserId.get("a")?.status).toBe("dnd");
    expect(state.byUserId.get("b")?.lastSeen).toBe("2025-01-01T00:00:00.000Z");
  });

  it("adds and removes friends", () => {
    const state = apply(
      { type: "snapshot", friends: [presence("a", "online")] },
      { type: "friend_added", presence: presence("c", "away") },
      { type: "friend_removed", userId: "a" },
    );
    expect([...state.byUserId.keys()]).toEqual(["c"]);
  });

  it("ignores self events (they are about you, not a friend)", () => {
    const before = apply({ type: "snapshot", friends: [] });
    const after = applyPresenceEvent(before, {
      type: "self",
      presence: { status: "dnd", message: null, visibleTo: [], connections: 1, lastSeen: null },
    });
    expect(after).toBe(before);
  });
});

describe("mergeFriendPresence", () => {
  const list = [
    { id: "a", username: "amy", presence: presence("a", "offline") },
    { id: "n", username: "new_friend", presence: presence("n", "online") },
  ];

  it("prefers the feed's presence over the list's", () => {
    const feed = apply({ type: "snapshot", friends: [presence("a", "online", { message: "hi" })] });
    const merged = mergeFriendPresence(list, feed);
    expect(merged[0]).toEqual({ id: "a", username: "amy", presence: presence("a", "online", { message: "hi" }) });
  });

  it("keeps the list's presence for a friend the feed has not announced yet", () => {
    const feed = apply({ type: "snapshot", friends: [presence("a", "online")] });
    expect(mergeFriendPresence(list, feed)[1]?.presence.status).toBe("online");
  });
});
