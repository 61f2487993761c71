/**
 * Issue 14, goal 4: the resident memory of embedded Herald as `pnpm start` runs it (the built
 * `apps/server/dist/main.js` under plain node, PGlite in `DATA_DIR`, in-memory store), idling
 * with N users, each subscribed on one connection, with 2 × `friends` friends each.
 *
 *   pnpm --filter @herald/bench embedded-rss [--users 1000] [--friends 10] [--runs 3] [--no-build]
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
 */
import { execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, signUp, type TestUser } from "@herald/server/testing";
import { BENCH_DIR } from "./children.js";
import { positiveNumber, readFlags } from "./flags.js";

const flags = readFlags(process.argv.slice(2));
const USERS = positiveNumber(flags, "users", 1000);
const FRIENDS_EACH_WAY = positiveNumber(flags, "friends", 10);
const RUNS = positiveNumber(flags, "runs", 3);
const REPO = join(BENCH_DIR, "..");
const MAIN_JS = join(REPO, "apps", "server", "dist", "main.js");
const LIMIT_MIB = 400;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

/** Resident memory of `pid`, bytes: in all, and in the wasm memory's mapping (the one of ≥ 4 GiB). */
function residentMemory(pid: number): { rss: number; wasm: number } {
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
  let wasm = 0;
  let size = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const field = /^(Size|Rss):\s+(\d+) kB/.exec(line);
    if (field?.[1] === "Size") size = Number(field[2]) * 1024;
    else if (field?.[1] === "Rss" && size >= 4 * 2 ** 30) wasm += Number(field[2]) * 1024;
  }
  return { rss, wasm };
}

/** One sample of a Prometheus metric (the first line of that name). */
async function metric(metricsUrl: string, name: string): Promise<number | null> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(" ").at(-1)) : null;
}

async function seed(dataDir: string): Promise<TestUser[]> {
  const seeder = fork(join(BENCH_DIR, "src", "embedded-rss", "server.ts"), [dataDir], {
    execArgv: ["--conditions=@herald/source", "--import", "tsx"],
  });
  const { url } = await new Promise<{ url: string }>((resolve) => seeder.once("message", resolve as never));
  const people: TestUser[] = [];
  for (let i = 0; i < USERS; i += 50)
    people.push(...(await Promise.all(Array.from({ length: Math.min(50, USERS - i) }, () => signUp(url)))));
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
  const exited = new Promise((resolve) => seeder.once("exit", resolve));
  seeder.send("stop");
  await exited;
  return people;
}

/** `node --enable-source-maps apps/server/dist/main.js`, as `pnpm start` runs it after building. */
async function startBuilt(dataDir: string): Promise<{ server: ChildProcess; url: string; metricsUrl: string }> {
  const server = spawn(process.execPath, ["--enable-source-maps", MAIN_JS], {
    cwd: REPO,
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: "0", METRICS_PORT: "0", RATE_LIMITS: "off", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const urls = await new Promise<{ url: string; metricsUrl: string }>((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`main.js exited (${code}) before listening:\n${out}`)));
    server.stdout!.on("data", (chunk: Buffer) => {
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
    const people = await seed(dataDir);
    const { server, url, metricsUrl } = await startBuilt(dataDir);
    const wsUrl = `${url.replace(/^http/, "ws")}/trpc`;
    try {
      const idleRss = mib(residentMemory(server.pid!).rss);
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
          `(1 s apart; ${idleRss} MiB before any connection); PGlite's wasm memory ${mib(last.wasm)} MiB resident, ` +
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
