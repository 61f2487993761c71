/**
 * `viewOf`, shared: every local follower of a user receives the same `PresenceState` object for a
 * change, and most of them see the same thing. Viewers who see the same thing of one state share
 * one view object (those who see the chosen status, those who still see it fading, those who see
 * the user offline since one moment). Which class a viewer is in is still decided per viewer, by
 * the rules of `visibility.ts`; only the resulting objects are shared, so a viewer never gets
 * another class's view.
 *
 * Assumes, as the allow-list cache of `visibility.ts` does, that a state is never mutated once
 * built. Shared views must never be mutated either.
 */
import type { PresenceState, VisiblePresence } from "../types.js";
import { chosenViewOf, seesChosenStatus, viewOf, type ViewContext } from "./visibility.js";

/** A state's views by what they show (the key `share` builds), and its chosen-status view under `CHOSEN`. */
const viewsByState = new WeakMap<PresenceState, Map<string, VisiblePresence>>();
/** No key `share` builds is empty: each starts with the status. */
const CHOSEN = "";

/** Equal to `viewOf(state, viewerId, context)`, and the same object for every viewer who sees the same. */
export function sharedViewOf(state: PresenceState, viewerId: string, context: ViewContext): VisiblePresence {
  let views = viewsByState.get(state);
  if (!views) {
    views = new Map();
    viewsByState.set(state, views);
  }
  // The usual case first, by the test `viewOf` makes first: the viewer sees the chosen status, as
  // every such viewer does, so no view and no key are built per viewer (a change fanned out to 20
  // friends built 20 views and 20 keys to keep one: ~6 % of the server's allocations).
  if (seesChosenStatus(state, viewerId)) {
    let chosen = views.get(CHOSEN);
    if (!chosen) {
      chosen = share(views, chosenViewOf(state));
      views.set(CHOSEN, chosen);
    }
    return chosen;
  }
  return share(views, viewOf(state, viewerId, context));
}

/** The view of `views` that shows what `view` shows: `view` itself if none did yet. */
function share(views: Map<string, VisiblePresence>, view: VisiblePresence): VisiblePresence {
  // Every field of the view but the user's id is in the key (two fades may differ in `until` alone).
  // The message goes last: whatever characters it holds, the key stays unambiguous.
  const key = `${view.status} ${view.until} ${view.lastSeen} ${view.lastSeenBucket} ${view.devices.join(",")} ${view.message === null ? "-" : `+${view.message}`}`;
  const shared = views.get(key);
  if (shared) return shared;
  views.set(key, view);
  return view;
}
