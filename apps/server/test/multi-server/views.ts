/** What a subscriber sees of its friends, replayed from its events, and waiting until it sees something. */
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

type Wanted = string | ((presence: VisiblePresence) => boolean);

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
