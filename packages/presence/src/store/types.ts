/**
 * The live store: who is connected right now. It holds only facts that expire (connections,
 * liveness) and can be wiped and rebuilt from the live sockets; durable facts live in PostgreSQL.
 *
 * Every operation that changes a user's live facts also increments that user's version,
 * atomically with the change: versions order presence changes across servers.
 */
import type { PresenceSettings } from "../settings.js";
import type { ConnectionFacts, LivePresence } from "../types.js";

export interface ConnectionRef {
  userId: string;
  connectionId: string;
}

export interface OfflineSettlement {
  live: LivePresence;
  /** When the user was last connected (heard from): their last-seen moment. */
  lastConnectedAt: string;
}

/** What a store is built with; the settings left out take settings.ts's defaults. */
export interface PresenceStoreOptions extends Partial<PresenceSettings> {
  /** The clock behind connection expiries (ms since epoch). */
  now?: () => number;
}

export interface PresenceStore {
  /** The TTL and grace this store was built with; the app's timers take theirs from here. */
  readonly settings: Readonly<PresenceSettings>;
  /**
   * Its facts live in this process alone (the in-memory store), so a crash takes them along and
   * the server vouches for its connections in the database instead (service/crash-vouches.ts).
   */
  readonly diesWithProcess: boolean;
  /**
   * Registers a live connection that expires `presenceTtlMs` from now unless refreshed, with what
   * it says of itself (default: `web`, not idle). Registering it again replaces those facts.
   */
  connect(ref: ConnectionRef, facts?: ConnectionFacts): Promise<LivePresence>;
  /**
   * Sets whether the user is idle on this connection. Null, and no new version, when that changes
   * nothing (already so, or the connection is not registered: it ended or was reaped).
   */
  setIdle(ref: ConnectionRef, idle: boolean): Promise<LivePresence | null>;
  /**
   * Removes a connection. When it was the user's last, the user stays `online` (the offline
   * grace of rule 3) until `settleOffline` confirms no connection came back.
   */
  disconnect(ref: ConnectionRef, at: Date): Promise<LivePresence>;
  /** Pushes the expiry of these connections to now + `presenceTtlMs` (a server's periodic keep-alive). */
  refresh(refs: ConnectionRef[]): Promise<void>;
  /**
   * Ends the grace: if the user is still online with no connection, marks them offline and
   * returns the moment the last connection ended. Null when they reconnected or were already
   * settled (so exactly one caller performs the transition).
   */
  settleOffline(userId: string): Promise<OfflineSettlement | null>;
  /**
   * Finds what dead servers left behind: connections past their expiry are removed, and users
   * left with none — or whose grace outlived `offlineGraceMs` with nobody to settle it — are
   * settled. Each returned user was settled by this call alone.
   */
  reap(now: Date): Promise<Array<{ userId: string } & OfflineSettlement>>;
  /**
   * After a durable write committed `durableRevision`: increments the version, so the state
   * published next wins, and records the revision (never lowering it). Returns the live facts at
   * the new version; their `durableRevision` is above ours when a newer write was published first.
   */
  orderDurableChange(userId: string, durableRevision: number): Promise<LivePresence>;
  /** Live facts of many users at once; users never seen are offline at version 0. */
  getLive(userIds: readonly string[]): Promise<Map<string, LivePresence>>;
  /** Resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
