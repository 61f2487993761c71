import type { PresenceEvent } from "../feed/events.js";
import type { VisiblePresence } from "../types.js";

/** The friends' presences an event carries (none for events about other things). */
export function presencesIn(event: PresenceEvent): VisiblePresence[] {
  switch (event.type) {
    case "snapshot":
      return event.friends;
    case "update":
    case "friend_added":
      return [event.presence];
    case "updates":
      return event.presences;
    default:
      return [];
  }
}
