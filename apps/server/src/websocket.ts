/**
 * tRPC over WebSocket. Each socket authenticates once through `connectionParams.token`; an
 * authenticated socket is one connection of its user (docs/protocol.md §1) until it closes or goes silent.
 * A socket without a valid token gets UNAUTHORIZED answers and is closed shortly after; it
 * never counts as a connection. `connectionParams.device` says what kind of device it is (§9.2;
 * default `web`); an unknown kind is refused the same way, with BAD_REQUEST answers and close
 * code 4400 naming `device` — never by throwing, which would make the stock client retry in a
 * tight loop.
 *
 * Hardening: a socket is closed (4401) when its token expires (within 5 s) or is revoked (`auth.signOut`), so
 * the client reconnects with a fresh one; a user's sockets past `maxConnectionsPerUser` are
 * refused (4429); a socket whose unsent backlog passes `maxBufferedBytes` (a client that stopped
 * reading) is dropped, so a slow consumer cannot grow our memory without bound.
 */
import type { IncomingMessage } from "node:http";
import type { TRPCError } from "@trpc/server";
import { getWSConnectionHandler, type CreateWSSContextFnOptions } from "@trpc/server/adapters/ws";
import { appRouter, type HeraldApp, type HeraldContext } from "@herald/presence";
import {
  CLOSE_BAD_CONNECTION_PARAMS,
  CLOSE_TOO_MANY_CONNECTIONS,
  CLOSE_UNAUTHORIZED,
  DEVICE_KINDS,
  type DeviceKind,
} from "@herald/protocol";
import { WebSocket, WebSocketServer } from "ws";
import type { Logger } from "pino";
import { clientIpOf as peerIpOf, type ClientIpOf } from "./client-ip.js";
import { heraldSocketClass, type HeraldSocket } from "./herald-socket.js";
import { keepAlive } from "./keep-alive.js";

/** Presence frames are tiny; a large frame is an attack or a bug. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Long enough for the UNAUTHORIZED answers to reach the client before the close. */
const UNAUTHENTICATED_CLOSE_DELAY_MS = 250;
/** How long a client that sends its `connectionParams` as a message (`?connectionParams=1`) has to send them. */
export const CONNECTION_PARAMS_DEADLINE_MS = 5_000;
/** How often sockets past that deadline are looked for: one is closed at most this much after it. */
const CONNECTION_PARAMS_CHECK_MS = 1_000;
/** Unsent bytes a socket may pile up before we drop it as a slow consumer. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How often backlogs are checked; between checks a backlog grows by at most this much traffic. */
const BACKLOG_CHECK_MS = 250;
/** How often live sockets' tokens are re-checked for expiry, and for revocation made on other servers. */
const SESSION_RECHECK_MS = 5_000;

export interface WebSocketLimits {
  maxBufferedBytes?: number | undefined;
  /** How to find the client's address (TRUSTED_PROXIES); default: the TCP peer. */
  clientIpOf?: ClientIpOf | undefined;
}

type SessionClaims = NonNullable<ReturnType<HeraldApp["tokens"]["verify"]>>;

interface Session {
  socket: WebSocket;
  claims: SessionClaims;
}

