/**
 * Issue 14, goal 4: the resident memory of embedded Herald as `pnpm start` runs it (the built
 * `apps/server/dist/main.js` under plain node, PGlite in `DATA_DIR`, in-memory store), idling
 * with N users, each subscribed on one connection, with 2 × `friends` friends each.
 *
 *   pnpm --filter @herald/bench embedded-rss [--users 1000] [--friends 10] [--runs 3] [--fresh] [--no-build]
 *
 * Each run: a seeding server (tsx, test-strength password hashing, so that 1,000 sign-ups take
 * seconds instead of minutes at the production scrypt cost) creates the data directory, signs
 * the users up and makes the friendships, and stops. Then the built server starts on that
 * directory, as a restarted deployment would, with the env `pnpm start` reads (DATA_DIR,
 * PORT=0, METRICS_PORT=0; RATE_LIMITS=off so that one address may open 1,000 connections; the
 * log at warn), every user connects and subscribes (the stock tRPC client), and the server's RSS
 * is read from /proc five times, 1 s apart; the figure is the last. Where it goes: the mapping
 * of PGlite's WASM memory (the only mapping of several GiB: V8 reserves guard space around a
 * wasm memory) against the rest, from /proc/PID/smaps, and V8's heap from /metrics.
 *
 * `--fresh` is a first start instead: the built server creates the data directory and the users
 * sign up through it at the production scrypt cost (N=2^17; minutes for 1,000 users).
 */
import { execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, signUp, type TestUser } from "@herald/server/testing";
import { BENCH_DIR } from "./children.js";
import { heraldNodeFlags } from "./herald-node-flags.js";
import { positiveNumber, readFlags } from "./flags.js";

const flags = readFlags(process.argv.slice(2));
const USERS = positiveNumber(flags, "users", 1000);
const FRIENDS_EACH_WAY = positiveNumber(flags, "friends", 10);
const RUNS = positiveNumber(flags, "runs", 3);
/** `--fresh`: the built server creates the data directory and the users sign up through it (production hashing). */
const FRESH = flags.has("fresh");
const REPO = join(BENCH_DIR, "..");
const MAIN_JS = join(REPO, "apps", "server", "dist", "main.js");
const LIMIT_MIB = 400;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

/**
 * Resident memory of `pid`, bytes: in all, and in PGlite's wasm memory. V8 maps a wasm memory as
 * its accessible pages followed, back to back, by a reservation of several GiB that is never
 * touched (the guard region): the mapping right before such a reservation is the wasm memory.
 */
function residentMemory(pid: number): { rss: number; wasm: number } {
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
  const mappings: Array<{ start: bigint; end: bigint; rss: number }> = [];
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range) mappings.push({ start: BigInt(`0x${range[1]}`), end: BigInt(`0x${range[2]}`), rss: 0 });
    const resident = /^Rss:\s+(\d+) kB/.exec(line);
    if (resident && mappings.length > 0) mappings.at(-1)!.rss = Number(resident[1]) * 1024;
  }
  let wasm = 0;
  for (let i = 1; i < mappings.length; i++) {
    const guard = mappings[i]!;
    const memory = mappings[i - 1]!;
    if (guard.end - guard.start >= 4n * 2n ** 30n && guard.rss === 0 && memory.end === guard.start) wasm += memory.rss;
  }
  return { rss, wasm };
}

/** One sample of a Prometheus metric (the first line of that name). */
async function metric(metricsUrl: string, name: string): Promise<number | null> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(" ").at(-1)) : null;
}

/** Signs USERS up through `url`, `signUpsAtOnce` at a time, and makes the friendships. */
async function signUpAndBefriend(url: string, signUpsAtOnce: number): Promise<TestUser[]> {
  const people: TestUser[] = [];
  for (let i = 0; i < USERS; i += signUpsAtOnce)
    people.push(...(await Promise.all(Array.from({ length: Math.min(signUpsAtOnce, USERS - i) }, () => signUp(url)))));
  const pairs: Array<[TestUser, TestUser]> = [];
  for (let i = 0; i < USERS; i++) for (let k = 1; k <= FRIENDS_EACH_WAY; k++) pairs.push([people[i]!, people[(i + k) % USERS]!]);
  for (let i = 0; i < pairs.length; i += 100) {
    await Promise.all(
      pairs.slice(i, i + 100).map(async ([a, b]) => {
        await a.http.friends.request.mutate({ username: b.username });
        await b.http.friends.accept.mutate({ userId: a.id });
      }),
    );
  }
  return people;
}

