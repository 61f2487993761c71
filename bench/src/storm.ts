/**
 * The connect storm of issue 14 (goal 2). Herald on PostgreSQL + Redis, U users × F friends,
 * each connected and subscribed once; then the server restarts (a graceful stop, then a new
 * process on the same port) and every client reconnects at a random moment within the window.
 * Goal: every client has its fresh snapshot within the deadline of the restart, and no friend is
 * ever shown offline (a flap) — everyone stays connected throughout. The clients keep watching
 * until the old registrations have expired (TTL + grace), since a flap from a hand-over would
 * show then.
 *
 *   pnpm --filter @herald/bench storm [--users 5000] [--friends 20] [--window-ms 10000]
 *     [--deadline-ms 15000] [--ttl-ms 15000] [--pin] [--profile]
 *
 * `pnpm bench` runs it after the other targets (`runStorm`) unless `--no-storm`. `--profile`
 * writes a CPU profile of the new server from the moment it listens until every client is back
 * (results/profiles/storm-<users>.cpuprofile).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createScratchDatabase } from "@herald/db/testing";
import { Child, BENCH_DIR } from "./children.js";
import { bundleHeraldServer } from "./herald-bundle.js";
import { heraldNodeFlags } from "./herald-node-flags.js";
import { positiveNumber, readFlags } from "./flags.js";
import { buildGraph } from "./graph.js";
import type { GenUser } from "./loadgen.js";
import { cpus } from "node:os";
import { CpuMeter, machineCpu } from "./proc.js";
import { seedHerald } from "./seed.js";
import { round } from "./stats.js";

export interface StormOptions {
  users: number;
  friends: number;
  /** Every client comes back at a random moment within this long of losing its socket. */
  windowMs: number;
  /** Every client must have its fresh snapshot within this long of the restart. */
  deadlineMs: number;
  pin: boolean;
  databaseUrl: string;
  redisUrl: string;
  /** The presence TTL: registrations handed over by the old server expire this long after their last refresh. */
  ttlMs: number;
  /** Where to write a CPU profile of the new server during the storm; null: none. */
  profilePath: string | null;
  log: (line: string) => void;
}

type Percentiles = { p50: number | null; p99: number | null; max: number | null };

export interface StormResult {
  at: string;
  users: number;
  friends: number;
  windowMs: number;
  deadlineMs: number;
  ttlMs: number;
  pinned: boolean;
  initialConnectMs: number;
  /** From the old server's stop to the new one listening, and of that the graceful stop alone. */
  restartMs: number;
  stopMs: number;
  /** From the restart (the old server's stop, when every socket dropped) to each client's fresh snapshot. */
  snapshotAfterRestartMs: Percentiles;
  /** The same from the moment the new server listened. */
  snapshotAfterReadyMs: Percentiles;
  /** From each client's first reconnect attempt (its random moment) to its snapshot: the server's share, plus retries while it was down. */
  snapshotAfterAttemptMs: Percentiles;
  /** Until the last client had its snapshot, from the restart. */
  allBackMs: number | null;
  missing: number;
  attempts: number;
  flaps: number;
  flappedViewers: number;
  errors: number;
  /** The new server's CPU from listening until every client was back, cores (1.0 = one core). */
  serverCpuCores: number | null;
  /** The client processes, and everything else on the machine (PostgreSQL, Redis, …), over the same span. */
  clientCores: number;
  otherCores: number;
  /** Reconnects whose socket opened but closed before its snapshot (the server gave up on them). */
  abandoned: number;
  /** The new server's event-loop delay over the same span, ms. */
  loopDelayP99: number | null;
  loopDelayMax: number | null;
  met: boolean;
}

const CLIENT_PROCESSES = 2;
/** The storm's presence TTL (the default is 60 s): short, so that the watch for late flaps ends soon. */
export const STORM_TTL_MS = 15_000;
const GRACE_MS = 1_000;
/** Tokens, not passwords, authenticate the reconnects: sign-up cost is setup only, so test-strength hashing (N=2^10). */
const PASSWORD_HASHING = { params: { N: 2 ** 10, r: 8, p: 1 }, maxConcurrent: 4 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exact percentiles (a few thousand values; stats.ts's Histogram stops at 30 s). */
function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : null);
  return { p50: round(at(50), 0), p99: round(at(99), 0), max: round(sorted.at(-1) ?? null, 0) };
}

