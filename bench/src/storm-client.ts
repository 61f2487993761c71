/**
 * A client process of the connect-storm scenario (storm.ts). It holds the sockets of its share
 * of the users, each signed in and subscribed to `presence.onChange`, speaking the tRPC wire
 * format directly (as loadgen.ts does). Once armed, a socket that drops comes back after a
 * random pause within the reconnect window (as a fleet of real clients spreads its retries),
 * retrying quickly while nothing answers, and the client records when its fresh snapshot
 * arrived and whether any friend was ever shown offline after the drop: every user stays
 * connected throughout, so any offline view is a flap.
 */
import WebSocket from "ws";
import type { GenUser } from "./loadgen.js";

export type StormRequest =
  | { type: "init"; users: GenUser[]; own: number[] }
  | { type: "connect"; concurrency: number }
  | { type: "arm"; windowMs: number }
  | { type: "census" }
  | { type: "stop" };

const SUBSCRIPTION = `{"id":1,"method":"subscription","params":{"path":"presence.onChange","input":{}}}`;
const RETRY_MS = 200;

interface Client {
  user: GenUser;
  socket: WebSocket | null;
  /** Epoch ms of the last drop, and of the first snapshot after it. */
  droppedAt: number | null;
  /** Epoch ms of the first attempt to reconnect after the drop (its random moment in the window). */
  reconnectAt: number | null;
  resnapshotAt: number | null;
  attempts: number;
}

let clients: Client[] = [];
let armedWindowMs: number | null = null;
/** Views of a friend as offline after a drop, and the users who saw at least one. */
let flaps = 0;
const flappedViewers = new Set<string>();
let errors = 0;
/** Sockets that opened but closed before their snapshot. */
let abandoned = 0;

function reply(request: StormRequest["type"], body: Record<string, unknown> = {}): void {
  process.send?.({ type: "reply", request, ...body });
}

/** Opens the client's socket; resolves at its snapshot, rejects if it closes first. */
function open(client: Client): Promise<void> {
  const socket = new WebSocket(client.user.wsUrl, { perMessageDeflate: false });
  client.socket = socket;
  client.attempts++;
  return new Promise((resolve, reject) => {
    let subscribed = false;
    let opened = false;
    socket.on("error", () => {}); // the close that follows decides
    socket.on("open", () => {
      opened = true;
      socket.send(JSON.stringify({ method: "connectionParams", data: { token: client.user.token } }));
      socket.send(SUBSCRIPTION);
    });
    socket.on("message", (data) => {
      const text = data.toString();
      if (text === "PING") return void socket.send("PONG");
      if (text.includes('"error"')) errors++;
      const isSnapshot = text.includes('"type":"snapshot"');
      if (isSnapshot && !subscribed) {
        subscribed = true;
        if (client.droppedAt !== null && client.resnapshotAt === null) client.resnapshotAt = Date.now();
        resolve();
      }
      // After a drop, every view of a friend as offline is a flap (everyone stays connected).
      if (client.droppedAt !== null && text.includes('"status":"offline"')) {
        flaps += text.split('"status":"offline"').length - 1;
        flappedViewers.add(client.user.id);
      }
    });
    socket.on("close", () => {
      if (!subscribed) {
        if (opened) abandoned++;
        return reject(new Error("closed before the snapshot"));
      }
      if (armedWindowMs === null || client.socket !== socket) return;
      client.droppedAt ??= Date.now();
      setTimeout(() => void reconnect(client), Math.random() * armedWindowMs);
    });
  });
}

async function reconnect(client: Client): Promise<void> {
  client.reconnectAt ??= Date.now();
  for (;;) {
    try {
      return await open(client);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS * (0.5 + Math.random())));
    }
  }
}

async function connectAll(concurrency: number): Promise<void> {
  const started = performance.now();
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < clients.length) {
      const client = clients[next++]!;
      try {
        await open(client);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker));
  reply("connect", { opened: clients.length - failed, failed, ms: performance.now() - started });
}

function census(): void {
  reply("census", {
    clients: clients.length,
    dropped: clients.filter((c) => c.droppedAt !== null).length,
    resnapshotAt: clients.map((c) => c.resnapshotAt),
    reconnectAt: clients.map((c) => c.reconnectAt),
    droppedAt: clients.map((c) => c.droppedAt),
    attempts: clients.reduce((sum, c) => sum + c.attempts, 0),
    abandoned,
    flaps,
    flappedViewers: flappedViewers.size,
    errors,
  });
}

process.on("message", (raw) => {
  const request = raw as StormRequest;
  switch (request.type) {
    case "init":
      clients = request.own.map((i) => ({
        user: request.users[i]!,
        socket: null,
        droppedAt: null,
        reconnectAt: null,
        resnapshotAt: null,
        attempts: 0,
      }));
      return reply("init");
    case "connect":
      return void connectAll(request.concurrency);
    case "arm":
      armedWindowMs = request.windowMs;
      return reply("arm");
    case "census":
      return census();
    case "stop":
      return process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "ready", url: "", pid: process.pid });
