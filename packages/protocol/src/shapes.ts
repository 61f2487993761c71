/**
 * The shapes on the wire (docs/protocol.md §1 and §3.3), defined once: the server builds them, and
 * every client (the SDK, the web app) reads them. Types only: nothing here reaches a bundle.
 */
import type { ChosenStatus, DeviceKind, LastSeenBucket, LastSeenLevel, VisibleStatus } from "./protocol.js";

/** What a friend sees of a user. `lastSeen` and `until` are ISO-8601 UTC strings. */
export interface VisiblePresence {
  userId: string;
  status: VisibleStatus;
  message: string | null;
  /** The exact last-seen instant, for viewers the user shares it with (§9.3); else null. */
  lastSeen: string | null;
  /** When the status the viewer sees ends by itself (§9.1), for viewers who see the chosen status; else null. */
  until: string | null;
  /** The kinds of device the user is on (§9.2), for viewers who see the chosen status; else []. */
  devices: DeviceKind[];
  /** Instead of `lastSeen`, for viewers who see the last seen only approximately (§9.3); else null. */
  lastSeenBucket: LastSeenBucket | null;
}

/** Who sees a user's last seen, and how exactly (§9.3). */
export interface LastSeenPrivacy {
  /** For every friend without an exception. */
  level: LastSeenLevel;
  /** Per friend: a level that replaces `level` for them (Telegram's "always / never share with"). */
  exceptions: Record<string, LastSeenLevel>;
}

/** What a user sees of themselves. */
export interface OwnPresence {
  status: ChosenStatus;
  message: string | null;
  visibleTo: string[];
  connections: number;
  lastSeen: string | null;
  /** When `status` ends by itself (§9.1), or null. */
  until: string | null;
  /** When `message` clears by itself (§9.1), or null. */
  messageUntil: string | null;
  /** The kinds of device the user is connected on now (§9.2). */
  devices: DeviceKind[];
  /** Every connected device is idle (§9.2): friends see an `online` user as `away`. */
  idle: boolean;
  lastSeenPrivacy: LastSeenPrivacy;
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
