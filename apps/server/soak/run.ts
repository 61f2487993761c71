/**
 * `pnpm soak [--minutes 10] [--quick] [--clients 500]`: churn against a Herald server in a child
 * process (PostgreSQL scratch database): clients connect and disconnect, change status (including
 * invisible) and unfriend/re-friend, while we sample the server's heap and bus listeners from
 * /metrics. At the end, churn stops and every connected client's view of every friend must equal
 * the truth: our model's status, and the server's own `presence.getMany` for that viewer.
 * Prints the heap slope (least squares after a warm-up) and exits non-zero on any mismatch.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createTRPCClient, createWSClient, httpLink, wsLink, type TRPCClient } from "@trpc/client";
import { createScratchDatabase } from "@herald/db/testing";
import type { AppRouter, PresenceEvent, VisiblePresence } from "@herald/presence";
import { CHOSEN_STATUSES, type ChosenStatus } from "@herald/protocol";
import WebSocket from "ws";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    quick: { type: "boolean", default: false },
    clients: { type: "string", default: "500" },
    "actions-per-second": { type: "string", default: "25" },
  },
});
const minutes = values.quick ? 1 : Number(values.minutes);
const clientCount = Number(values.clients);
const actionsPerSecond = Number(values["actions-per-second"]);
const SAMPLE_MS = 5_000;
const GRACE_MS = 1_000;
const STATUSES = CHOSEN_STATUSES;
type Status = ChosenStatus;

const log = (message: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

// ---------------------------------------------------------------------------------------------
// The server, in its own process

async function startServer(databaseUrl: string): Promise<{ url: string; metricsUrl: string; child: ChildProcess }> {
  const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
  const child = spawn(process.execPath, ["--conditions=@herald/source", "--import", "tsx", main], {
    env: {
      ...process.env,
      PORT: "0",
      // Metrics have their own port (never PORT); an ephemeral one, so soaks can run side by side.
      METRICS_PORT: "0",
      DATABASE_URL: databaseUrl,
      REDIS_URL: "",
      RATE_LIMITS: "off",
      STATUS_RATE_LIMIT: "0",
      OFFLINE_GRACE_MS: String(GRACE_MS),
      AUTH_SECRET: "soak-secret-that-is-long-enough",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [url, metricsUrl] = await new Promise<[string, string]>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const listening = out.match(/listening on (http:\/\/\S+)/);
      const metrics = out.match(/metrics on (http:\/\/\S+)/);
      if (listening && metrics) resolve([listening[1]!, metrics[1]!]);
    });
    child.once("exit", (code) => reject(new Error(`server exited early (${code})`)));
  });
  return { url, metricsUrl, child };
}

async function metrics(metricsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const read = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, "m"))?.[1] ?? NaN);
  return {
    heap: read("herald_nodejs_heap_size_used_bytes"),
    rss: read("herald_process_resident_memory_bytes"),
    busListeners: read("herald_bus_listeners"),
    connections: read("herald_connections"),
  };
}

// ---------------------------------------------------------------------------------------------
// Users, the model, and live clients

interface SoakUser {
  id: string;
  username: string;
  token: string;
  http: TRPCClient<AppRouter>;
  status: Status;
  friends: Set<string>;
  device: LiveDevice | null;
}

interface LiveDevice {
  view: Map<string, VisiblePresence>;
  close(): Promise<void>;
  errors: number;
}

function httpClient(url: string, token?: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });
}

function apply(view: Map<string, VisiblePresence>, event: PresenceEvent): void {
  switch (event.type) {
    case "snapshot":
      view.clear();
      for (const p of event.friends) view.set(p.userId, p);
      break;
    case "update":
    case "friend_added":
      view.set(event.presence.userId, event.presence);
      break;
    case "updates":
      for (const p of event.presences) view.set(p.userId, p);
      break;
    case "friend_removed":
      view.delete(event.userId);
      break;
    default:
      break;
  }
}

async function connectDevice(wsUrl: string, user: SoakUser): Promise<LiveDevice> {
  const wsClient = createWSClient({
    url: wsUrl,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: () => ({ token: user.token }),
    retryDelayMs: () => 500,
  });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
  const device: LiveDevice = { view: new Map(), errors: 0, close: async () => {} };
  await new Promise<void>((resolve, reject) => {
    const subscription = client.presence.onChange.subscribe(undefined, {
      onData: (tracked) => {
        apply(device.view, tracked.data);
        if (tracked.data.type === "snapshot") resolve();
      },
      onError: (error) => {
        device.errors++;
        reject(error);
      },
    });
    device.close = async () => {
      subscription.unsubscribe();
      await wsClient.close();
    };
  });
  return device;
}

/** What `viewer` must see of `target` (allow-lists stay empty, so invisible reads offline). */
function expectedStatus(target: SoakUser): string {
  if (!target.device) return "offline";
  return target.status === "invisible" ? "offline" : target.status;
}

