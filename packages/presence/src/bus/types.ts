/**
 * The bus carries presence changes between servers. Each user has a channel; a server listens
 * only to the channels of users its local subscribers care about (their friends and themselves).
 * Delivery is at-most-once (Redis pub/sub): after a reconnect the bus announces a resync and
 * every subscriber rebuilds from a fresh snapshot.
 */
import type { PresenceState } from "../types.js";
import type { ChannelFollower } from "./channel-registry.js";

export type BusMessage =
  /** The full current state of the channel's user (the highest version wins). */
  | { type: "state"; state: PresenceState; /** ms since epoch, for fan-out latency */ publishedAt?: number }
  /** The channel's user gained or lost a friend. */
  | { type: "friend_added"; friendId: string }
  | { type: "friend_removed"; friendId: string }
  /** The channel's user's pending friend requests (either way) changed: their feeds read them again. */
  | { type: "requests_changed" };

export type BusListener = (message: BusMessage) => void;

export interface PresenceBus {
  publish(userId: string, message: BusMessage): Promise<void>;
  /** Starts delivering the user's channel to `listener`; returns the unsubscribe function. */
  subscribe(userId: string, listener: BusListener): () => void;
  /** Starts delivering the user's channel to `follower` (no closure per call: what feeds use). */
  follow(userId: string, follower: ChannelFollower): void;
  unfollow(userId: string, follower: ChannelFollower): void;
  /**
   * Resolves once every subscription made so far receives messages (Redis confirms SUBSCRIBE
   * asynchronously): a feed awaits it before reading its snapshot, or it could miss a change.
   */
  subscriptionsReady(): Promise<void>;
  /** Called when messages may have been lost (e.g. after a Redis reconnect). */
  onResync(listener: () => void): () => void;
  /** Live listeners (channels × listeners, plus resync listeners): for leak checks and metrics. */
  listenerCount(): number;
  ping(): Promise<void>;
  close(): Promise<void>;
}
