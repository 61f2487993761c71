import type { PresenceEvent } from "../feed/events.js";

/**
 * The event of one `presence.onChange` yield as a server-side caller gets it: `tracked()` events
 * arrive as `[id, data, symbol]` tuples there, as `{ id, data }` over a transport.
 */
export function eventOf(value: unknown): PresenceEvent {
  return (Array.isArray(value) ? value[1] : (value as { data: PresenceEvent }).data) as PresenceEvent;
}
