/**
 * What the fan-out reports per event (its type, its latency), counted in plain numbers and handed
 * to prom-client only when /metrics is read (see latency-tally.ts for why).
 */
import type { PresenceEvent } from "@herald/protocol";
import { LatencyTally } from "./latency-tally.js";

type EventType = PresenceEvent["type"];

export class FanOutTally {
  readonly sentByType = new Map<EventType, number>();
  readonly latency = new LatencyTally();

  eventSent(type: EventType, fanOutLatencyMs: number | null): void {
    this.sentByType.set(type, (this.sentByType.get(type) ?? 0) + 1);
    if (fanOutLatencyMs !== null) this.latency.observe(fanOutLatencyMs);
  }
}
