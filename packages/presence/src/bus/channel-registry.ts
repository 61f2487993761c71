/**
 * Who follows which user's channel on this server: the one fan-out registry (socket.io's rooms,
 * in effect). Both buses keep their listeners here; feeds follow channels here directly. The
 * first follower of a channel makes the bus join it (Redis: SUBSCRIBE), the last one leaving
 * makes it leave, and a message reaches all of a channel's local followers in one pass.
 */
import type { BusMessage } from "./types.js";

export interface ChannelFollower {
  receive(from: string, message: BusMessage): void;
}

export interface ChannelHooks {
  /** The channel got its first follower. */
  joined?(userId: string): void;
  /** The channel lost its last follower. */
  left?(userId: string): void;
}

export class ChannelRegistry {
  private readonly channels = new Map<string, Set<ChannelFollower>>();

  constructor(private readonly hooks: ChannelHooks = {}) {}

  follow(userId: string, follower: ChannelFollower): void {
    const followers = this.channels.get(userId);
    if (followers) {
      followers.add(follower);
      return;
    }
    this.channels.set(userId, new Set([follower]));
    this.hooks.joined?.(userId);
  }

  /** `listener` as a follower of the channel (a fresh one per call: a function subscribed twice counts twice). */
  subscribe(userId: string, listener: (message: BusMessage) => void): () => void {
    const follower: ChannelFollower = { receive: (_from, message) => listener(message) };
    this.follow(userId, follower);
    return () => this.unfollow(userId, follower);
  }

  unfollow(userId: string, follower: ChannelFollower): void {
    const followers = this.channels.get(userId);
    if (!followers?.delete(follower) || followers.size > 0) return;
    this.channels.delete(userId);
    this.hooks.left?.(userId);
  }

  /**
   * Hands `message` to every follower of the channel. No copy of the set: a follower that leaves
   * meanwhile is skipped, one that arrives meanwhile gets it too. A follower that throws is
   * reported to `onError` (when given) and the rest still get the message.
   */
  deliver(userId: string, message: BusMessage, onError?: (error: unknown) => void): void {
    const followers = this.channels.get(userId);
    if (!followers) return;
    for (const follower of followers) {
      if (!onError) {
        follower.receive(userId, message);
        continue;
      }
      try {
        follower.receive(userId, message);
      } catch (error) {
        onError(error);
      }
    }
  }

  /** Channels followed right now. */
  userIds(): string[] {
    return [...this.channels.keys()];
  }

  /** Followers across all channels. */
  followerCount(): number {
    let count = 0;
    for (const followers of this.channels.values()) count += followers.size;
    return count;
  }

  clear(): void {
    this.channels.clear();
  }
}
