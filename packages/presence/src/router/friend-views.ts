/**
 * Views made for one viewer outside the live feed (`presence.get`, `getMany`, `preview`,
 * `friends.list`), exactly as the feed makes them: with the viewer's own last-seen level
 * (reciprocity, §9.3) and the moment of the call.
 */
import { viewContext } from "../engine/last-seen.js";
import { viewOf } from "../engine/visibility.js";
import type { HeraldApp } from "../app.js";
import type { PresenceState, VisiblePresence } from "../types.js";

/**
 * What `viewerId` sees of each of `userIds` (friends of theirs, or themselves), read in one go.
 * You see yourself as a friend on your allow-list, with an exception for you at `friends`, would.
 */
export async function viewsFor(app: HeraldApp, viewerId: string, userIds: readonly string[]): Promise<Map<string, VisiblePresence>> {
  const states = await app.service.loadStates([viewerId, ...userIds]);
  const context = viewContext(states.get(viewerId)!, app.lastSeenReciprocity);
  const views = new Map<string, VisiblePresence>();
  for (const userId of userIds) {
    const state = states.get(userId)!;
    views.set(
      userId,
      userId === viewerId ? viewOf(asSeenBySelf(state), viewerId, { ...context, reciprocity: false }) : viewOf(state, viewerId, context),
    );
  }
  return views;
}

function asSeenBySelf(state: PresenceState): PresenceState {
  return { ...state, visibleTo: [state.userId], lastSeenExceptions: { [state.userId]: "friends" } };
}

/**
 * "See as" (§9.4): what the friend `friendId` sees of `userId` now, and why — from the same
 * `viewOf` call the real views come from, given a list to explain into.
 */
export async function previewFor(app: HeraldApp, userId: string, friendId: string): Promise<{ view: VisiblePresence; reasons: string[] }> {
  const states = await app.service.loadStates([userId, friendId]);
  const reasons: string[] = [];
  const view = viewOf(states.get(userId)!, friendId, viewContext(states.get(friendId)!, app.lastSeenReciprocity), reasons);
  return { view, reasons };
}
