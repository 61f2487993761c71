/**
 * `viewOf`, shared: every local follower of a user receives the same `PresenceState` object for a
 * change, and most of them see the same thing. Viewers who see the chosen status share one view;
 * viewers who see the user offline share one per distinct last-seen moment. Which class a viewer
 * is in is still decided per viewer, by the rules of `visibility.ts`; only the resulting objects
 * are shared, so a viewer never gets another class's view.
 *
 * Assumes, as the allow-list cache of `visibility.ts` does, that a state is never mutated once
 * built. Shared views must never be mutated either.
 */
import type { PresenceState, VisiblePresence } from "../types.js";
import { chosenViewOf, lastSeenFor, offlineViewOf, seesChosenStatus } from "./visibility.js";

interface ViewsOfState {
  chosen: VisiblePresence | null;
  /** By the last-seen moment shown (null: never seen). */
  offline: Map<string | null, VisiblePresence>;
}

const viewsByState = new WeakMap<PresenceState, ViewsOfState>();

/** Equal to `viewOf(state, viewerId)`, and the same object for every viewer in its class. */
export function sharedViewOf(state: PresenceState, viewerId: string): VisiblePresence {
  let views = viewsByState.get(state);
  if (!views) {
    views = { chosen: null, offline: new Map() };
    viewsByState.set(state, views);
  }
  if (seesChosenStatus(state, viewerId)) return (views.chosen ??= chosenViewOf(state));
  const lastSeen = lastSeenFor(state, viewerId);
  let view = views.offline.get(lastSeen);
  if (!view) {
    view = offlineViewOf(state, lastSeen);
    views.offline.set(lastSeen, view);
  }
  return view;
}
