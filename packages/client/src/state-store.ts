/**
 * The client's state as one immutable value and its listeners: a new object only when a part of
 * it changed, so `getState()` can be handed straight to React's `useSyncExternalStore`.
 */
import type { HeraldState } from "./api.js";
import type { ConnectionState } from "./connection-state.js";
import type { PresenceModel } from "./presence-model.js";

export class StateStore {
  private state: HeraldState;
  private readonly listeners = new Set<(state: HeraldState) => void>();

  constructor(connection: ConnectionState, model: PresenceModel) {
    this.state = Object.freeze({ connection, synced: false, friends: model.friends, own: model.own, requests: model.requests });
  }

  get(): HeraldState {
    return this.state;
  }

  /** Applies the changed parts; listeners hear of it only when one really changed. */
  update(parts: Partial<HeraldState>): void {
    const current = this.state;
    const changed = (Object.keys(parts) as Array<keyof HeraldState>).some((key) => parts[key] !== current[key]);
    if (!changed) return;
    this.state = Object.freeze({ ...current, ...parts });
    for (const listener of [...this.listeners]) {
      try {
        listener(this.state);
      } catch (error) {
        // One broken listener must not starve the others, nor break the client's own bookkeeping.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  subscribe(listener: (state: HeraldState) => void): () => void {
    if (typeof listener !== "function") throw new TypeError("Herald: subscribe(listener) needs a function");
    // A wrapper, so the same function subscribed twice is two subscriptions, each undone once.
    const entry = (state: HeraldState) => listener(state);
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }
}
