/**
 * Friends' live presence, kept from `presence.onChange` events. Usernames come from
 * `friends.list`; presence from the feed wins over the list, since the feed is always newer
 * (a snapshot arrives on every (re)subscribe, then every change).
 */
import type { PresenceEvent, VisiblePresence } from "./types";

export interface PresenceFeedState {
  /** False until the first snapshot: until then the list's presence is all we know. */
  synced: boolean;
  byUserId: ReadonlyMap<string, VisiblePresence>;
}

export const INITIAL_FEED_STATE: PresenceFeedState = { synced: false, byUserId: new Map() };

export function applyPresenceEvent(state: PresenceFeedState, event: PresenceEvent): PresenceFeedState {
  switch (event.type) {
    case "snapshot":
      return { synced: true, byUserId: new Map(event.friends.map((p) => [p.userId, p])) };
    case "update":
    case "friend_added":
      return withPresences(state, [event.presence]);
    case "updates":
      return withPresences(state, event.presences);
    case "friend_removed": {
      if (!state.byUserId.has(event.userId)) return state;
      const byUserId = new Map(state.byUserId);
      byUserId.delete(event.userId);
      return { ...state, byUserId };
    }
    case "self":
    case "requests":
      return state;
  }
}

function withPresences(state: PresenceFeedState, presences: readonly VisiblePresence[]): PresenceFeedState {
  const byUserId = new Map(state.byUserId);
  for (const presence of presences) byUserId.set(presence.userId, presence);
  return { ...state, byUserId };
}

/**
 * The list's friends with their freshest presence. A friend the feed has not announced yet
 * (the list was refetched a moment before `friend_added` arrived) keeps the list's presence.
 */
export function mergeFriendPresence<T extends { id: string; presence: VisiblePresence }>(
  friends: readonly T[],
  feed: PresenceFeedState,
): T[] {
  return friends.map((friend) => {
    const live = feed.byUserId.get(friend.id);
    return live ? { ...friend, presence: live } : friend;
  });
}
