/** The shapes of docs/protocol.md §1, shared by the engine, the router and every client. */

import type { StoredFade } from "@herald/db";
import type { ChosenStatus, DeviceKind, LastSeenLevel } from "@herald/protocol";

export { CHOSEN_STATUSES, DEVICE_KINDS, VISIBLE_STATUSES, type ChosenStatus, type DeviceKind, type VisibleStatus } from "@herald/protocol";
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
  /** The kinds of device of the live connections, sorted, each once (§9.2). */
  devices: DeviceKind[];
  /** At least one live connection, and every one of them idle: auto-away (§7.2). */
  idle: boolean;
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

export const OFFLINE_LIVE_PRESENCE: LivePresence = {
  online: false,
  connections: 0,
  devices: [],
  idle: false,
  version: 0,
  durableRevision: 0,
};

/** What one connection says about itself: its kind of device, and whether its user is idle there. */
export interface ConnectionFacts {
  device: DeviceKind;
  idle: boolean;
}

/** A connection that said nothing: a web page, in use. */
export const DEFAULT_CONNECTION_FACTS: ConnectionFacts = Object.freeze({ device: "web", idle: false });

/** The live `devices` and `idle` of these connections (see `LivePresence`). */
export function combineConnections(connections: Iterable<ConnectionFacts>): Pick<LivePresence, "devices" | "idle"> {
  const kinds = new Set<DeviceKind>();
  let count = 0;
  let allIdle = true;
  for (const { device, idle } of connections) {
    kinds.add(device);
    count += 1;
    allIdle &&= idle;
  }
  return { devices: DEVICE_ORDER.filter((kind) => kinds.has(kind)), idle: count > 0 && allIdle };
}

/** Sorted as strings, so that every store (Lua's `table.sort` included) agrees on one order. */
const DEVICE_ORDER: readonly DeviceKind[] = ["desktop", "mobile", "web"];
