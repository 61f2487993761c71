/** The step's p99s read from the servers' /metrics: differences of cumulative histograms, over servers. */
import { describe, expect, it } from "vitest";
import { parseHistograms, quantileMs, stageP99s, type StageSnapshot } from "../src/server-stages.js";

const NAMES = ["herald_change_publish_seconds", "herald_fanout_latency_seconds"];
const BUCKETS = [0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5];

/** A server's /metrics text (prom-client's format) after `publishMs` and `fanOutMs` were observed. */
function metricsText(publishMs: number[], fanOutMs: number[]): string {
  const lines = ["# HELP herald_connections x", "# TYPE herald_connections gauge", "herald_connections 3"];
  [publishMs, fanOutMs].forEach((observed, i) => {
    const name = NAMES[i]!;
    lines.push(`# TYPE ${name} histogram`);
    for (const bound of BUCKETS) lines.push(`${name}_bucket{le="${bound}"} ${observed.filter((ms) => ms / 1000 <= bound).length}`);
    lines.push(
      `${name}_bucket{le="+Inf"} ${observed.length}`,
      `${name}_sum ${observed.reduce((a, b) => a + b, 0) / 1000}`,
      `${name}_count ${observed.length}`,
    );
  });
  return lines.join("\n") + "\n";
}

const snapshot = (publishMs: number[], fanOutMs: number[]): StageSnapshot => parseHistograms(metricsText(publishMs, fanOutMs), NAMES);

describe("server stages", () => {
  it("reads a p99 within the bucket it falls in, as histogram_quantile does", () => {
    // 100 observations: 98 under 1 ms, then 2 in (10, 15] ms: rank 99 is halfway into that bucket.
    const bounds = [0.001, 0.01, 0.015, Infinity];
    expect(quantileMs(bounds, [98, 98, 100, 100], 0.99)).toBeCloseTo(12.5, 6);
    expect(quantileMs(bounds, [0, 0, 0, 0], 0.99)).toBeNull();
    // Past every finite bound: the last one, not infinity.
    expect(quantileMs(bounds, [0, 0, 0, 5], 0.99)).toBe(15);
  });

  it("takes only the step's observations, summed over servers", () => {
    const quiet = Array.from({ length: 980 }, () => 2);
    const before = [
      snapshot(
        Array.from({ length: 500 }, () => 400),
        [],
      ),
      snapshot([], []),
    ];
    // During the step: server 0 adds 980 quick changes, server 1 adds 20 at 40 ms; 1,000 in all,
    // so the p99 is in (35, 50] ms, whatever server 0 published before the step (400 ms each).
    const after = [
      snapshot([...Array.from({ length: 500 }, () => 400), ...quiet], quiet),
      snapshot(
        Array.from({ length: 20 }, () => 40),
        Array.from({ length: 20 }, () => 3),
      ),
    ];
    const p99s = stageP99s(before, after);
    expect(p99s.changePublishP99).toBeGreaterThan(35);
    expect(p99s.changePublishP99).toBeLessThanOrEqual(50);
    expect(p99s.fanOutP99).toBeGreaterThan(2.5); // the 3-ms ones: rank 990 is past the 980 at 2 ms
    expect(p99s.fanOutP99).toBeLessThanOrEqual(5);
  });

  it("is null for a step in which nothing was published, and for servers without metrics", () => {
    const idle = snapshot([5], [5]);
    expect(stageP99s([idle], [idle])).toEqual({ changePublishP99: null, fanOutP99: null });
    expect(stageP99s([], [])).toEqual({ changePublishP99: null, fanOutP99: null });
  });
});
