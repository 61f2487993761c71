/**
 * What the fan-out reports per event (its type, its latency), counted in plain numbers and handed
 * to prom-client only when /metrics is read. prom-client's `inc` and `observe` validate and hash
 * their labels on every call: at 20,000 deliveries/s that was ~2.5 % of the server's core
 * (profile at 1,000 changes/s, 2026-12-03), for figures read once per scrape.
 */
import type { PresenceEvent } from "@herald/protocol";
import type { Histogram, Registry } from "prom-client";

type EventType = PresenceEvent["type"];

/** One line of a metric, as prom-client's registry formats it. */
interface MetricLine {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** The latency histogram's upper bounds, in seconds. */
export const FAN_OUT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

export class FanOutTally {
  readonly sentByType = new Map<EventType, number>();
  /** Observations per bucket (not cumulative); the last is +Inf. */
  private readonly buckets = new Float64Array(FAN_OUT_BUCKETS.length + 1);
  private latencySumSeconds = 0;
  private latencyCount = 0;

  eventSent(type: EventType, fanOutLatencyMs: number | null): void {
    this.sentByType.set(type, (this.sentByType.get(type) ?? 0) + 1);
    if (fanOutLatencyMs === null) return;
    const seconds = fanOutLatencyMs / 1000;
    let bucket = 0;
    while (bucket < FAN_OUT_BUCKETS.length && seconds > FAN_OUT_BUCKETS[bucket]!) bucket++;
    this.buckets[bucket]!++;
    this.latencySumSeconds += seconds;
    this.latencyCount++;
  }

  /** The latency as Prometheus reads a histogram: cumulative `_bucket`s by `le`, `_sum`, `_count`. */
  latencyLines(name: string): MetricLine[] {
    const values: MetricLine[] = [];
    let cumulative = 0;
    FAN_OUT_BUCKETS.forEach((bound, i) => {
      cumulative += this.buckets[i]!;
      values.push({ metricName: `${name}_bucket`, labels: { le: bound }, value: cumulative });
    });
    values.push({ metricName: `${name}_bucket`, labels: { le: "+Inf" }, value: this.latencyCount });
    values.push({ metricName: `${name}_sum`, labels: {}, value: this.latencySumSeconds });
    values.push({ metricName: `${name}_count`, labels: {}, value: this.latencyCount });
    return values;
  }

  /** Back to nothing counted (prom-client's `registry.resetMetrics()`). */
  reset(): void {
    this.sentByType.clear();
    this.buckets.fill(0);
    this.latencySumSeconds = 0;
    this.latencyCount = 0;
  }
}

/**
 * Registers the tally's latency as a histogram named `name` in `registry`. prom-client formats
 * any registered metric from what its `get()` returns, as it does its own Histogram's.
 */
export function registerLatencyHistogram(registry: Registry, tally: FanOutTally, name: string, help: string): void {
  const shape = { name, help, type: "histogram", aggregator: "sum" };
  const metric = {
    ...shape,
    get: () => Promise.resolve({ ...shape, values: tally.latencyLines(name) }),
    reset: () => tally.reset(),
  };
  // prom-client's typings name only its own classes; at run time it asks a metric for no more than this.
  registry.registerMetric(metric as unknown as Histogram);
}
