/**
 * The live model, as pure functions over an immutable value: friends' presence from
 * `presence.onChange` events, their names from `friends.list` (events carry ids only), your own
 * presence and your pending requests. Every function returns the same object when nothing
 * changed, and keeps unchanged parts (each friend, the lists) as they were.
 *
 * Who your friends are is the feed's word: the snapshot (sent on every (re)subscribe) replaces
 * everything, then `friend_added`/`friend_removed` keep it. The feed is always at least as new as
 * any query answer, so a query never overrides it; queries only fill in what events lack.
 */
import { keepIfSame } from "./same-value.js";
import { compareFriends } from "./sort-friends.js";
import type { Friend, FriendRequests, OwnPresence, PresenceEvent, UserSummary, VisiblePresence } from "./types.js";

export interface PresenceModel {
  /** Every friend the feed told us of, with what we see of them. */
  readonly presences: ReadonlyMap<string, VisiblePresence>;
  /** Usernames by id: from `friends.list` and request lists. Names never change, so they are only added. */
  readonly names: ReadonlyMap<string, string>;
  /** The friends with a known name, sorted (compareFriends). */
  readonly friends: readonly Friend[];
  readonly own: OwnPresence | null;
  readonly requests: FriendRequests;
  /** A snapshot has been applied since the model was made. */
  readonly snapshotSeen: boolean;
}

export const NO_REQUESTS: FriendRequests = Object.freeze({ incoming: [], outgoing: [] });

export const EMPTY_MODEL: PresenceModel = Object.freeze({
  presences: new Map(),
  names: new Map(),
  friends: [],
  own: null,
  requests: NO_REQUESTS,
  snapshotSeen: false,
});

export function applyEvent(model: PresenceModel, event: PresenceEvent): PresenceModel {
  switch (event.type) {
    case "snapshot": {
      const next = withPresences(model, event.friends, { replace: true });
      return next.snapshotSeen ? next : { ...next, snapshotSeen: true };
    }
    case "update":
    case "friend_added":
      return withPresences(model, [event.presence]);
    case "updates":
      return withPresences(model, event.presences);
    case "friend_removed": {
      if (!model.presences.has(event.userId)) return model;
      const presences = new Map(model.presences);
      presences.delete(event.userId);
      return withFriends({ ...model, presences });
    }
    case "self":
      return withOwn(model, event.presence);
    case "requests":
      return withRequests(model, { incoming: event.incoming, outgoing: event.outgoing });
  }
}

export function withOwn(model: PresenceModel, own: OwnPresence): PresenceModel {
  const next = model.own ? keepIfSame(model.own, own) : own;
  return next === model.own ? model : { ...model, own: next };
}

/** The full request lists (a `requests` event or a `friends.requests` answer); their names are remembered too. */
export function withRequests(model: PresenceModel, requests: FriendRequests): PresenceModel {
  const named = withNames(model, [...requests.incoming, ...requests.outgoing]);
  const next = keepIfSame(model.requests, requests);
  return next === named.requests ? named : { ...named, requests: next };
}

export function withNames(model: PresenceModel, users: readonly UserSummary[]): PresenceModel {
  const unknown = users.filter((user) => model.names.get(user.id) !== user.username);
  if (unknown.length === 0) return model;
  const names = new Map(model.names);
  for (const user of unknown) names.set(user.id, user.username);
  return withFriends({ ...model, names });
}

/** Feed members whose names we do not know yet (a `friend_added` for someone never seen in a list). */
export function unnamedFriendIds(model: PresenceModel): string[] {
  return [...model.presences.keys()].filter((id) => !model.names.has(id));
}

function withPresences(model: PresenceModel, incoming: readonly VisiblePresence[], options: { replace?: boolean } = {}): PresenceModel {
  const presences = new Map(options.replace ? [] : model.presences);
  let changed = options.replace === true && incoming.length !== model.presences.size;
  for (const presence of incoming) {
    const previous = model.presences.get(presence.userId);
    const next = previous ? keepIfSame(previous, presence) : presence;
    if (next !== previous) changed = true;
    presences.set(presence.userId, next);
  }
  if (options.replace && !changed) changed = [...model.presences.keys()].some((id) => !presences.has(id));
  if (!changed) return model;
  return withFriends({ ...model, presences });
}

/** The sorted friend list, reusing each unchanged friend object and the old array when nothing moved. */
function withFriends(model: PresenceModel): PresenceModel {
  const previous = new Map(model.friends.map((friend) => [friend.id, friend]));
  const friends: Friend[] = [];
  for (const [id, presence] of model.presences) {
    const username = model.names.get(id);
    if (username === undefined) continue;
    const old = previous.get(id);
    friends.push(old && old.presence === presence && old.username === username ? old : { id, username, presence });
  }
  friends.sort(compareFriends);
  const same = friends.length === model.friends.length && friends.every((friend, i) => friend === model.friends[i]);
  return same ? model : { ...model, friends };
}
