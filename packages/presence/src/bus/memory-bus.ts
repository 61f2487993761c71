/** The embedded bus: delivery inside one process. Same contract as the Redis bus. */
import { ChannelRegistry, type ChannelFollower } from "./channel-registry.js";
import type { BusListener, BusMessage, PresenceBus } from "./types.js";

export class MemoryPresenceBus implements PresenceBus {
  private readonly channels = new ChannelRegistry();
  private readonly resyncListeners = new Set<() => void>();

  async publish(userId: string, message: BusMessage): Promise<void> {
    this.channels.deliver(userId, message);
  }

  subscribe(userId: string, listener: BusListener): () => void {
    return this.channels.subscribe(userId, listener);
  }

  follow(userId: string, follower: ChannelFollower): void {
    this.channels.follow(userId, follower);
  }

  unfollow(userId: string, follower: ChannelFollower): void {
    this.channels.unfollow(userId, follower);
  }

  async subscriptionsReady(): Promise<void> {}

  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  /** Tells every listener that messages may have been lost; only tests need it in-process. */
  resync(): void {
    for (const listener of [...this.resyncListeners]) listener();
  }

  listenerCount(): number {
    return this.resyncListeners.size + this.channels.followerCount();
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.channels.clear();
    this.resyncListeners.clear();
  }
}