async function seed(dataDir: string): Promise<TestUser[]> {
  const seeder = fork(join(BENCH_DIR, "src", "embedded-rss", "server.ts"), [dataDir], {
    execArgv: ["--conditions=@herald/source", "--import", "tsx"],
  });
  const { url } = await new Promise<{ url: string }>((resolve) => seeder.once("message", resolve as never));
  const people = await signUpAndBefriend(url, 50);
  const exited = new Promise((resolve) => seeder.once("exit", resolve));
  seeder.send("stop");
  await exited;
  return people;
}

/** `node <the server's V8 flags> --enable-source-maps apps/server/dist/main.js`, as `pnpm start` runs it after building. */
async function startBuilt(dataDir: string): Promise<{ server: ChildProcess; url: string; metricsUrl: string }> {
  const server = spawn(process.execPath, [...heraldNodeFlags(), "--enable-source-maps", MAIN_JS], {
    cwd: REPO,
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: "0", METRICS_PORT: "0", RATE_LIMITS: "off", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const urls = await new Promise<{ url: string; metricsUrl: string }>((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`main.js exited (${code}) before listening:\n${out}`)));
    server.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      const metricsUrl = /metrics on (\S+)/.exec(out)?.[1];
      if (url && metricsUrl) resolve({ url, metricsUrl });
    });
  });
  return { server, ...urls };
}

async function measureOnce(run: number): Promise<{ rss: number; wasm: number; heap: number | null; samples: number[] }> {
  const dataDir = join(mkdtempSync(join(tmpdir(), "herald-rss-")), "data");
  try {
    const seeded = FRESH ? null : await seed(dataDir);
    const { server, url, metricsUrl } = await startBuilt(dataDir);
    const wsUrl = `${url.replace(/^http/, "ws")}/trpc`;
    try {
      const idleRss = mib(residentMemory(server.pid!).rss);
      // At the production scrypt cost, which admits 2 hashes at a time and queues 8.
      const people = seeded ?? (await signUpAndBefriend(url, 8));
      const devices = [];
      for (let i = 0; i < USERS; i += 100)
        devices.push(...(await Promise.all(people.slice(i, i + 100).map((u) => connect(wsUrl, u, { subscribe: true })))));
      const samples: number[] = [];
      let last = residentMemory(server.pid!);
      for (let i = 0; i < 5; i++) {
        await sleep(1000);
        last = residentMemory(server.pid!);
        samples.push(mib(last.rss));
      }
      const heap = await metric(metricsUrl, "herald_nodejs_heap_size_used_bytes");
      log(
        `run ${run}: built server idle with ${devices.length} subscribed users × ${2 * FRIENDS_EACH_WAY} friends: RSS ${samples.join(", ")} MiB ` +
          `(1 s apart; ${idleRss} MiB ${FRESH ? "on a new data directory, before any sign-up" : "before any connection"}); PGlite's wasm memory ${mib(last.wasm)} MiB resident, ` +
          `V8 heap used ${heap === null ? "?" : mib(heap)} MiB, the rest ${mib(last.rss - last.wasm)} MiB`,
      );
      await Promise.all(devices.map((d) => d.close()));
      return { rss: last.rss, wasm: last.wasm, heap, samples };
    } finally {
      server.kill("SIGTERM");
      await new Promise((resolve) => server.once("exit", resolve));
    }
  } finally {
    rmSync(join(dataDir, ".."), { recursive: true, force: true });
  }
}

if (!flags.has("no-build")) execFileSync("pnpm", ["--filter", "@herald/server", "build"], { cwd: REPO, stdio: "ignore" });
const results = [];
for (let run = 1; run <= RUNS; run++) results.push(await measureOnce(run));
const sorted = results.map((r) => mib(r.rss)).sort((a, b) => a - b);
const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
const wasm = results.map((r) => mib(r.wasm)).sort((a, b) => a - b);
console.log(
  `embedded Herald (built, node dist/main.js) idle with ${USERS} subscribed users × ${2 * FRIENDS_EACH_WAY} friends: ` +
    `RSS ${median} MiB median of ${RUNS} (${sorted[0]}–${sorted.at(-1)}), PGlite's wasm memory ${wasm[Math.floor((wasm.length - 1) / 2)]} MiB ` +
    `(${wasm[0]}–${wasm.at(-1)}): goal ≤ ${LIMIT_MIB} MiB ${median <= LIMIT_MIB ? "met" : "NOT met"}`,
);
process.exit(0);