export function createWebSocketServer(app: HeraldApp, log: Logger, onError: (code: string) => void, limits: WebSocketLimits = {}) {
  const reportFailure = (error: TRPCError, path: string | undefined) => {
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
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    // presence.onChange is served beside the adapter (subscription-host.ts).
    WebSocket: heraldSocketClass(reportFailure, app.limits.callsPerSocket),
  });
  const sessions = trackSessions(app, log, onError, limits.maxBufferedBytes ?? MAX_BUFFERED_BYTES);
  // Pings well inside the TTL, so an idle but healthy client is always heard from in time.
  const stopKeepAlive = keepAlive(wss, app.settings.keepAlive);
  const paramsDeadline = closeSocketsWithoutParams();
  wss.on("close", () => {
    sessions.stop();
    stopKeepAlive();
    paramsDeadline.stop();
  });
  const contextOf = async ({ req, socket, info }: ContextRequest): Promise<HeraldContext> => {
    // Frames are written only while the socket is open; trackSessions still watches its backlog.
    const base = { app, clientIp: req.clientIp, connection: null, frames: socket };
    const device = deviceOf(info.connectionParams?.device);
    if (!device) {
      const reason = `device: must be one of ${DEVICE_KINDS.join(", ")}`;
      setTimeout(() => socket.close(CLOSE_BAD_CONNECTION_PARAMS, reason), UNAUTHENTICATED_CLOSE_DELAY_MS).unref();
      return { ...base, user: null, refusal: `connectionParams.${reason}` };
    }
    const claims = await app.sessions.verify(info.connectionParams?.token);
    if (!claims) {
      setTimeout(() => socket.close(CLOSE_UNAUTHORIZED, "unauthorized"), UNAUTHENTICATED_CLOSE_DELAY_MS).unref();
      return { ...base, user: null };
    }
    if (!sessions.admit(socket, claims)) {
      const max = app.limits.maxConnectionsPerUser;
      socket.close(CLOSE_TOO_MANY_CONNECTIONS, `too many connections: at most ${max} per user; close another tab or device`);
      return { ...base, user: null };
    }
    const connection = await app.connections.open(claims.sub, () => socket.terminate(), device);
    socket.connection = connection;
    info.signal.addEventListener("abort", () => void connection.close().catch((err) => log.error({ err }, "disconnect failed")), {
      once: true,
    });
    if (info.signal.aborted) await connection.close();
    return { ...base, user: { id: claims.sub }, connection };
  };
  const onConnection = getWSConnectionHandler({
    wss,
    router: appRouter,
    onError: ({ error, path }) => reportFailure(error, path),
    createContext: ({ req, res, info }) => {
      // tRPC types `res` with @types/ws' CommonJS names, which its ESM typings lack: it is our socket.
      const socket = res as HeraldSocket;
      // Kept on the socket: the subscription host answers calls in this context too.
      socket.heraldContext = contextOf({ req: req as unknown as UpgradeSummary, socket, info });
      return socket.heraldContext;
    },
  });
  wss.on("connection", (socket: WebSocket, req: IncomingMessage) => {
    // The adapter keeps the request it is handed for the socket's life; all it reads is the URL
    // (`?connectionParams=1`), and all we read is the client's address. The summary lets the
    // upgrade request, its headers and its stream state go (about 1 KiB per connection).
    const summary: UpgradeSummary = { url: req.url, headers: { host: req.headers.host }, clientIp: (limits.clientIpOf ?? peerIpOf)(req) };
    onConnection(socket, summary as unknown as IncomingMessage);
    // With `?connectionParams=1` the adapter makes no context, so nothing is checked, until the
    // client sends them; keep-alive alone would hold a socket that never does open for ever.
    paramsDeadline.watch(socket as HeraldSocket);
  });
  const handler = {
    /** Asks every client to reconnect (tRPC's `reconnect` notification), e.g. before a restart. */
    broadcastReconnectNotification(): void {
      const notification = JSON.stringify({ id: null, method: "reconnect" });
      for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(notification);
    },
  };
  return { wss, handler };
}

/** What is kept of a WebSocket's upgrade request. */
interface UpgradeSummary {
  url: string | undefined;
  headers: { host: string | undefined };
  clientIp: string | null;
}

interface ContextRequest {
  req: UpgradeSummary;
  socket: HeraldSocket;
  info: CreateWSSContextFnOptions["info"];
}

/**
 * Closes (4401) the sockets that have not sent their connectionParams `CONNECTION_PARAMS_DEADLINE_MS`
 * after opening. One timer for all of them, not one per socket (a connect storm opens thousands);
 * a socket is forgotten once its deadline has passed, whatever it did meanwhile.
 */
function closeSocketsWithoutParams() {
  /** Sockets by when they opened, oldest first (a Map keeps insertion order). */
  const opened = new Map<HeraldSocket, number>();
  const timer = setInterval(() => {
    const due = Date.now() - CONNECTION_PARAMS_DEADLINE_MS;
    for (const [socket, openedAt] of opened) {
      if (openedAt > due) break;
      opened.delete(socket);
      if (socket.heraldContext === null && socket.readyState === WebSocket.OPEN) {
        socket.close(CLOSE_UNAUTHORIZED, `unauthorized: no connectionParams within ${CONNECTION_PARAMS_DEADLINE_MS / 1000} s`);
      }
    }
  }, CONNECTION_PARAMS_CHECK_MS);
  timer.unref();
  return {
    watch(socket: HeraldSocket): void {
      opened.set(socket, Date.now());
    },
    stop(): void {
      clearInterval(timer);
      opened.clear();
    },
  };
}

