/** The fan-out's tally reads on /metrics exactly as prom-client's own Counter and Histogram would. */
import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { FAN_OUT_BUCKETS, FanOutTally, registerLatencyHistogram } from "../src/fan-out-tally.js";
import { createMetrics } from "../src/metrics.js";

const NAME = "herald_fanout_latency_seconds";
const HELP = "fan-out latency";

describe("FanOutTally", () => {
  it("exposes the same latency histogram as a prom-client Histogram fed the same observations", async () => {
    // On bounds, between them, past the last, and zero: `le` is inclusive.
    const latenciesMs = [0, 0.5, 1, 1.2, 5, 7, 25, 99.9, 100, 2_500, 2_500.1, 60_000];
    const tally = new FanOutTally();
    const ours = new Registry();
    registerLatencyHistogram(ours, tally, NAME, HELP);
    const theirs = new Registry();
    const histogram = new Histogram({ name: NAME, help: HELP, buckets: [...FAN_OUT_BUCKETS], registers: [theirs] });
    for (const ms of latenciesMs) {
      tally.eventSent("update", ms);
      histogram.observe(ms / 1000);
    }
    tally.eventSent("snapshot", null); // no latency: counted, not observed
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toMatch(new RegExp(`^${NAME}_count ${latenciesMs.length}$`, "m"));
  });

  it("counts events by type, with or without a latency", () => {
    const tally = new FanOutTally();
    tally.eventSent("snapshot", null);
    tally.eventSent("update", 3);
    tally.eventSent("update", null);
    expect(Object.fromEntries(tally.sentByType)).toEqual({ snapshot: 1, update: 2 });
  });

  it("reads into the server's metrics on every scrape without adding the tally twice", async () => {
    const metrics = createMetrics();
    metrics.observer.eventSent("update", 1);
    expect(await metrics.registry.metrics()).toMatch(/^herald_events_sent_total\{type="update"\} 1$/m);
    metrics.observer.eventSent("update", 1);
    await metrics.registry.metrics();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^herald_events_sent_total\{type="update"\} 2$/m);
    expect(text).toMatch(/^herald_fanout_latency_seconds_count 2$/m);
  });
});
