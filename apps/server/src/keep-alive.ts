/**
 * Keep-alive for every socket of a server, in one timer: a socket not heard from for `pingMs`
 * gets a `PING` (tRPC's heartbeat, which the stock client answers with `PONG`), and one that
 * stays silent for `pongWaitMs` after it is terminated. tRPC's adapter does the same with two
 * timers and three closures per socket, re-armed on every message (see herald-socket.ts for why
 * per-socket state is kept in fields). A sweep runs every quarter of the shorter interval, so a
 * ping or a drop comes at most that much late.
 */
import { excuseStall, StallMeter } from "@herald/presence";
import type { WebSocketServer } from "ws";
import { WebSocket } from "ws";
import type { HeraldSocket } from "./herald-socket.js";

export interface KeepAliveTiming {
  pingMs: number;
  pongWaitMs: number;
}

const MIN_SWEEP_MS = 25;

/** Starts keep-alive for `wss`' sockets; returns how to stop it. */
export function keepAlive(wss: WebSocketServer, { pingMs, pongWaitMs }: KeepAliveTiming): () => void {
  const sweepMs = Math.max(MIN_SWEEP_MS, Math.min(pingMs, pongWaitMs) / 4);
  // Time this process stood still is not the clients' silence: their pongs wait unread (stall-meter.ts).
  const stalls = new StallMeter(sweepMs);
  const sweep = () => {
    const now = Date.now();
    const stalled = stalls.stalledMs(now);
    for (const client of wss.clients) {
      const socket = client as HeraldSocket;
      if (socket.readyState !== WebSocket.OPEN) continue;
      if (stalled > 0) {
        socket.heardAt = excuseStall(socket.heardAt, stalled, now);
        if (socket.pingedAt !== 0) socket.pingedAt = excuseStall(socket.pingedAt, stalled, now);
      }
      if (socket.pingedAt !== 0 && socket.heardAt < socket.pingedAt) {
        if (now - socket.pingedAt >= pongWaitMs) socket.terminate();
      } else if (now - socket.heardAt >= pingMs) {
        socket.pingedAt = now;
        socket.send("PING");
      }
    }
  };
  const timer = setInterval(sweep, sweepMs);
  timer.unref();
  return () => clearInterval(timer);
}
