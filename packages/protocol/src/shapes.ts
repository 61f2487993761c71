/**
 * The shapes on the wire (docs/protocol.md §1 and §3.3), defined once: the server builds them, and
 * every client (the SDK, the web app) reads them. Types only: nothing here reaches a bundle.
 */
import type { ChosenStatus, VisibleStatus } from "./protocol.js";

/** What a friend sees of a user. `lastSeen` is an ISO-8601 UTC string. */
export interface VisiblePresence {
  userId: string;
  status: VisibleStatus;
  message: string | null;
  lastSeen: string | null;
}

/** What a user sees of themselves. */
export interface OwnPresence {
  status: ChosenStatus;
  message: string | null;
  visibleTo: string[];
  connections: number;
  lastSeen: string | null;
}

/** Another user in a pending request: who, never their presence. */
export interface RequestSummary {
  id: string;
  username: string;
}

export interface PendingRequests {
  incoming: RequestSummary[];
  outgoing: RequestSummary[];
}

/** The events of `presence.onChange`. */
export type PresenceEvent =
  | { type: "snapshot"; friends: VisiblePresence[] }
  | { type: "update"; presence: VisiblePresence }
  | { type: "updates"; presences: VisiblePresence[] }
  | { type: "friend_added"; presence: VisiblePresence }
  | { type: "friend_removed"; userId: string }
  | { type: "self"; presence: OwnPresence }
  /** The user's pending requests, both lists in full; sent whenever either changes, and only then. */
  | { type: "requests"; incoming: RequestSummary[]; outgoing: RequestSummary[] };
