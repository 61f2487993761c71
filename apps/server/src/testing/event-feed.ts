/** Collects `presence.onChange` events and lets a test await them in order. */
import type { PresenceEvent, VisiblePresence } from "@herald/presence";
import { presencesIn } from "@herald/presence/testing";

type Waiter = { resolve: (event: PresenceEvent) => void; reject: (error: unknown) => void };

const DEFAULT_TIMEOUT_MS = 5_000;

export class EventFeed {
  /** Every event received, in order. */
  readonly all: PresenceEvent[] = [];
  private readonly unread: PresenceEvent[] = [];
  private waiter: Waiter | null = null;
  private error: unknown = null;
  private readonly closers: Array<() => void> = [];

  push(event: PresenceEvent): void {
    this.all.push(event);
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter.resolve(event);
    } else {
      this.unread.push(event);
    }
  }

  fail(error: unknown): void {
    this.error = error;
    this.waiter?.reject(error);
    this.waiter = null;
  }

  onClose(closer: () => void): void {
    this.closers.push(closer);
  }

  close(): void {
    for (const closer of this.closers.splice(0)) closer();
  }

  /** The next unread event; fails if it is not of `type` (when given) or none comes in time. */
  async next<T extends PresenceEvent["type"]>(type?: T, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Extract<PresenceEvent, { type: T }>> {
    const event = await this.take(timeoutMs);
    if (type && event.type !== type) {
      throw new Error(`expected a "${type}" event, got ${JSON.stringify(event)}`);
    }
    return event as Extract<PresenceEvent, { type: T }>;
  }

  /**
   * The next events, one of each of `types` in whatever order they come (e.g. an accepted request
   * sends `friend_added` and `requests`, each read on its own); fails on any other event.
   */
  async nextOfEach<T extends PresenceEvent["type"]>(
    types: readonly T[],
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<{ [K in T]: Extract<PresenceEvent, { type: K }> }> {
    const found = new Map<string, PresenceEvent>();
    while (found.size < types.length) {
      const event = await this.take(timeoutMs);
      if (!types.includes(event.type as T) || found.has(event.type)) {
        throw new Error(`expected one each of ${types.join(", ")}; got ${JSON.stringify(event)}`);
      }
      found.set(event.type, event);
    }
    return Object.fromEntries(found) as { [K in T]: Extract<PresenceEvent, { type: K }> };
  }

  /** The next presence of `userId` carried by an update/updates/friend_added event. */
  async nextPresenceOf(userId: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<VisiblePresence> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = await this.take(Math.max(1, deadline - Date.now()));
      const found = presencesIn(event).find((p) => p.userId === userId);
      if (found) return found;
    }
  }

  /** Reads presences of `userId` until one satisfies `wanted` (views on the way there may coalesce). */
  async presenceOfWhere(
    userId: string,
    wanted: (presence: VisiblePresence) => boolean,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<VisiblePresence> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.nextPresenceOf(userId, Math.max(1, deadline - Date.now()));
      if (wanted(found)) return found;
    }
  }

  /** Events not yet read. */
  get pending(): readonly PresenceEvent[] {
    return this.unread;
  }

  private take(timeoutMs: number): Promise<PresenceEvent> {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- whatever the subscription failed with, as it came
    if (this.error) return Promise.reject(this.error);
    const ready = this.unread.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`no presence event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }
}
