/** The events of `presence.onChange` (docs/protocol.md §3): their shapes live in @herald/protocol. */
export type { PresenceEvent, PendingRequests } from "@herald/protocol";
import type { PresenceEvent } from "@herald/protocol";

/** Hooks for metrics: called once per event handed to the transport. */
export interface FeedObserver {
  eventSent(type: PresenceEvent["type"], fanOutLatencyMs: number | null): void;
}
