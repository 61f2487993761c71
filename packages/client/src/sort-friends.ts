/** The friend list's order: who is around first, then who was around most recently. */
import type { VisibleStatus } from "./types.js";

export interface SortableFriend {
  username: string;
  presence: { status: VisibleStatus; lastSeen: string | null };
}

const STATUS_RANK: Record<VisibleStatus, number> = { online: 0, away: 1, dnd: 2, offline: 3 };

function lastSeenTime(friend: SortableFriend): number {
  const time = friend.presence.lastSeen ? Date.parse(friend.presence.lastSeen) : NaN;
  return Number.isNaN(time) ? -Infinity : time;
}

export function compareFriends(a: SortableFriend, b: SortableFriend): number {
  const byStatus = STATUS_RANK[a.presence.status] - STATUS_RANK[b.presence.status];
  if (byStatus !== 0) return byStatus;
  if (a.presence.status === "offline") {
    const byRecency = lastSeenTime(b) - lastSeenTime(a);
    if (byRecency !== 0 && !Number.isNaN(byRecency)) return byRecency;
  }
  return a.username.localeCompare(b.username);
}

/** A sorted copy; the input is left alone (it may be React state). */
export function sortFriends<T extends SortableFriend>(friends: readonly T[]): T[] {
  return [...friends].sort(compareFriends);
}
