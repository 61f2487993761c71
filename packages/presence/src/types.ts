/** The shapes of docs/protocol.md §1, shared by the engine, the router and every client. */

import type { StoredFade } from "@herald/db";
import type { ChosenStatus, LastSeenLevel } from "@herald/protocol";

export { CHOSEN_STATUSES, VISIBLE_STATUSES, type ChosenStatus, type VisibleStatus } from "@herald/protocol";
/** What a friend sees (`VisiblePresence`) and what a user sees of themselves (`OwnPresence`). */
export type { VisiblePresence, OwnPresence } from "@herald/protocol";

/**
 * Viewers who just lost sight of the user keep their last view for the offline grace (rule 5:
 * hiding must look exactly like disconnecting, timing included). Each change that hides the user
 * from someone records one; it ends at `until`, and then they see the user offline with last seen
 * `at`. A viewer in several sees the newest.
 */
export type Fade = StoredFade;

/** The durable half of a user's presence: chosen by the user, kept in PostgreSQL. */
export interface DurablePresence {
  status: ChosenStatus;
  /** `status` is an `away` set by auto-away, which activity on any device undoes. */
  autoAway: boolean;
  message: string | null;
  /** When `status` ends by itself (back to `online`), or null (docs/protocol.md §9.1). */
  statusUntil: string | null;
  /** When `message` clears by itself, or null. */
  messageUntil: string | null;
  visibleTo: string[];
  /** Who sees the exact last seen (§9.3): the level for every friend, and per-friend exceptions. */
  lastSeenLevel: LastSeenLevel;
  lastSeenExceptions: Record<string, LastSeenLevel>;
  /** The last moment friends outside the allow-list could see the user. */
  lastSeen: string | null;
  /** Later moments for friends who kept seeing the user through the allow-list. */
  lastSeenBy: Record<string, string>;
  /** When the user's last connection truly ended: shown to the user alone. */
  lastDisconnectedAt: string | null;
  /** Viewers still shown what they last saw, oldest first (see `Fade`). */
  fades: Fade[];
}

/** The live half: kept in the presence store, expired by TTL. */
export interface LivePresence {
  /** Connected, or inside the offline grace after the last connection ended (rule 3). */
  online: boolean;
  connections: number;
  /** Orders every change of this user's presence across servers; higher wins. */
  version: number;
  /**
   * The newest durable revision (`user_presence.revision`) published so far: a durable row at
   * this revision or later is current enough to publish with this version.
   */
  durableRevision: number;
}

/** Everything the rules need to know about one user at one version. */
export interface PresenceState extends DurablePresence, LivePresence {
  userId: string;
}

export const DEFAULT_DURABLE_PRESENCE: DurablePresence = {
  status: "online",
  autoAway: false,
  message: null,
  statusUntil: null,
  messageUntil: null,
  visibleTo: [],
  lastSeenLevel: "friends",
  lastSeenExceptions: {},
  lastSeen: null,
  lastSeenBy: {},
  lastDisconnectedAt: null,
  fades: [],
};

export const OFFLINE_LIVE_PRESENCE: LivePresence = { online: false, connections: 0, version: 0, durableRevision: 0 };
