/** The metrics' tallies read on /metrics exactly as prom-client's own Counter and Histogram would. */
import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { FanOutTally } from "../src/fan-out-tally.js";
import { LATENCY_BUCKETS, LatencyTally, registerLatencyHistogram } from "../src/latency-tally.js";
import { createMetrics } from "../src/metrics.js";

const NAME = "herald_fanout_latency_seconds";
const HELP = "fan-out latency";

describe("LatencyTally", () => {
  it("exposes the same histogram as a prom-client Histogram fed the same observations", async () => {
    // On bounds, between them, past the last, and zero: `le` is inclusive.
    const latenciesMs = [0, 0.5, 1, 1.2, 5, 7, 25, 99.9, 100, 2_500, 2_500.1, 60_000];
    const tally = new LatencyTally();
    const ours = new Registry();
    registerLatencyHistogram(ours, tally, NAME, HELP);
    const theirs = new Registry();
    const histogram = new Histogram({ name: NAME, help: HELP, buckets: [...LATENCY_BUCKETS], registers: [theirs] });
    for (const ms of latenciesMs) {
      tally.observe(ms);
      histogram.observe(ms / 1000);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toMatch(new RegExp(`^${NAME}_count ${latenciesMs.length}$`, "m"));
  });
});

describe("FanOutTally", () => {
  it("counts events by type, with or without a latency, and observes only the latencies", () => {
    const tally = new FanOutTally();
    tally.eventSent("snapshot", null);
    tally.eventSent("update", 3);
    tally.eventSent("update", null);
    expect(Object.fromEntries(tally.sentByType)).toEqual({ snapshot: 1, update: 2 });
    expect(tally.latency.lines(NAME).find((line) => line.metricName === `${NAME}_count`)?.value).toBe(1);
  });
});

describe("the server's metrics", () => {
  it("read the tallies on every scrape without adding them twice", async () => {
    const metrics = createMetrics();
    metrics.observer.eventSent("update", 1);
    metrics.observer.changePublished(4);
    expect(await metrics.registry.metrics()).toMatch(/^herald_events_sent_total\{type="update"\} 1$/m);
    metrics.observer.eventSent("update", 1);
    await metrics.registry.metrics();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^herald_events_sent_total\{type="update"\} 2$/m);
    expect(text).toMatch(/^herald_fanout_latency_seconds_count 2$/m);
    expect(text).toMatch(/^herald_change_publish_seconds_count 1$/m);
    expect(text).toMatch(/^herald_change_publish_seconds_bucket\{le="0.005"\} 1$/m);
  });
});