// ---------------------------------------------------------------------------------------------

function slope(samples: Array<{ t: number; value: number }>): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mt = samples.reduce((s, x) => s + x.t, 0) / n;
  const mv = samples.reduce((s, x) => s + x.value, 0) / n;
  const num = samples.reduce((s, x) => s + (x.t - mt) * (x.value - mv), 0);
  const den = samples.reduce((s, x) => s + (x.t - mt) ** 2, 0);
  return den === 0 ? 0 : num / den; // per ms
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function main(): Promise<number> {
  const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL);
  const { url, metricsUrl, child } = await startServer(scratch.url);
  const wsUrl = `${url.replace(/^http/, "ws")}/trpc`;
  log(`server ${url} (pid ${child.pid}); ${clientCount} clients, ${minutes} min, ~${actionsPerSecond} actions/s`);
  let exitCode: number;
  try {
    // Set-up: users and a friend graph (a ring plus random chords: ~6 friends each).
    const users: SoakUser[] = [];
    const anon = httpClient(url);
    const prefix = `s${Date.now().toString(36)}`;
    await inParallel(
      Array.from({ length: clientCount }, (_, i) => i),
      4,
      async (i) => {
        const username = `${prefix}_${i}`;
        const { token, user } = await anon.auth.signUp.mutate({ username, password: "soak password" });
        users[i] = { ...user, token, http: httpClient(url, token), status: "online", friends: new Set(), device: null };
      },
    );
    const byId = new Map(users.map((u) => [u.id, u]));
    const befriend = async (a: SoakUser, b: SoakUser) => {
      await a.http.friends.request.mutate({ username: b.username });
      await b.http.friends.accept.mutate({ userId: a.id });
      a.friends.add(b.id);
      b.friends.add(a.id);
    };
    const pairs: Array<[SoakUser, SoakUser]> = [];
    for (let i = 0; i < users.length; i++) {
      pairs.push([users[i]!, users[(i + 1) % users.length]!]);
      const other = users[Math.floor(Math.random() * users.length)]!;
      if (other !== users[i] && !users[i]!.friends.has(other.id)) pairs.push([users[i]!, other]);
      const third = users[Math.floor(Math.random() * users.length)]!;
      if (third !== users[i] && third !== other) pairs.push([users[i]!, third]);
    }
    const seen = new Set<string>();
    await inParallel(
      pairs.filter(([a, b]) => {
        const key = [a.id, b.id].sort().join();
        return seen.has(key) ? false : (seen.add(key), true);
      }),
      8,
      ([a, b]) => befriend(a, b),
    );
    log(`set-up: ${users.length} users, ${seen.size} friendships`);

    // Half the clients start connected.
    await inParallel(users.slice(0, Math.floor(users.length / 2)), 8, async (u) => {
      u.device = await connectDevice(wsUrl, u);
    });

    const samples: Array<{ t: number; heap: number; rss: number; busListeners: number; connections: number }> = [];
    const started = Date.now();
    const sample = async () => samples.push({ t: Date.now() - started, ...(await metrics(metricsUrl)) } as (typeof samples)[number]);
    await sample();
    const sampler = setInterval(() => void sample().catch(() => {}), SAMPLE_MS);

    // Churn. Each user is touched by at most one action at a time.
    const busy = new Set<string>();
    const counts: Record<string, number> = {};
    let failures = 0;
    const act = async () => {
      const user = pick(users);
      if (busy.has(user.id)) return;
      busy.add(user.id);
      const roll = Math.random();
      let kind = "";
      try {
        if (roll < 0.3) {
          kind = user.device ? "disconnect" : "connect";
          if (user.device) {
            const device = user.device;
            user.device = null;
            await device.close();
          } else {
            user.device = await connectDevice(wsUrl, user);
          }
        } else if (roll < 0.85) {
          kind = "status";
          const status = pick(STATUSES);
          await user.http.presence.setStatus.mutate({ status, message: Math.random() < 0.5 ? `soak ${Date.now()}` : null });
          user.status = status;
        } else {
          const friendId = pick([...user.friends]);
          const friend = friendId ? byId.get(friendId) : undefined;
          if (!friend || busy.has(friend.id)) return;
          busy.add(friend.id);
          try {
            kind = "refriend";
            await user.http.friends.remove.mutate({ userId: friend.id });
            user.friends.delete(friend.id);
            friend.friends.delete(user.id);
            await befriend(friend, user);
          } finally {
            busy.delete(friend.id);
          }
        }
        counts[kind] = (counts[kind] ?? 0) + 1;
      } catch (error) {
        failures++;
        if (failures <= 5) log(`action ${kind} failed: ${(error as Error).message}`);
      } finally {
        busy.delete(user.id);
      }
    };
    const deadline = started + minutes * 60_000;
    const inFlight = new Set<Promise<void>>();
    let lastReport = Date.now();
    while (Date.now() < deadline) {
      const tick = Date.now();
      for (let i = 0; i < actionsPerSecond / 10; i++) {
        const p = act();
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      if (Date.now() - lastReport > 60_000) {
        lastReport = Date.now();
        const last = samples.at(-1)!;
        log(
          `${((Date.now() - started) / 60_000).toFixed(1)} min: ${JSON.stringify(counts)}; heap ${(last.heap / 2 ** 20).toFixed(1)} MiB, bus listeners ${last.busListeners}, connections ${last.connections}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (Date.now() - tick))));
    }
    await Promise.all(inFlight);
    clearInterval(sampler);
    await sample();
    log(`churn done: ${JSON.stringify(counts)}, ${failures} failed actions`);

    // Convergence: every connected client's view equals the truth.
    const connected = users.filter((u) => u.device);
    let mismatches: string[] = [];
    const settleStarted = Date.now();
    for (let attempt = 0; attempt < 30; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, attempt === 0 ? GRACE_MS + 2_000 : 1_000));
      mismatches = [];
      await inParallel(connected, 8, async (viewer) => {
        const view = viewer.device!.view;
        const friendIds = [...viewer.friends];
        if (view.size !== friendIds.length) mismatches.push(`${viewer.username}: sees ${view.size} friends, has ${friendIds.length}`);
        const truth = friendIds.length > 0 ? await viewer.http.presence.getMany.query({ userIds: friendIds }) : {};
        for (const friendId of friendIds) {
          const seenPresence = view.get(friendId);
          const want = expectedStatus(byId.get(friendId)!);
          if (seenPresence?.status !== want)
            mismatches.push(`${viewer.username} sees ${friendId} ${seenPresence?.status}, model says ${want}`);
          if (JSON.stringify(seenPresence) !== JSON.stringify(truth[friendId])) {
            mismatches.push(`${viewer.username}: feed ${JSON.stringify(seenPresence)} != getMany ${JSON.stringify(truth[friendId])}`);
          }
        }
      });
      if (mismatches.length === 0) break;
    }
    const convergedMs = Date.now() - settleStarted;

    // Bus listeners back to the subscriber count once every client leaves.
    await inParallel(connected, 16, async (u) => {
      await u.device!.close();
      u.device = null;
    });
    let after = await metrics(metricsUrl);
    for (let i = 0; i < 20 && (after.busListeners !== 0 || after.connections !== 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await metrics(metricsUrl);
    }

    const warm = samples.filter((s) => s.t >= samples.at(-1)!.t * 0.2);
    const heapSlope = slope(warm.map((s) => ({ t: s.t, value: s.heap }))) * 60_000;
    const rssSlope = slope(warm.map((s) => ({ t: s.t, value: s.rss }))) * 60_000;
    const listenerSlope = slope(warm.map((s) => ({ t: s.t, value: s.busListeners }))) * 60_000;
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
    console.log("\n--- soak report ---");
    console.log(
      `duration:              ${minutes} min, ${clientCount} users, actions ${JSON.stringify(counts)}, failed actions ${failures}`,
    );
    console.log(
      `heap used:             first ${mib(samples[0]!.heap)}, last ${mib(samples.at(-1)!.heap)}, max ${mib(Math.max(...samples.map((s) => s.heap)))}`,
    );
    console.log(`heap slope (post-warm-up, least squares): ${mib(heapSlope)}/min; rss slope ${mib(rssSlope)}/min`);
    console.log(
      `bus listeners:         max ${Math.max(...samples.map((s) => s.busListeners))}, slope ${listenerSlope.toFixed(2)}/min, after everyone left ${after.busListeners}`,
    );
    console.log(`connections after everyone left: ${after.connections}`);
    console.log(
      `convergence:           ${mismatches.length} mismatches over ${connected.length} viewers (checked after ${convergedMs} ms)`,
    );
    for (const m of mismatches.slice(0, 10)) console.log(`  - ${m}`);
    const ok = mismatches.length === 0 && after.busListeners === 0 && after.connections === 0;
    console.log(ok ? "soak: PASS" : "soak: FAIL");
    exitCode = ok ? 0 : 1;
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    await scratch.drop();
  }
  return exitCode;
}

process.exit(await main());
