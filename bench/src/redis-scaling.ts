/**
 * `pnpm --filter @herald/bench redis-scaling`: what Redis costs per presence change, and how the
 * load spreads, with N Herald servers on one Redis versus a 3-master Redis Cluster (issue 15).
 *
 * For each topology this starts Redis processes of its own (nothing else uses them), N Herald servers on a scratch PostgreSQL, seeds U users × F friends once,
 * connects every user (alternating servers) with a `presence.onChange` subscription, warms up,
 * then sends status changes at one fixed rate for one step. Per Redis process it reads, over that
 * step: publishes (INFO commandstats, PUBLISH or SPUBLISH calls), deliveries (messages the
 * servers received from that process: their `herald_redis_messages_received_total{node}`),
 * commands, and CPU time (INFO CPU: the process' own getrusage, in microseconds, where
 * /proc/<pid>/stat counts 10 ms ticks, too coarse for a few seconds of a lightly loaded Redis).
 * The cost per change is the CPU above the process' idle rate (its timers, the cluster bus'
 * gossip), measured just before the step.
 *
 * The machine this was written on has 2 cores shared by every Redis, Herald server and load
 * generator: absolute throughput there says little. Read the per-shard cost instead (CPU-seconds
 * per 1,000 changes), and the spread (no master above 1.5 × the mean of publishes, or what chance
 * allows with few users: `spreadLimit`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { RedisCluster, RedisServer } from "@herald/presence/testing";
import { Redis } from "ioredis";
import { positiveNumber, readFlags } from "./flags.js";
import { BENCH_DIR, Child } from "./children.js";
import { buildGraph } from "./graph.js";
import type { GenUser } from "./loadgen.js";
import { connectAll, heraldConfig, parseOptions, runStep, startHerald, type Deployment } from "./run.js";
import { seedHerald } from "./seed.js";
import { round } from "./stats.js";

type TopologyName = "single" | "cluster";

interface ScalingOptions {
  servers: number;
  users: number;
  friends: number;
  /** Status changes per second during the measured step. */
  rate: number;
  stepMs: number;
  /** How long each Redis' idle CPU is sampled before the step. */
  idleMs: number;
  topologies: TopologyName[];
  outDir: string;
  databaseUrl: string;
}

/** One Redis process under measurement. */
interface RedisProcess {
  node: string;
  port: number;
  pid: number;
}

/** What a topology is for the servers, and the processes to measure. */
interface RunningRedis {
  label: string;
  config: Record<string, unknown>;
  processes: RedisProcess[];
  stop(): Promise<void>;
}

interface RedisProcessResult {
  node: string;
  publishesPerSec: number;
  deliveriesPerSec: number;
  commandsPerSec: number;
  /** CPU time used per second of the step (1.0 = one core busy). */
  cpuCores: number;
  /** Same, with no load (Redis' own timers, the cluster bus), measured just before the step. */
  idleCpuCores: number;
  /** CPU-seconds this process spent above its idle rate per 1,000 changes it published. */
  cpuSecondsPer1000Changes: number | null;
}

export interface TopologyResult {
  topology: TopologyName;
  label: string;
  servers: number;
  changesPerSec: number;
  /** WebSocket events received by the simulated users, per second (after coalescing). */
  userDeliveriesPerSec: number;
  p99Ms: number | null;
  lost: number;
  redis: RedisProcessResult[];
  /** All Redis processes together: CPU-seconds per 1,000 changes. */
  totalCpuSecondsPer1000Changes: number;
  /** Highest publishes of one process over the mean (1.0 = perfectly even). */
  publishImbalance: number;
  /** Redis commands per change, by command (all processes; includes the servers' sweeps and reaping). */
  commandsPerChange: Record<string, number>;
}

function parseScalingOptions(argv: string[]): ScalingOptions {
  const flags = readFlags(argv);
  const number = (key: string, fallback: number) => positiveNumber(flags, key, fallback);
  const topologies = (flags.get("topologies") ?? "single,cluster").split(",");
  const unknown = topologies.find((name) => name !== "single" && name !== "cluster");
  if (unknown !== undefined) throw new Error(`--topologies: single or cluster, not ${unknown}`);
  return {
    servers: number("servers", 2),
    users: number("users", 600),
    friends: number("friends", 20),
    rate: number("rate", 300),
    stepMs: number("step-ms", 10_000),
    idleMs: number("idle-ms", 5_000),
    topologies: topologies as TopologyName[],
    outDir: flags.get("out") ?? join(BENCH_DIR, "results"),
    databaseUrl: flags.get("database-url") ?? process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  };
}