export async function runStorm(options: StormOptions): Promise<StormResult> {
  const { users: USERS, friends: FRIENDS, windowMs: WINDOW_MS, deadlineMs: DEADLINE_MS, pin: PIN, ttlMs: TTL_MS, log } = options;
  const scratch = await createScratchDatabase(options.databaseUrl);
  const baseConfig = {
    port: 0,
    host: "127.0.0.1",
    dataDir: null,
    databaseUrl: scratch.url,
    redisUrl: options.redisUrl,
    redisPrefix: `herald-storm-${randomBytes(4).toString("hex")}`,
    authSecret: `storm-${randomBytes(12).toString("hex")}`,
    presenceTtlMs: TTL_MS,
    offlineGraceMs: GRACE_MS,
    rateLimits: false,
    statusRateLimit: 0,
    logLevel: "warn",
    webDistDir: join(BENCH_DIR, "no-web-app"),
    passwordHashing: PASSWORD_HASHING,
  };
  // Started, and restarted, as a deployment runs it: bundled, under plain node (herald-bundle.ts).
  const bundle = await bundleHeraldServer();
  const startServer = (port: number): Child => {
    const server = new Child(`herald:${port}`, bundle, [JSON.stringify({ ...baseConfig, port })], {
      execArgv: heraldNodeFlags(),
      bundled: true,
    });
    if (PIN) void server.ready.then(() => server.pin("0"));
    return server;
  };

  let server = startServer(0);
  const clients = Array.from({ length: CLIENT_PROCESSES }, (_, i) => new Child(`storm-client#${i}`, "storm-client.ts", []));
  try {
    const { url } = await server.ready;
    const port = Number(new URL(url).port);
    await Promise.all(clients.map((c) => c.ready));
    if (PIN) for (const client of clients) client.pin("1");
    log(`  storm: seeding ${USERS} users × ${FRIENDS} friends on ${url}`);
    const graph = buildGraph(USERS, FRIENDS);
    const { users: seeded } = await seedHerald(url, graph, log);
    const wsUrl = `${url.replace(/^http/, "ws")}/trpc?connectionParams=1`;
    const users: GenUser[] = seeded.map((u) => ({ id: u.id, token: u.token, wsUrl }));
    await Promise.all(
      clients.map((client, shard) =>
        client.request({ type: "init", users, own: users.map((_, i) => i).filter((i) => i % CLIENT_PROCESSES === shard) }),
      ),
    );

    const connected = await Promise.all(
      clients.map((c) => c.request<{ opened: number; failed: number; ms: number }>({ type: "connect", concurrency: 50 })),
    );
    const connectMs = Math.max(...connected.map((c) => c.ms));
    const failed = connected.reduce((sum, c) => sum + c.failed, 0);
    log(`  storm: connected and subscribed ${USERS - failed} of ${USERS} in ${(connectMs / 1000).toFixed(2)} s`);
    if (failed > 0) throw new Error(`${failed} clients could not connect before the storm`);

    await Promise.all(clients.map((c) => c.request({ type: "arm", windowMs: WINDOW_MS })));
    const restartAt = Date.now();
    await server.stop();
    const stoppedAt = Date.now();
    server = startServer(port);
    await server.ready;
    const readyAt = Date.now();
    const cpu = new CpuMeter(() => [server.pid]);
    const clientCpu = new CpuMeter(() => clients.map((c) => c.pid));
    const machineBefore = machineCpu();
    cpu.start();
    clientCpu.start();
    await server.request({ type: "loop-start" });
    if (options.profilePath) await server.request({ type: "profile-start" });
    log(
      `  storm: restarted in ${((readyAt - restartAt) / 1000).toFixed(2)} s (the stop ${((stoppedAt - restartAt) / 1000).toFixed(2)} s); clients come back within ${WINDOW_MS / 1000} s`,
    );

    type Census = {
      clients: number;
      dropped: number;
      resnapshotAt: Array<number | null>;
      reconnectAt: Array<number | null>;
      attempts: number;
      abandoned: number;
      flaps: number;
      flappedViewers: number;
      errors: number;
    };
    const census = () => Promise.all(clients.map((c) => c.request<Census>({ type: "census" })));
    const giveUpAt = restartAt + DEADLINE_MS + 30_000;
    let all: Census[] = await census();
    while (Date.now() < giveUpAt && all.some((c) => c.resnapshotAt.some((at) => at === null))) {
      await sleep(250);
      all = await census();
    }
    const stormCpuCores = cpu.cores();
    const clientCores = clientCpu.cores();
    const machineAfter = machineCpu();
    const machineCores = ((machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total)) * cpus().length;
    const loop = await server.request<{ loopDelay?: { p99: number; max: number } }>({ type: "loop-stop" });
    if (options.profilePath) {
      await server.request({ type: "profile-stop", path: options.profilePath });
      log(`  storm: profile ${options.profilePath}`);
    }
    log("  storm: all back (or given up); watching until the old registrations have expired");
    await sleep(Math.max(0, restartAt + TTL_MS + GRACE_MS + 5_000 - Date.now()));
    all = await census();

    const snapshots = all.flatMap((c) => c.resnapshotAt);
    const attemptsAt = all.flatMap((c) => c.reconnectAt);
    const back = snapshots.filter((at): at is number => at !== null);
    const missing = snapshots.length - back.length;
    const afterAttempt = snapshots.flatMap((at, i) => (at !== null && attemptsAt[i] != null ? [at - attemptsAt[i]] : []));
    const flaps = all.reduce((sum, c) => sum + c.flaps, 0);
    const afterRestart = percentiles(back.map((at) => at - restartAt));
    const result: StormResult = {
      at: new Date().toISOString(),
      users: USERS,
      friends: FRIENDS,
      windowMs: WINDOW_MS,
      deadlineMs: DEADLINE_MS,
      ttlMs: TTL_MS,
      pinned: PIN,
      initialConnectMs: round(connectMs, 0)!,
      restartMs: readyAt - restartAt,
      stopMs: stoppedAt - restartAt,
      snapshotAfterRestartMs: afterRestart,
      snapshotAfterReadyMs: percentiles(back.map((at) => at - readyAt)),
      snapshotAfterAttemptMs: percentiles(afterAttempt),
      allBackMs: missing === 0 && back.length > 0 ? Math.max(...back) - restartAt : null,
      missing,
      attempts: all.reduce((sum, c) => sum + c.attempts, 0),
      flaps,
      flappedViewers: all.reduce((sum, c) => sum + c.flappedViewers, 0),
      errors: all.reduce((sum, c) => sum + c.errors, 0),
      serverCpuCores: round(stormCpuCores, 2),
      clientCores: round(clientCores, 2)!,
      otherCores: round(Math.max(0, machineCores - stormCpuCores - clientCores), 2)!,
      abandoned: all.reduce((sum, c) => sum + c.abandoned, 0),
      loopDelayP99: round(loop.loopDelay?.p99 ?? null),
      loopDelayMax: round(loop.loopDelay?.max ?? null),
      met: missing === 0 && afterRestart.max !== null && afterRestart.max <= DEADLINE_MS && flaps === 0,
    };
    log(
      `  storm: ${result.met ? "MET" : "NOT MET"}: snapshots after the restart p50 ${fmtS(afterRestart.p50)} p99 ${fmtS(afterRestart.p99)} ` +
        `max ${fmtS(afterRestart.max)} (deadline ${DEADLINE_MS / 1000} s; after each client's attempt p50 ${fmtS(result.snapshotAfterAttemptMs.p50)} ` +
        `p99 ${fmtS(result.snapshotAfterAttemptMs.p99)}), ${missing} missing, flaps ${flaps}, errors ${result.errors}, ` +
        `${result.abandoned} abandoned after opening, cores: server ${result.serverCpuCores} clients ${result.clientCores} rest ${result.otherCores}, loop delay p99 ${result.loopDelayP99} max ${result.loopDelayMax} ms`,
    );
    return result;
  } finally {
    await Promise.allSettled([server.stop(), ...clients.map((c) => c.stop())]);
    await scratch.drop().catch(() => {});
  }
}

const fmtS = (ms: number | null) => (ms === null ? "–" : `${(ms / 1000).toFixed(2)} s`);

if (process.argv[1]?.endsWith("storm.ts")) {
  const flags = readFlags(process.argv.slice(2));
  const flag = (name: string, fallback: number) => positiveNumber(flags, name, fallback);
  const startedAt = performance.now();
  const users = flag("users", 5000);
  const outDir = join(BENCH_DIR, "results");
  mkdirSync(join(outDir, "profiles"), { recursive: true });
  const result = await runStorm({
    users,
    friends: flag("friends", 20),
    windowMs: flag("window-ms", 10_000),
    deadlineMs: flag("deadline-ms", 15_000),
    ttlMs: flag("ttl-ms", STORM_TTL_MS),
    pin: flags.has("pin"),
    databaseUrl: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    redisUrl: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
    profilePath: flags.has("profile") ? join(outDir, "profiles", `storm-${users}.cpuprofile`) : null,
    log: (line) => process.stderr.write(`[${((performance.now() - startedAt) / 1000).toFixed(1)}s] ${line}\n`),
  });
  writeFileSync(join(outDir, "storm.json"), JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(result, null, 2));
  process.exitCode = result.met ? 0 : 1;
}
