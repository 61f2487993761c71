/**
 * A load generator process. It owns the users whose index ≡ shard (mod shards): opens their
 * WebSockets speaking the tRPC wire format directly (no tRPC client, so the generator stays
 * cheap), sends their status changes at the rate it is told, and times every delivery to
 * their friends. Each change carries its own send time in the status message
 * (`b<n>t<µs since epoch>`), so latency needs no coordination between generators.
 */
import WebSocket from "ws";
import { Histogram, nowMs } from "./stats.js";
import { LoopDelayMeter } from "./loop-delay.js";

export interface GenUser {
  id: string;
  token: string;
  /** ws:// URL of the server this user connects to. */
  wsUrl: string;
}

export type GenRequest =
  | { type: "init"; shard: number; shards: number; users: GenUser[]; friends: number[][]; tag: string }
  | { type: "connect"; kind: ConnKind; total: number; concurrency: number }
  | { type: "disconnect"; kind: ConnKind }
  | { type: "census"; kind: ConnKind }
  | { type: "step"; rate: number; durationMs: number }
  | { type: "progress" }
  | { type: "finish"; finalCounts: number[] }
  | { type: "stop" };

type ConnKind = "scenario" | "idle";

export type GenReply = { type: "reply"; request: GenRequest["type"] } & Record<string, unknown>;

/** Status messages are `<tag><n>t<µs>`; the tag is fresh per target, letters only. */
let tag = "b";
let needle = `"message":"b`;
let delivery = /x/g;
const SUBSCRIPTION_ID = 1;
const SEND_TICK_MS = 2;

interface Conn {
  user: number;
  kind: ConnKind;
  socket: WebSocket;
  subscribed: boolean;
  closedUnexpectedly: boolean;
  pings: number;
  nextId: number;
}

let users: GenUser[] = [];
let friends: number[][] = [];
let own: number[] = [];
let idToIndex = new Map<string, number>();
const conns: Record<ConnKind, Conn[]> = { scenario: [], idle: [] };
/** The primary (scenario) connection of each own user: status changes go out on it. */
const primary = new Map<number, Conn>();
/** Changes sent per own user, over the whole run. */
let sendCounts = new Map<number, number>();
/** Highest change number seen by receiver × target (key receiver * U + target). */
const lastSeen = new Map<number, number>();

const histogram = new Histogram();
let received = 0;
let coalesced = 0;
let outOfOrder = 0;
let errors = 0;
let stepSent = 0;
let stepExpected = 0;
let stepCpuStart = process.cpuUsage();
let stepStartedAt = 0;

function reply(request: GenRequest["type"], body: Record<string, unknown> = {}): void {
  process.send?.({ type: "reply", request, ...body } satisfies GenReply);
}

function onMessage(conn: Conn, data: WebSocket.RawData): void {
  const text = data.toString();
  if (text === "PING") {
    conn.pings++;
    conn.socket.send("PONG");
    return;
  }
  if (text.includes('"error"')) errors++;
  if (!text.includes(needle)) return;
  if (conn.kind !== "scenario") return;
  const at = nowMs();
  const receiver = conn.user;
  delivery.lastIndex = 0;
  for (let match = delivery.exec(text); match; match = delivery.exec(text)) {
    const target = idToIndex.get(match[1]!);
    if (target === undefined || target === receiver) continue;
    const n = Number(match[2]);
    const key = receiver * users.length + target;
    const previous = lastSeen.get(key) ?? 0;
    if (n <= previous) {
      outOfOrder++;
      continue;
    }
    lastSeen.set(key, n);
    coalesced += n - previous - 1;
    received++;
    histogram.record(at - Number(match[3]) / 1000);
  }
}

function open(user: number, kind: ConnKind): Promise<Conn> {
  const { wsUrl, token } = users[user]!;
  const socket = new WebSocket(wsUrl, { perMessageDeflate: false });
  const conn: Conn = { user, kind, socket, subscribed: false, closedUnexpectedly: false, pings: 0, nextId: SUBSCRIPTION_ID + 1 };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error("connect timeout")), 60_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    };
    socket.on("error", (error) => fail(error));
    socket.on("open", () => {
      socket.send(JSON.stringify({ method: "connectionParams", data: { token } }));
      socket.send(JSON.stringify({ id: SUBSCRIPTION_ID, method: "subscription", params: { path: "presence.onChange", input: {} } }));
    });
    socket.on("close", () => {
      if (conn.subscribed) conn.closedUnexpectedly = true;
      fail(new Error("closed before the snapshot"));
    });
    socket.on("message", (data) => {
      if (!conn.subscribed) {
        const text = data.toString();
        if (text === "PING") return void socket.send("PONG");
        if (text.includes('"type":"snapshot"')) {
          conn.subscribed = true;
          clearTimeout(timer);
          resolve(conn);
        } else if (text.includes('"error"')) {
          fail(new Error(`server said: ${text.slice(0, 200)}`));
        }
        return;
      }
      onMessage(conn, data);
    });
  });
}