const started = performance.now();
const log = (line: string) => process.stderr.write(`${`[${((performance.now() - started) / 1000).toFixed(1)}s]`.padEnd(8)} ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startRedis(name: TopologyName): Promise<RunningRedis> {
  if (name === "single") {
    const server = await RedisServer.start();
    return {
      label: "one Redis",
      config: { redisUrl: server.url },
      processes: [{ node: `127.0.0.1:${server.port}`, port: server.port, pid: server.pid! }],
      stop: () => server.stop(),
    };
  }
  // Redis' default node timeout, as in production: the tests' short one makes the nodes gossip more.
  const cluster = await RedisCluster.start({ masters: 3, nodeTimeoutMs: 15_000 });
  const masters = await cluster.masters();
  return {
    label: "Redis Cluster, 3 masters",
    config: { redisClusterNodes: cluster.seeds },
    processes: masters.map((port) => ({ node: `127.0.0.1:${port}`, port, pid: cluster.pidOf(port) })),
    stop: () => cluster.stop(),
  };
}

interface Counters {
  at: number;
  cpuMs: Map<string, number>;
  publishes: Map<string, number>;
  commands: Map<string, number>;
  /** Calls by command name, all processes together. */
  byCommand: Map<string, number>;
  received: Map<string, number>;
}

async function readCounters(processes: RedisProcess[], metricsUrls: string[]): Promise<Counters> {
  const counters: Counters = {
    at: performance.now(),
    cpuMs: new Map(),
    publishes: new Map(),
    commands: new Map(),
    byCommand: new Map(),
    received: new Map(),
  };
  await Promise.all(
    processes.map(async ({ node, port }) => {
      const redis = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        const info = await redis.info("all");
        const calls = (command: string) => Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, "m").exec(info)?.[1] ?? 0);
        counters.publishes.set(node, calls("publish") + calls("spublish"));
        counters.commands.set(node, Number(/^total_commands_processed:(\d+)/m.exec(info)?.[1] ?? 0));
        const seconds = (field: string) => Number(new RegExp(`^${field}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
        counters.cpuMs.set(node, (seconds("used_cpu_sys") + seconds("used_cpu_user")) * 1000);
        for (const [, command, count] of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
          counters.byCommand.set(command!, (counters.byCommand.get(command!) ?? 0) + Number(count));
        }
      } finally {
        redis.disconnect();
      }
    }),
  );
  const pages = await Promise.all(metricsUrls.map(async (url) => (await fetch(url)).text()));
  for (const page of pages) {
    for (const [, node, value] of page.matchAll(/^herald_redis_messages_received_total\{node="([^"]+)"\} (\d+)/gm)) {
      counters.received.set(node!, (counters.received.get(node!) ?? 0) + Number(value));
    }
  }
  return counters;
}

function delta(before: Counters, after: Counters, key: "cpuMs" | "publishes" | "commands" | "received", node: string): number {
  return (after[key].get(node) ?? 0) - (before[key].get(node) ?? 0);
}

