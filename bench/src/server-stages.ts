/**
 * Where a change's time goes inside Herald during a step, from the servers' own /metrics: the p99
 * of `herald_change_publish_seconds` (asked for → published: the database write and the live
 * store's ordering) and of `herald_fanout_latency_seconds` (published → handed to a subscriber:
 * the bus and the feeds). Beside the end-to-end latency and the event-loop delay, they show
 * whether a slow step waited on the database or the store, on the bus, or on the server's thread.
 * Read before and after a step; the step's share is the difference, over every server.
 */

const CHANGE_PUBLISH = "herald_change_publish_seconds";
const FAN_OUT = "herald_fanout_latency_seconds";

/** A Prometheus histogram as scraped: cumulative counts by upper bound (seconds, +Inf last). */
interface Buckets {
  bounds: number[];
  cumulative: number[];
}

export type StageSnapshot = Map<string, Buckets>;

export interface StageP99s {
  /** ms, or null when no change was published during the step. */
  changePublishP99: number | null;
  fanOutP99: number | null;
}

/** Every server's two histograms; servers without a metrics URL (the floor) are left out. */
export async function scrapeStages(metricsUrls: readonly string[]): Promise<StageSnapshot[]> {
  return Promise.all(
    metricsUrls.filter(Boolean).map(async (url) => parseHistograms(await (await fetch(url)).text(), [CHANGE_PUBLISH, FAN_OUT])),
  );
}

export function stageP99s(before: readonly StageSnapshot[], after: readonly StageSnapshot[]): StageP99s {
  return {
    changePublishP99: p99OfStep(before, after, CHANGE_PUBLISH),
    fanOutP99: p99OfStep(before, after, FAN_OUT),
  };
}

export function parseHistograms(text: string, names: readonly string[]): StageSnapshot {
  const result: StageSnapshot = new Map();
  for (const line of text.split("\n")) {
    const match = /^(\w+)_bucket\{le="([^"]+)"\} (\S+)$/.exec(line);
    if (!match || !names.includes(match[1]!)) continue;
    const buckets = result.get(match[1]!) ?? { bounds: [], cumulative: [] };
    buckets.bounds.push(match[2] === "+Inf" ? Infinity : Number(match[2]));
    buckets.cumulative.push(Number(match[3]));
    result.set(match[1]!, buckets);
  }
  return result;
}

function p99OfStep(before: readonly StageSnapshot[], after: readonly StageSnapshot[], name: string): number | null {
  let bounds: number[] | null = null;
  let counts: number[] = [];
  after.forEach((snapshot, server) => {
    const end = snapshot.get(name);
    if (!end) return;
    const start = before[server]?.get(name);
    bounds ??= end.bounds;
    counts = end.cumulative.map((value, i) => (counts[i] ?? 0) + value - (start?.cumulative[i] ?? 0));
  });
  return bounds ? quantileMs(bounds, counts, 0.99) : null;
}

/**
 * The `q` quantile of a cumulative histogram, in ms, as Prometheus' `histogram_quantile` reads it:
 * linear within the bucket it falls in (from 0 in the first); the last finite bound if it falls
 * past every bound.
 */
export function quantileMs(bounds: readonly number[], cumulative: readonly number[], q: number): number | null {
  const total = cumulative.at(-1) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  const bucket = cumulative.findIndex((count) => count >= rank);
  if (bounds[bucket] === Infinity) return bounds[bucket - 1]! * 1000;
  const lower = bucket === 0 ? 0 : bounds[bucket - 1]!;
  const below = bucket === 0 ? 0 : cumulative[bucket - 1]!;
  const inBucket = cumulative[bucket]! - below;
  return (lower + (bounds[bucket]! - lower) * ((rank - below) / inBucket)) * 1000;
}
