/**
 * How the durable facts change when a user's presence changes (rules 3, 5, 6), as pure
 * functions. The service persists what these return; nothing here does I/O.
 */
import type { ChosenStatus, DurablePresence } from "../types.js";
import { latest } from "./visibility.js";

/**
 * The user stopped being visible to anyone at `at` (the last connection ended, or a dead
 * connection was reaped). Friends who could see the user then remember `at` as last seen.
 */
export function wentOffline(before: DurablePresence, at: string): DurablePresence {
  // `at` is when the last connection ended; a change made during the grace that followed may
  // already have shown friends a later moment. Last seen never moves backwards.
  if (before.status !== "invisible") {
    const lastSeen = latest(before.lastSeen, at);
    const lastSeenBy = Object.fromEntries(Object.entries(before.lastSeenBy).filter(([, seen]) => seen > lastSeen!));
    return { ...before, lastSeen, lastSeenBy, lastDisconnectedAt: at };
  }
  const lastSeenBy = { ...before.lastSeenBy };
  for (const viewerId of before.visibleTo) lastSeenBy[viewerId] = latest(lastSeenBy[viewerId] ?? null, at)!;
  return { ...before, lastSeenBy, lastDisconnectedAt: at };
}

export interface ChoicePatch {
  status?: ChosenStatus;
  message?: string | null;
  visibleTo?: string[];
}

/**
 * The user changed status, message or allow-list at `at`. While offline, nobody saw anything,
 * so no last-seen moves (rule 5: also not later). While online, every friend who could see the
 * user a moment ago and no longer can keeps `at` as the last moment they saw them.
 */
export function choiceChanged(
  before: DurablePresence,
  patch: ChoicePatch,
  online: boolean,
  at: string,
): DurablePresence {
  const after: DurablePresence = {
    ...before,
    status: patch.status ?? before.status,
    message: patch.message === undefined ? before.message : patch.message,
    visibleTo: patch.visibleTo ?? before.visibleTo,
  };
  if (!online) return after;
  const wasVisibleToAll = before.status !== "invisible";
  const isVisibleToAll = after.status !== "invisible";
  if (wasVisibleToAll && !isVisibleToAll) {
    // Every friend outside the new allow-list just lost sight of the user.
    return { ...after, lastSeen: at, lastSeenBy: {} };
  }
  if (!wasVisibleToAll && !isVisibleToAll) {
    const stillAllowed = new Set(after.visibleTo);
    const lastSeenBy = { ...before.lastSeenBy };
    for (const viewerId of before.visibleTo) if (!stillAllowed.has(viewerId)) lastSeenBy[viewerId] = at;
    return { ...after, lastSeenBy };
  }
  return after;
}

/** Unfriending forgets what each remembered of the other (rule 11). */
export function forgetViewer(before: DurablePresence, viewerId: string): DurablePresence {
  const { [viewerId]: _forgotten, ...lastSeenBy } = before.lastSeenBy;
  return { ...before, visibleTo: before.visibleTo.filter((id) => id !== viewerId), lastSeenBy };
}