async function runTopology(
  name: TopologyName,
  options: ScalingOptions,
  databaseUrl: string,
  seeded: { users: Array<{ id: string; token: string }> | null },
): Promise<TopologyResult> {
  const redis = await startRedis(name);
  log(`▶ ${redis.label}: ${redis.processes.map((p) => `${p.node} (pid ${p.pid})`).join(", ")}`);
  const graph = buildGraph(options.users, options.friends);
  const herald = await startHerald(
    `herald-${name}`,
    options.servers,
    heraldConfig({ databaseUrl, redisPrefix: "herald", ...redis.config }),
  ).catch(async (error: unknown) => {
    await redis.stop();
    throw error;
  });
  const gens = [new Child("gen#0", "loadgen.ts", [])];
  try {
    if (!seeded.users) {
      const seedStarted = performance.now();
      seeded.users = (await seedHerald(herald.urls[0]!, graph, log)).users.map((u) => ({ id: u.id, token: u.token }));
      log(`  seeded ${options.users} users × ${options.friends} friends in ${Math.round((performance.now() - seedStarted) / 1000)} s`);
    }
    const toWs = (url: string) => `${url.replace(/^http/, "ws")}/trpc?connectionParams=1`;
    const users: GenUser[] = seeded.users.map((u, i) => ({ ...u, wsUrl: toWs(herald.urls[i % herald.urls.length]!) }));
    const deployment: Deployment = { servers: herald.servers, urls: herald.urls, users, seedMs: null, cleanup: async () => {} };
    await Promise.all(gens.map((g) => g.ready));
    const tag = `r${name === "single" ? "a" : "b"}${String.fromCharCode(97 + Math.floor(Math.random() * 26))}`;
    await Promise.all(gens.map((g, shard) => g.request({ type: "init", shard, shards: gens.length, users, friends: graph.friends, tag })));
    const connect = await connectAll(gens, "scenario", users.length, 64);
    if (connect.failed > 0) throw new Error(`${connect.failed} connections failed: ${connect.firstError}`);
    log(`  ${connect.opened} users connected and subscribed over ${options.servers} servers`);
    const stepOptions = { ...parseOptions([]), stepMs: options.stepMs, drainMs: 3_000 };
    await runStep(options.rate, deployment, gens, { ...stepOptions, stepMs: Math.min(3_000, options.stepMs) }, null); // warm-up, not recorded
    await sleep(500);

    const idleBefore = await readCounters(redis.processes, herald.metricsUrls);
    await sleep(options.idleMs);
    const before = await readCounters(redis.processes, herald.metricsUrls);
    const step = await runStep(options.rate, deployment, gens, stepOptions, null);
    const after = await readCounters(redis.processes, herald.metricsUrls);
    const seconds = (after.at - before.at) / 1000;
    const idleSeconds = (before.at - idleBefore.at) / 1000;
    const changes = step.changesPerSec * (options.stepMs / 1000);

    const idleCores = (node: string) => delta(idleBefore, before, "cpuMs", node) / 1000 / idleSeconds;
    const loadCpuSeconds = (node: string) => Math.max(0, delta(before, after, "cpuMs", node) / 1000 - idleCores(node) * seconds);
    const processes: RedisProcessResult[] = redis.processes.map(({ node }) => {
      const publishes = delta(before, after, "publishes", node);
      return {
        node,
        publishesPerSec: round(publishes / seconds, 0)!,
        deliveriesPerSec: round(delta(before, after, "received", node) / seconds, 0)!,
        commandsPerSec: round(delta(before, after, "commands", node) / seconds, 0)!,
        cpuCores: round(delta(before, after, "cpuMs", node) / 1000 / seconds, 4)!,
        idleCpuCores: round(idleCores(node), 4)!,
        cpuSecondsPer1000Changes: publishes > 0 ? round(loadCpuSeconds(node) / (publishes / 1000), 4) : null,
      };
    });
    const totalCpuSeconds = redis.processes.reduce((sum, { node }) => sum + loadCpuSeconds(node), 0);
    const publishes = processes.map((p) => p.publishesPerSec);
    const mean = publishes.reduce((a, b) => a + b, 0) / publishes.length;
    const result: TopologyResult = {
      topology: name,
      label: redis.label,
      servers: options.servers,
      changesPerSec: step.changesPerSec,
      userDeliveriesPerSec: step.deliveredPerSec,
      p99Ms: step.p99,
      lost: step.lost,
      redis: processes,
      totalCpuSecondsPer1000Changes: round(totalCpuSeconds / (changes / 1000), 4)!,
      publishImbalance: round(mean > 0 ? Math.max(...publishes) / mean : 0, 2)!,
      commandsPerChange: Object.fromEntries(
        [...after.byCommand]
          .map(([command, calls]) => [command, round((calls - (before.byCommand.get(command) ?? 0)) / changes, 2)!] as const)
          .filter(([, perChange]) => perChange >= 0.01)
          .sort((a, b) => b[1] - a[1]),
      ),
    };
    for (const p of processes) {
      log(
        `  ${p.node}: ${p.publishesPerSec} publishes/s, ${p.deliveriesPerSec} deliveries/s, ${p.commandsPerSec} commands/s, ` +
          `CPU ${p.cpuCores} cores (idle ${p.idleCpuCores}), ${p.cpuSecondsPer1000Changes} CPU-s per 1,000 changes`,
      );
    }
    log(
      `  ${result.changesPerSec} changes/s → ${result.userDeliveriesPerSec} user deliveries/s (p99 ${result.p99Ms} ms, lost ${result.lost}); ` +
        `Redis in all: ${result.totalCpuSecondsPer1000Changes} CPU-s per 1,000 changes; publish imbalance ${result.publishImbalance}× the mean`,
    );
    log(
      `  Redis commands per change: ${Object.entries(result.commandsPerChange)
        .map(([c, n]) => `${c} ${n}`)
        .join(", ")}`,
    );
    await Promise.all(gens.map((g) => g.request({ type: "disconnect", kind: "scenario" })));
    return result;
  } finally {
    await Promise.all(gens.map((g) => g.stop()));
    await Promise.all(herald.servers.map((s) => s.stop()));
    await redis.stop();
  }
}