async function connect(kind: ConnKind, total: number, concurrency: number): Promise<void> {
  const started = nowMs();
  // Connection j belongs to user j mod U; this generator opens those of its own users.
  const jobs: number[] = [];
  for (let j = 0; j < total; j++) {
    const user = j % users.length;
    if (own.length && users.length && ownSet.has(user)) jobs.push(user);
  }
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  const worker = async () => {
    while (next < jobs.length) {
      const user = jobs[next++]!;
      try {
        const conn = await open(user, kind);
        conns[kind].push(conn);
        if (kind === "scenario" && !primary.has(user)) primary.set(user, conn);
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  reply("connect", { opened: jobs.length - failed, failed, firstError, ms: nowMs() - started });
}

async function disconnect(kind: ConnKind): Promise<void> {
  const list = conns[kind];
  conns[kind] = [];
  await Promise.all(
    list.map(
      (conn) =>
        new Promise<void>((resolve) => {
          conn.subscribed = false;
          if (conn.socket.readyState === WebSocket.CLOSED) return resolve();
          conn.socket.once("close", () => resolve());
          conn.socket.close();
          setTimeout(() => {
            conn.socket.terminate();
            resolve();
          }, 5_000).unref();
        }),
    ),
  );
  if (kind === "scenario") primary.clear();
  reply("disconnect", { closed: list.length });
}

function census(kind: ConnKind): void {
  const list = conns[kind];
  const open = list.filter((c) => c.socket.readyState === WebSocket.OPEN).length;
  const pings = list.reduce((sum, c) => sum + c.pings, 0);
  reply("census", { total: list.length, open, closedUnexpectedly: list.filter((c) => c.closedUnexpectedly).length, pings });
}

let ownSet = new Set<number>();
/** This generator's own event-loop delay from a step's start to its finish: a late read adds to every latency it times. */
const loopDelay = new LoopDelayMeter();

async function step(rate: number, durationMs: number): Promise<void> {
  histogram.reset();
  received = 0;
  coalesced = 0;
  outOfOrder = 0;
  errors = 0;
  stepSent = 0;
  stepExpected = 0;
  stepCpuStart = process.cpuUsage();
  loopDelay.start();
  const senders = own.filter((user) => primary.has(user));
  let cursor = Math.floor(Math.random() * senders.length);
  const started = performance.now();
  stepStartedAt = started;
  let maxBacklog = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = Math.min(performance.now() - started, durationMs);
      const due = Math.floor((rate * elapsed) / 1000) - stepSent;
      if (due > maxBacklog) maxBacklog = due;
      for (let k = 0; k < due; k++) {
        const user = senders[cursor]!;
        cursor = (cursor + 1) % senders.length;
        const conn = primary.get(user)!;
        const n = (sendCounts.get(user) ?? 0) + 1;
        sendCounts.set(user, n);
        const micros = Math.round(nowMs() * 1000);
        conn.socket.send(
          `{"id":${conn.nextId++},"method":"mutation","params":{"path":"presence.setStatus","input":{"status":"online","message":"${tag}${n}t${micros}"}}}`,
        );
        stepSent++;
        stepExpected += friends[user]!.length;
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, SEND_TICK_MS);
  });
  const sendMs = performance.now() - started;
  const cpu = process.cpuUsage(stepCpuStart);
  reply("step", {
    sent: stepSent,
    expected: stepExpected,
    sendMs,
    maxBacklog,
    cpuCores: (cpu.user + cpu.system) / 1000 / sendMs,
    counts: own.map((user) => sendCounts.get(user) ?? 0),
  });
}

function finish(finalCounts: number[]): void {
  let lost = 0;
  for (const receiver of primary.keys()) {
    for (const target of friends[receiver]!) {
      const final = finalCounts[target] ?? 0;
      const seen = lastSeen.get(receiver * users.length + target) ?? 0;
      if (final > seen) lost += final - seen;
    }
  }
  const cpu = process.cpuUsage(stepCpuStart);
  const wallMs = performance.now() - stepStartedAt;
  reply("finish", {
    histogram: histogram.toSparse(),
    received,
    coalesced,
    lost,
    outOfOrder,
    errors,
    cpuCores: (cpu.user + cpu.system) / 1000 / wallMs,
    loopDelay: loopDelay.stop(),
  });
}

process.on("message", (raw) => {
  const request = raw as GenRequest;
  switch (request.type) {
    case "init":
      users = request.users;
      tag = request.tag;
      needle = `"message":"${tag}`;
      delivery = new RegExp(`"userId":"([^"]+)","status":"[a-z]+","message":"${tag}(\\d+)t(\\d+)"`, "g");
      friends = request.friends;
      own = users.map((_, i) => i).filter((i) => i % request.shards === request.shard);
      ownSet = new Set(own);
      idToIndex = new Map(users.map((user, i) => [user.id, i]));
      sendCounts = new Map();
      lastSeen.clear();
      for (const kind of ["scenario", "idle"] as const) for (const conn of conns[kind]) conn.socket.terminate();
      conns.scenario = [];
      conns.idle = [];
      primary.clear();
      return reply("init");
    case "connect":
      return void connect(request.kind, request.total, request.concurrency);
    case "disconnect":
      return void disconnect(request.kind);
    case "census":
      return census(request.kind);
    case "step":
      return void step(request.rate, request.durationMs);
    case "progress":
      return reply("progress", { covered: received + coalesced, received });
    case "finish":
      return finish(request.finalCounts);
    case "stop":
      return process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "ready", url: "", pid: process.pid });