/** The kind of device a socket says it is: `web` when it says nothing, null when it says nonsense. */
function deviceOf(param: unknown): DeviceKind | null {
  if (param === undefined) return "web";
  return (DEVICE_KINDS as readonly unknown[]).includes(param) ? (param as DeviceKind) : null;
}

/**
 * The authenticated sockets of this server, by user: the per-user cap, closing sockets whose
 * token expires or is revoked, and dropping sockets that stopped reading.
 */
function trackSessions(app: HeraldApp, log: Logger, onError: (code: string) => void, maxBufferedBytes: number) {
  const byUser = new Map<string, Set<Session>>();
  const all = new Set<Session>();

  const endSession = (session: Session, reason: string) => {
    log.info({ userId: session.claims.sub, reason }, "closing a WebSocket whose session ended");
    // From now on its calls answer UNAUTHORIZED, as over HTTP (the context is the socket's own
    // object). A flag, not `user = null`: calls already running read the user after their awaits.
    // A context that failed was answered where it failed: nothing to mark.
    (session.socket as HeraldSocket).heraldContext?.then(
      (context) => {
        context.sessionEnded = true;
      },
      () => {},
    );
    // Delayed a little, so the answer to the call that signed out still reaches the client.
    setTimeout(() => session.socket.close(CLOSE_UNAUTHORIZED, reason), UNAUTHENTICATED_CLOSE_DELAY_MS).unref();
  };

  const unsubscribe = app.sessions.onRevoked((userId, version) => {
    for (const session of byUser.get(userId) ?? []) if (session.claims.ver < version) endSession(session, "signed out");
  });

  const backlogTimer = setInterval(() => {
    for (const session of all) {
      if (session.socket.bufferedAmount > maxBufferedBytes) {
        log.warn({ userId: session.claims.sub, bufferedBytes: session.socket.bufferedAmount }, "dropping a WebSocket that stopped reading");
        session.socket.terminate();
      }
    }
  }, BACKLOG_CHECK_MS);
  backlogTimer.unref();

  // Expiry is checked here too, rather than by a timer per socket (memory per idle connection):
  // a socket outlives its token by at most SESSION_RECHECK_MS.
  const recheckTimer = setInterval(() => {
    const now = Date.now();
    for (const session of all) {
      if (session.claims.exp * 1000 <= now) {
        all.delete(session);
        endSession(session, "session expired");
        continue;
      }
      app.sessions.isCurrent(session.claims).then(
        (current) => {
          if (!current && all.has(session)) endSession(session, "session revoked");
        },
        // isCurrent answers rather than throws when the database is away, but a rejection left
        // here would end the process: the socket stays (as in an outage), and we hear of it.
        (error: unknown) => {
          onError("INTERNAL_SERVER_ERROR");
          log.error({ err: error, userId: session.claims.sub }, "re-checking a session failed; keeping its socket");
        },
      );
    }
  }, SESSION_RECHECK_MS);
  recheckTimer.unref();

  return {
    /** Counts the socket for its user, or false when the user is at the cap. */
    admit(socket: WebSocket, claims: SessionClaims): boolean {
      if (socket.readyState !== WebSocket.OPEN) return true; // already gone: nothing to track
      const mine = byUser.get(claims.sub) ?? new Set<Session>();
      if (mine.size >= app.limits.maxConnectionsPerUser) return false;
      const session: Session = { socket, claims };
      mine.add(session);
      byUser.set(claims.sub, mine);
      all.add(session);
      socket.once("close", () => {
        all.delete(session);
        mine.delete(session);
        if (mine.size === 0 && byUser.get(claims.sub) === mine) byUser.delete(claims.sub);
      });
      return true;
    },
    stop() {
      unsubscribe();
      clearInterval(backlogTimer);
      clearInterval(recheckTimer);
    },
  };
}
