/** The embedded bus: delivery inside one process. Same contract as the Redis bus. */
import type { BusListener, BusMessage, PresenceBus } from "./types.js";

export class MemoryPresenceBus implements PresenceBus {
  private readonly channels = new Map<string, Set<BusListener>>();
  private readonly resyncListeners = new Set<() => void>();

  async publish(userId: string, message: BusMessage): Promise<void> {
    const listeners = this.channels.get(userId);
    if (!listeners) return;
    // A copy: a listener may unsubscribe (or subscribe another) while we deliver.
    for (const listener of [...listeners]) listener(message);
  }

  subscribe(userId: string, listener: BusListener): () => void {
    let listeners = this.channels.get(userId);
    if (!listeners) {
      listeners = new Set();
      this.channels.set(userId, listeners);
    }
    const entry: BusListener = (message) => listener(message);
    listeners.add(entry);
    return () => {
      const current = this.channels.get(userId);
      if (!current?.delete(entry)) return;
      if (current.size === 0) this.channels.delete(userId);
    };
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
    let count = this.resyncListeners.size;
    for (const listeners of this.channels.values()) count += listeners.size;
    return count;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.channels.clear();
    this.resyncListeners.clear();
  }
}
