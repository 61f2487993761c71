/** The events of `presence.onChange` (docs/protocol.md §3). */
import type { OwnPresence, VisiblePresence } from "../types.js";

export type PresenceEvent =
  | { type: "snapshot"; friends: VisiblePresence[] }
  | { type: "update"; presence: VisiblePresence }
  | { type: "updates"; presences: VisiblePresence[] }
  | { type: "friend_added"; presence: VisiblePresence }
  | { type: "friend_removed"; userId: string }
  | { type: "self"; presence: OwnPresence }
  /** The user's pending requests, both lists in full; sent whenever either changes, and only then. */
  | { type: "requests"; incoming: RequestSummary[]; outgoing: RequestSummary[] };

/** Another user in a pending request: who, never their presence. */
export interface RequestSummary {
  id: string;
  username: string;
}

export interface PendingRequests {
  incoming: RequestSummary[];
  outgoing: RequestSummary[];
}

/** Hooks for metrics: called once per event handed to the transport. */
export interface FeedObserver {
  eventSent(type: PresenceEvent["type"], fanOutLatencyMs: number | null): void;
}