function markdown(options: ScalingOptions, results: TopologyResult[], command: string): string {
  const lines = [
    `# Redis scaling: one Redis vs a 3-master Redis Cluster`,
    "",
    `\`${command}\` — ${options.servers} Herald servers, ${options.users} users × ${options.friends} friends, ` +
      `${options.rate} status changes/s for ${options.stepMs / 1000} s, on ${cpus().length} shared cores (${cpus()[0]?.model ?? "unknown CPU"}). ` +
      `Every Redis process, Herald server and load generator shares those cores, so read the cost per change, not the throughput.`,
    "",
    "| topology | Redis process | publishes/s | deliveries/s | commands/s | CPU (cores) | idle CPU (cores) | CPU-s per 1,000 changes, above idle |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const result of results) {
    for (const p of result.redis) {
      lines.push(
        `| ${result.label} | ${p.node} | ${p.publishesPerSec} | ${p.deliveriesPerSec} | ${p.commandsPerSec} | ${p.cpuCores} | ${p.idleCpuCores} | ${p.cpuSecondsPer1000Changes ?? "–"} |`,
      );
    }
  }
  lines.push(
    "",
    "| topology | changes/s | user deliveries/s | p99 ms | lost | Redis CPU-s per 1,000 changes, all processes, above idle | max publishes / mean |",
  );
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of results) {
    lines.push(
      `| ${r.label} | ${r.changesPerSec} | ${r.userDeliveriesPerSec} | ${r.p99Ms ?? "–"} | ${r.lost} | ${r.totalCpuSecondsPer1000Changes} | ${r.publishImbalance} |`,
    );
  }
  lines.push("", "Redis commands per change (all processes, including the servers' keep-alive sweeps and reaping):", "");
  for (const r of results) {
    lines.push(
      `- ${r.label}: ${Object.entries(r.commandsPerChange)
        .map(([command, n]) => `${command} ${n}`)
        .join(", ")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const options = parseScalingOptions(process.argv.slice(2));
  const command = `pnpm --filter @herald/bench redis-scaling ${process.argv.slice(2).join(" ")}`.trim();
  log(`${command}`);
  const { createScratchDatabase } = await import("@herald/db/testing");
  const scratch = await createScratchDatabase(options.databaseUrl);
  const seeded: { users: Array<{ id: string; token: string }> | null } = { users: null };
  const results: TopologyResult[] = [];
  try {
    for (const name of options.topologies) results.push(await runTopology(name, options, scratch.url, seeded));
  } finally {
    await scratch.drop().catch((error: unknown) => log(`could not drop the scratch database: ${String(error)}`));
  }
  mkdirSync(options.outDir, { recursive: true });
  const text = markdown(options, results, command);
  writeFileSync(join(options.outDir, "redis-scaling.md"), text);
  writeFileSync(
    join(options.outDir, "redis-scaling.json"),
    `${JSON.stringify({ at: new Date().toISOString(), command, options, results }, null, 2)}\n`,
  );
  process.stdout.write(`\n${text}\nwrote ${join(options.outDir, "redis-scaling.{md,json}")}\n`);
  const unbalanced = results
    .map((r) => ({ r, limit: spreadLimit(r.redis.length, options.users) }))
    .filter(({ r, limit }) => r.redis.length > 1 && r.publishImbalance > limit);
  if (unbalanced.length > 0) {
    const limits = unbalanced.map(({ r, limit }) => `${r.label} ${r.publishImbalance}× the mean (limit ${limit.toFixed(2)}×)`);
    log(`✗ publishes are not spread: ${limits.join(", ")}`);
    process.exitCode = 1;
  }
}

/**
 * The most publishes one of `masters` may take, as a multiple of the mean: 1.5×, or more for so
 * few users that chance alone gets there. Users land on masters by their ids' hash slots, so a
 * master's share of `users` varies by sqrt((masters - 1) / users) of the mean (one standard
 * deviation); 4 of those is what chance allows. With 30 users on 3 masters 1.58× happened.
 */
function spreadLimit(masters: number, users: number): number {
  return Math.max(1.5, 1 + 4 * Math.sqrt((masters - 1) / users));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
