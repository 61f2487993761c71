/**
 * A latency histogram counted in plain numbers and handed to prom-client only when /metrics is
 * read. prom-client's `observe` validates and hashes its labels on every call: at 20,000
 * deliveries/s that was ~2.5 % of the server's core (profile at 1,000 changes/s, 2026-12-03), for
 * figures read once per scrape.
 */
import type { Histogram, Registry } from "prom-client";

/** One line of a metric, as prom-client's registry formats it. */
interface MetricLine {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * The histograms' upper bounds, in seconds. Fine between 1 and 100 ms, where a change's tail
 * lives on a healthy server, so that a quantile read from them (as `histogram_quantile` reads
 * it, or the benchmark) is within a few milliseconds there.
 */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5] as const;

export class LatencyTally {
  /** Observations per bucket (not cumulative); the last is +Inf. */
  private readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  private sumSeconds = 0;
  private count = 0;

  observe(ms: number): void {
    const seconds = ms / 1000;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]!) bucket++;
    this.buckets[bucket]!++;
    this.sumSeconds += seconds;
    this.count++;
  }

  /** As Prometheus reads a histogram: cumulative `_bucket`s by `le`, `_sum`, `_count`. */
  lines(name: string): MetricLine[] {
    const values: MetricLine[] = [];
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((bound, i) => {
      cumulative += this.buckets[i]!;
      values.push({ metricName: `${name}_bucket`, labels: { le: bound }, value: cumulative });
    });
    values.push({ metricName: `${name}_bucket`, labels: { le: "+Inf" }, value: this.count });
    values.push({ metricName: `${name}_sum`, labels: {}, value: this.sumSeconds });
    values.push({ metricName: `${name}_count`, labels: {}, value: this.count });
    return values;
  }

  /** Back to nothing counted (prom-client's `registry.resetMetrics()`). */
  reset(): void {
    this.buckets.fill(0);
    this.sumSeconds = 0;
    this.count = 0;
  }
}

/**
 * Registers `tally` as a histogram named `name` in `registry`. prom-client formats any registered
 * metric from what its `get()` returns, as it does its own Histogram's.
 */
export function registerLatencyHistogram(registry: Registry, tally: LatencyTally, name: string, help: string): void {
  const shape = { name, help, type: "histogram", aggregator: "sum" };
  const metric = {
    ...shape,
    get: () => Promise.resolve({ ...shape, values: tally.lines(name) }),
    reset: () => tally.reset(),
  };
  // prom-client's typings name only its own classes; at run time it asks a metric for no more than this.
  registry.registerMetric(metric as unknown as Histogram);
}
