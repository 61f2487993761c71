/**
 * One bus subscription per user channel per server, shared by every local feed that follows
 * that user (socket.io's rooms, in effect). A feed following 20 friends costs 20 set entries
 * here instead of 20 bus subscriptions with their listener closures, and a change reaches all
 * of its local followers through one listener call. Bus listener counts stay true: a channel
 * is subscribed while it has a follower and unsubscribed when its last follower leaves.
 */
import type { BusMessage, PresenceBus } from "../bus/types.js";

export interface ChannelFollower {
  receive(from: string, message: BusMessage): void;
}

interface Channel {
  followers: Set<ChannelFollower>;
  unsubscribe: () => void;
}

export class ChannelHub {
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly bus: PresenceBus) {}

  follow(userId: string, follower: ChannelFollower): void {
    const channel = this.channels.get(userId);
    if (channel) {
      channel.followers.add(follower);
      return;
    }
    const followers = new Set<ChannelFollower>([follower]);
    // Followers added while a message is delivered see it too; none is added to the channel being
    // delivered (a message on one channel only ever makes a feed follow another).
    const unsubscribe = this.bus.subscribe(userId, (message) => {
      for (const each of followers) each.receive(userId, message);
    });
    this.channels.set(userId, { followers, unsubscribe });
  }

  unfollow(userId: string, follower: ChannelFollower): void {
    const channel = this.channels.get(userId);
    if (!channel?.followers.delete(follower) || channel.followers.size > 0) return;
    this.channels.delete(userId);
    channel.unsubscribe();
  }

  /** Channels followed right now (for tests). */
  get size(): number {
    return this.channels.size;
  }
}

const hubs = new WeakMap<PresenceBus, ChannelHub>();

/** The hub of this bus: one per bus, so one per server. */
export function channelHubOf(bus: PresenceBus): ChannelHub {
  let hub = hubs.get(bus);
  if (!hub) {
    hub = new ChannelHub(bus);
    hubs.set(bus, hub);
  }
  return hub;
}
