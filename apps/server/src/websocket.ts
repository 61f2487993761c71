/**
 * tRPC over WebSocket. Each socket authenticates once through `connectionParams.token`; an
 * authenticated socket is one connection of its user (SPEC §1) until it closes or goes silent.
 * A socket without a valid token gets UNAUTHORIZED answers and is closed shortly after; it
 * never counts as a connection.
 */
import type { IncomingMessage } from "node:http";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { appRouter, type HeraldApp, type HeraldContext } from "@herald/presence";
import { WebSocketServer, type WebSocket } from "ws";
import type { Logger } from "pino";
import { clientIpOf } from "./client-ip.js";

/** Presence frames are tiny; a large frame is an attack or a bug. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Long enough for the UNAUTHORIZED answers to reach the client before the close. */
const UNAUTHENTICATED_CLOSE_DELAY_MS = 250;
export const CLOSE_UNAUTHORIZED = 4401;

export function createWebSocketServer(app: HeraldApp, log: Logger, onError: (code: string) => void) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const ttlMs = app.presenceTtlSeconds * 1000;
  const handler = applyWSSHandler({
    wss,
    router: appRouter,
    // Pings well inside the TTL, so an idle but healthy client is always heard from in time.
    keepAlive: { enabled: true, pingMs: Math.max(250, Math.min(30_000, ttlMs / 3)), pongWaitMs: Math.max(250, Math.min(10_000, ttlMs / 3)) },
    onError({ error, path }) {
      // Protocol violations (oversized or invalid frames) end that socket; they are not our fault.
      const wsCode = (error.cause as { code?: unknown } | undefined)?.code;
      if (typeof wsCode === "string" && wsCode.startsWith("WS_ERR_")) {
        log.info({ reason: wsCode }, "closed a socket that broke the WebSocket protocol");
        return;
      }
      if (error.code === "INTERNAL_SERVER_ERROR") {
        onError(error.code);
        log.error({ err: error.cause ?? error, path }, "procedure failed");
      }
    },
    createContext: async ({ req, res: socket, info }): Promise<HeraldContext> => {
      const base = { app, clientIp: clientIpOf(req), connection: null };
      const claims = app.tokens.verify(info.connectionParams?.token);
      if (!claims) {
        setTimeout(() => socket.close(CLOSE_UNAUTHORIZED, "unauthorized"), UNAUTHENTICATED_CLOSE_DELAY_MS).unref();
        return { ...base, user: null };
      }
      const connection = await app.connections.open(claims.sub, () => socket.terminate());
      watchLiveness(socket, connection.touch);
      info.signal.addEventListener("abort", () => void connection.close().catch((err) => log.error({ err }, "disconnect failed")), {
        once: true,
      });
      if (info.signal.aborted) await connection.close();
      return { ...base, user: { id: claims.sub }, connection };
    },
  });
  return { wss, handler };
}

/** Anything the client sends, and pongs to WebSocket pings, count as hearing from it. */
function watchLiveness(socket: WebSocket, touch: () => void): void {
  socket.on("message", touch);
  socket.on("pong", touch);
}

export function isTrpcUpgrade(req: IncomingMessage): boolean {
  const pathname = new URL(req.url ?? "/", "http://x").pathname;
  return pathname === "/trpc" || pathname === "/trpc/";
}
