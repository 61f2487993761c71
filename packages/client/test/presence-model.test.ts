/** The model's pure rules: what each event does, and that nothing changes identity without a change. */
import { describe, expect, it } from "vitest";
import { applyEvent, EMPTY_MODEL, withNames, withOwn, withRequests } from "../src/presence-model.js";
import type { OwnPresence, VisiblePresence } from "../src/types.js";

const presence = (userId: string, status: VisiblePresence["status"] = "online"): VisiblePresence => ({
  userId,
  status,
  message: null,
  lastSeen: status === "offline" ? "2026-01-01T00:00:00.000Z" : null,
  until: null,
  devices: status === "offline" ? [] : ["web"],
  lastSeenBucket: null,
});
const own: OwnPresence = {
  status: "online",
  message: null,
  visibleTo: [],
  connections: 1,
  lastSeen: null,
  until: null,
  messageUntil: null,
  devices: ["web"],
  idle: false,
  lastSeenPrivacy: { level: "friends", exceptions: {} },
};
const named = withNames(EMPTY_MODEL, [
  { id: "b", username: "bob" },
  { id: "c", username: "carol" },
  { id: "d", username: "dave" },
]);

describe("the presence model", () => {
  it("replaces everything with a snapshot, and keeps the friends it cannot name yet out of the list", () => {
    const first = applyEvent(named, { type: "snapshot", friends: [presence("b"), presence("c", "offline")] });
    expect(first.friends.map((f) => f.username)).toEqual(["bob", "carol"]);
    const second = applyEvent(first, { type: "snapshot", friends: [presence("c"), presence("x")] });
    expect(second.friends.map((f) => f.username)).toEqual(["carol"]);
    expect([...second.presences.keys()]).toEqual(["c", "x"]);
    expect(withNames(second, [{ id: "x", username: "xena" }]).friends.map((f) => f.username)).toEqual(["carol", "xena"]);
  });

  it("returns the same model for a snapshot or update that repeats what it has", () => {
    const model = applyEvent(named, { type: "snapshot", friends: [presence("b"), presence("c")] });
    expect(applyEvent(model, { type: "snapshot", friends: [presence("c"), presence("b")] })).toBe(model);
    expect(applyEvent(model, { type: "update", presence: presence("b") })).toBe(model);
    expect(applyEvent(model, { type: "friend_removed", userId: "zz" })).toBe(model);
  });

  it("applies updates, coalesced updates, additions and removals, keeping unchanged friends as they were", () => {
    const model = applyEvent(named, { type: "snapshot", friends: [presence("b"), presence("c")] });
    const carol = model.friends.find((f) => f.id === "c");
    const away = applyEvent(model, { type: "updates", presences: [presence("b", "away")] });
    expect(away.friends.find((f) => f.id === "b")?.presence.status).toBe("away");
    expect(away.friends.find((f) => f.id === "c")).toBe(carol);
    const added = applyEvent(away, { type: "friend_added", presence: presence("d", "dnd") });
    expect(added.friends.map((f) => f.username)).toEqual(["carol", "bob", "dave"]);
    const removed = applyEvent(added, { type: "friend_removed", userId: "b" });
    expect(removed.friends.map((f) => f.username)).toEqual(["carol", "dave"]);
  });

  it("takes own presence and requests whole, and learns names from request lists", () => {
    const withSelf = applyEvent(EMPTY_MODEL, { type: "self", presence: own });
    expect(withSelf.own).toBe(own);
    expect(withOwn(withSelf, { ...own })).toBe(withSelf);
    const requests = { incoming: [{ id: "e", username: "erin" }], outgoing: [] };
    const asked = applyEvent(withSelf, { type: "requests", ...requests });
    expect(asked.requests).toEqual(requests);
    expect(asked.names.get("e")).toBe("erin");
    expect(withRequests(asked, { incoming: [{ id: "e", username: "erin" }], outgoing: [] })).toBe(asked);
  });
});
