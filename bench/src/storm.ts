/**
 * `pnpm --filter @herald/bench storm [--users 5000] [--friends 20] [--window-ms 10000]
 * [--deadline-ms 15000] [--pin]`: the connect storm of issue 14. Herald on PostgreSQL + Redis,
 * U users × F friends, each connected and subscribed once; then the server restarts (a graceful
 * stop, then a new process on the same port) and every client reconnects at a random moment
 * within the window. Goal: every client has its fresh snapshot within the deadline once the new
 * server listens, and no friend is ever shown offline (a flap) — everyone stays connected throughout.
 * The clients keep watching until the old registrations have expired (TTL + grace), since a
 * flap from a hand-over would show then.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createScratchDatabase } from "@herald/db/testing";
import { Child, BENCH_DIR } from "./children.js";
import { positiveNumber, readFlags } from "./flags.js";
import { buildGraph } from "./graph.js";
import type { GenUser } from "./loadgen.js";
import { CpuMeter } from "./proc.js";
import { seedHerald } from "./seed.js";
import { Histogram, round } from "./stats.js";

const flags = readFlags(process.argv.slice(2));
const flag = (name: string, fallback: number) => positiveNumber(flags, name, fallback);

const USERS = flag("users", 5000);
const FRIENDS = flag("friends", 20);
const WINDOW_MS = flag("window-ms", 10_000);
const DEADLINE_MS = flag("deadline-ms", 15_000);
const PIN = flags.has("pin");
const CLIENT_PROCESSES = 2;
const TTL_MS = 15_000;
const GRACE_MS = 1_000;
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

const startedAt = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - startedAt) / 1000).toFixed(1)}s] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const scratch = await createScratchDatabase(DATABASE_URL);
const config = (port: number) => ({
  port,
  host: "127.0.0.1",
  dataDir: null,
  databaseUrl: scratch.url,
  redisUrl: REDIS_URL,
  redisPrefix: `herald-storm-${randomBytes(4).toString("hex")}`,
  authSecret: `storm-${randomBytes(12).toString("hex")}`,
  presenceTtlMs: TTL_MS,
  offlineGraceMs: GRACE_MS,
  rateLimits: false,
  statusRateLimit: 0,
  logLevel: "warn",
  webDistDir: join(BENCH_DIR, "no-web-app"),
  // As in run.ts: the bench measures connects, not scrypt.
  passwordHashing: { params: { N: 2 ** 14, r: 8, p: 1 }, maxConcurrent: 4 },
});
const baseConfig = config(0);

function startServer(port: number): Child {
  const server = new Child(`herald:${port}`, "herald-server.ts", [JSON.stringify({ ...baseConfig, port })]);
  if (PIN) void server.ready.then(() => server.pin("0"));
  return server;
}

let server = startServer(0);
const clients = Array.from({ length: CLIENT_PROCESSES }, (_, i) => new Child(`storm-client#${i}`, "storm-client.ts", []));
try {
  const { url } = await server.ready;
  const port = Number(new URL(url).port);
  await Promise.all(clients.map((c) => c.ready));
  if (PIN) for (const client of clients) client.pin("1");
  log(`seeding ${USERS} users × ${FRIENDS} friends on ${url}`);
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
  log(`connected and subscribed ${USERS - failed} of ${USERS} in ${(connectMs / 1000).toFixed(2)} s`);
  if (failed > 0) throw new Error(`${failed} clients could not connect before the storm`);

  await Promise.all(clients.map((c) => c.request({ type: "arm", windowMs: WINDOW_MS })));
  const restartAt = Date.now();
  await server.stop();
  server = startServer(port);
  await server.ready;
  const readyAt = Date.now();
  log(`restarted in ${((readyAt - restartAt) / 1000).toFixed(2)} s; clients come back within ${WINDOW_MS / 1000} s`);
  const cpu = new CpuMeter(() => [server.pid]);
  cpu.start();

  type Census = {
    clients: number;
    dropped: number;
    resnapshotAt: Array<number | null>;
    attempts: number;
    flaps: number;
    flappedViewers: number;
    errors: number;
  };
  const census = () => Promise.all(clients.map((c) => c.request<Census>({ type: "census" })));
  const deadline = restartAt + DEADLINE_MS + 30_000;
  let all: Census[] = await census();
  while (Date.now() < deadline && all.some((c) => c.resnapshotAt.some((at) => at === null))) {
    await sleep(500);
    all = await census();
  }
  const stormCpuCores = cpu.cores();
  log("all back (or given up); watching until the old registrations have expired");
  await sleep(Math.max(0, restartAt + TTL_MS + GRACE_MS + 5_000 - Date.now()));
  all = await census();

  // From the moment the new server listens: "after the server restarts". (restartMs adds the stop and the boot.)
  const times = all.flatMap((c) => c.resnapshotAt).map((at) => (at === null ? null : at - readyAt));
  const missing = times.filter((t) => t === null).length;
  const histogram = new Histogram();
  for (const t of times) if (t !== null) histogram.record(t);
  const flaps = all.reduce((sum, c) => sum + c.flaps, 0);
  const flappedViewers = all.reduce((sum, c) => sum + c.flappedViewers, 0);
  const result = {
    at: new Date().toISOString(),
    users: USERS,
    friends: FRIENDS,
    windowMs: WINDOW_MS,
    deadlineMs: DEADLINE_MS,
    pinned: PIN,
    initialConnectMs: round(connectMs),
    restartMs: readyAt - restartAt,
    snapshotAfterReadyMs: { p50: round(histogram.percentile(50)), p99: round(histogram.percentile(99)), max: round(histogram.max) },
    missing,
    attempts: all.reduce((sum, c) => sum + c.attempts, 0),
    flaps,
    flappedViewers,
    errors: all.reduce((sum, c) => sum + c.errors, 0),
    serverCpuCores: round(stormCpuCores, 2),
    met: missing === 0 && histogram.max <= DEADLINE_MS && flaps === 0,
  };
  mkdirSync(join(BENCH_DIR, "results"), { recursive: true });
  writeFileSync(join(BENCH_DIR, "results", "storm.json"), JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(result, null, 2));
  log(
    `${result.met ? "MET" : "NOT MET"}: every snapshot within ${DEADLINE_MS / 1000} s of the new server listening ` +
      `(max ${(histogram.max / 1000).toFixed(2)} s, ${missing} missing), flaps ${flaps}`,
  );
  process.exitCode = result.met ? 0 : 1;
} finally {
  await Promise.allSettled([server.stop(), ...clients.map((c) => c.stop())]);
  await scratch.drop().catch(() => {});
}
