/**
 * The friend list's order, as the page shows it. The code now lives in @herald/client; these tests
 * came with it from the web app and belong beside it (packages/client/test) once its owner takes them.
 */
import { describe, expect, it } from "vitest";
import { sortFriends, type SortableFriend } from "@herald/client";

const friend = (username: string, status: SortableFriend["presence"]["status"], lastSeen: string | null = null): SortableFriend => ({
  username,
  presence: { status, lastSeen },
});

describe("sortFriends", () => {
  it("puts who is around first: online, away, do not disturb, then offline", () => {
    const sorted = sortFriends([friend("a", "offline"), friend("b", "dnd"), friend("c", "online"), friend("d", "away")]);
    expect(sorted.map((f) => f.username)).toEqual(["c", "d", "b", "a"]);
  });

  it("orders friends with the same status by name", () => {
    const sorted = sortFriends([friend("zoe", "online"), friend("adam", "online"), friend("Mia", "online")]);
    expect(sorted.map((f) => f.username)).toEqual(["adam", "Mia", "zoe"]);
  });

  it("lists offline friends by who was seen most recently, never-seen last", () => {
    const sorted = sortFriends([
      friend("never", "offline", null),
      friend("long_ago", "offline", "2025-01-01T00:00:00.000Z"),
      friend("recent", "offline", "2025-03-01T00:00:00.000Z"),
      friend("aaa_never", "offline", null),
    ]);
    expect(sorted.map((f) => f.username)).toEqual(["recent", "long_ago", "aaa_never", "never"]);
  });

  it("leaves its input alone", () => {
    const input = [friend("b", "offline"), friend("a", "online")];
    sortFriends(input);
    expect(input.map((f) => f.username)).toEqual(["b", "a"]);
  });
});
