/**
 * Prometheus metrics for /metrics: connections, users online, events sent, and a change's
 * latency in two halves (asked for → published, published → handed to each subscriber).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { ChangeObserver, FeedObserver, HeraldApp } from "@herald/presence";
import { FanOutTally } from "./fan-out-tally.js";
import { LatencyTally, registerLatencyHistogram } from "./latency-tally.js";

export interface ServerMetrics {
  registry: Registry;
  observer: FeedObserver & ChangeObserver;
  errors: Counter<"code">;
  attach(app: HeraldApp): void;
}

/** `messagesReceived`: pub/sub messages so far by delivering Redis (`host:port`): how the bus load spreads over shards. */
export function createMetrics(messagesReceived: () => ReadonlyMap<string, number> = () => new Map()): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "herald_" });
  let app: HeraldApp | null = null;
  new Gauge({
    name: "herald_connections",
    help: "Live authenticated WebSocket connections on this server",
    registers: [registry],
    collect() {
      this.set(app?.connections.size ?? 0);
    },
  });
  new Gauge({
    name: "herald_users_online",
    help: "Distinct users with at least one live connection on this server",
    registers: [registry],
    collect() {
      this.set(app?.connections.userCount ?? 0);
    },
  });
  new Gauge({
    name: "herald_bus_listeners",
    help: "Bus listeners held by live subscriptions (should track subscribers, never grow alone)",
    registers: [registry],
    collect() {
      this.set(app?.busListenerCount() ?? 0);
    },
  });
  countedElsewhere(
    registry,
    "herald_redis_messages_received_total",
    "Pub/sub messages this server received, by the Redis node (host:port) that delivered them",
    "node",
    messagesReceived,
  );
  // Counted per event in plain numbers, read into prom-client per scrape (fan-out-tally.ts).
  const fanOut = new FanOutTally();
  countedElsewhere(registry, "herald_events_sent_total", "presence.onChange events handed to subscribers", "type", () => fanOut.sentByType);
  registerLatencyHistogram(
    registry,
    fanOut.latency,
    "herald_fanout_latency_seconds",
    "From a presence change being published to its event being handed to a subscriber",
  );
  const toPublish = new LatencyTally();
  registerLatencyHistogram(
    registry,
    toPublish,
    "herald_change_publish_seconds",
    "From a durable presence change (status, message, settings) being asked for to its publication: the database write and the live store's ordering",
  );
  const errors = new Counter({
    name: "herald_errors_total",
    help: "Unexpected errors, by tRPC code",
    labelNames: ["code"] as const,
    registers: [registry],
  });
  return {
    registry,
    errors,
    observer: {
      eventSent: (type, latencyMs) => fanOut.eventSent(type, latencyMs),
      changePublished: (ms) => toPublish.observe(ms),
    },
    attach(attached) {
      app = attached;
    },
  };
}

/** A counter whose counts by `label` are kept elsewhere (`counts`, running totals), restated on every scrape. */
function countedElsewhere(registry: Registry, name: string, help: string, label: string, counts: () => ReadonlyMap<string, number>): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, count] of counts()) this.inc({ [label]: value }, count);
    },
  });
}
