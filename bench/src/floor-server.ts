/**
 * The floor: the least a server can do for the same scenario. Plain `ws`, no tRPC, no rules,
 * no database; an in-memory friend map. It speaks just enough of the tRPC WebSocket wire format
 * for the same load generator to drive it, and on a status change serializes the update once
 * and writes it to every friend's socket.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { answerControl } from "./server-control.js";

interface FloorInput {
  host: string;
  users: Array<{ id: string; token: string }>;
  friends: number[][];
}

interface Presence {
  userId: string;
  status: string;
  message: string | null;
  lastSeen: string | null;
}

const input = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as FloorInput;
const byToken = new Map(input.users.map((user, index) => [user.token, index]));
const presence: Presence[] = input.users.map((user) => ({ userId: user.id, status: "online", message: null, lastSeen: null }));
/** Subscribed sockets of each user, with their subscription id. */
const subscribers: Array<Map<WebSocket, number | string>> = input.users.map(() => new Map());
let eventId = 0;

const http = createServer((_req, res) => res.end("floor"));
const wss = new WebSocketServer({ server: http, maxPayload: 64 * 1024, perMessageDeflate: false });

wss.on("connection", (socket) => {
  let user: number | null = null;
  socket.on("message", (raw) => {
    const text = raw.toString();
    if (text === "PING") return void socket.send("PONG");
    if (text === "PONG") return;
    const message = JSON.parse(text) as {
      id?: number | string;
      method: string;
      data?: { token?: string };
      params?: { path: string; input?: Record<string, unknown> };
    };
    if (message.method === "connectionParams") {
      user = byToken.get(message.data?.token ?? "") ?? null;
      if (user === null) socket.close(4401, "unauthorized");
      return;
    }
    if (user === null) return;
    const id = message.id!;
    if (message.method === "subscription") {
      subscribers[user]!.set(socket, id);
      socket.send(JSON.stringify({ id, result: { type: "started" } }));
      const friends = input.friends[user]!.map((friend) => presence[friend]);
      const eid = `s${++eventId}`;
      socket.send(JSON.stringify({ id, result: { type: "data", id: eid, data: { id: eid, data: { type: "snapshot", friends } } } }));
    } else if (message.method === "subscription.stop") {
      subscribers[user]!.delete(socket);
    } else if (message.method === "mutation") {
      const change = message.params!.input as { status?: string; message?: string | null };
      const own = presence[user]!;
      if (change.status) own.status = change.status;
      if (change.message !== undefined) own.message = change.message;
      socket.send(JSON.stringify({ id, result: { type: "data", data: { status: own.status, message: own.message } } }));
      fanOut(user);
    } else {
      socket.send(JSON.stringify({ id, result: { type: "data", data: null } }));
    }
  });
  socket.on("close", () => {
    if (user !== null) subscribers[user]!.delete(socket);
  });
  socket.on("error", () => {});
});

function fanOut(user: number): void {
  const eid = `e${++eventId}`;
  const payload = JSON.stringify({ id: eid, data: { type: "update", presence: presence[user] } });
  const frames = new Map<number | string, Buffer>();
  for (const friend of input.friends[user]!) {
    for (const [socket, subscriptionId] of subscribers[friend]!) {
      let frame = frames.get(subscriptionId);
      if (frame === undefined) {
        frame = Buffer.from(`{"id":${JSON.stringify(subscriptionId)},"result":{"type":"data","id":"${eid}","data":${payload}}}`);
        frames.set(subscriptionId, frame);
      }
      socket.send(frame, { binary: false });
    }
  }
}

http.listen(0, input.host, () => {
  const { port } = http.address() as AddressInfo;
  const url = `http://${input.host}:${port}`;
  answerControl(async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    http.close();
  });
  process.stdout.write(`listening on ${url}\n`);
  process.send?.({ type: "ready", url, pid: process.pid });
});
