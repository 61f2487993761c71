/**
 * What a subscriber on a multi-server deployment sees, replayed from its events, and a wait for
 * it to see a friend as wanted: for scenarios where servers or Redis fail and a fresh snapshot
 * may replace everything seen before.
 */
import type { PresenceEvent, VisiblePresence } from "@herald/presence";
import type { Device } from "../../src/testing/index.js";
import { eventually } from "./cluster.js";

/** What a subscriber sees now, replayed from its events (a snapshot starts over). */
export function viewFrom(events: readonly PresenceEvent[]): Map<string, VisiblePresence> {
  const view = new Map<string, VisiblePresence>();
  for (const event of events) {
    if (event.type === "snapshot") {
      view.clear();
      for (const presence of event.friends) view.set(presence.userId, presence);
    } else if (event.type === "update" || event.type === "friend_added") {
      view.set(event.presence.userId, event.presence);
    } else if (event.type === "updates") {
      for (const presence of event.presences) view.set(presence.userId, presence);
    } else if (event.type === "friend_removed") {
      view.delete(event.userId);
    }
  }
  return view;
}

export type Wanted = string | ((presence: VisiblePresence) => boolean);

/**
 * Waits until the device's subscriber sees `userId` as wanted; returns that presence. With
 * `sinceEvent`, only a view rebuilt from a snapshot sent after that many events counts.
 */
export function seen(device: Device, userId: string, wanted: Wanted, options: { timeoutMs?: number; sinceEvent?: number } = {}) {
  const matches = typeof wanted === "string" ? (p: VisiblePresence) => p.status === wanted : wanted;
  return eventually(
    `${userId} seen ${typeof wanted === "string" ? wanted : "as wanted"}`,
    () => {
      const events = device.feed.all.slice(options.sinceEvent ?? 0);
      if (options.sinceEvent !== undefined && !events.some((e) => e.type === "snapshot")) return undefined;
      const presence = viewFrom(events).get(userId);
      return presence && matches(presence) ? presence : undefined;
    },
    options.timeoutMs ?? 10_000,
  );
}

/** Every status the device's subscriber was shown for `userId` in the events from `sinceEvent` on, in order. */
export function statusesSeen(device: Device, userId: string, sinceEvent: number): string[] {
  return device.feed.all
    .slice(sinceEvent)
    .flatMap((e) => (e.type === "snapshot" ? e.friends : e.type === "update" ? [e.presence] : e.type === "updates" ? e.presences : []))
    .filter((p) => p.userId === userId)
    .map((p) => p.status);
}
