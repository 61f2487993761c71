/**
 * Herald's wiring, once for both ways of running it: config → database + store + bus → the app
 * → tRPC over HTTP and WebSocket at `<basePath>/trpc`, and `<basePath>/healthz`. The standalone
 * process (server.ts) serves it on its own port with the web app and metrics; `attachHerald`
 * (attach.ts) mounts it on a host's own http.Server. Neither builds any of this itself.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { appRouter, createHeraldApp, type HeraldApp, type HeraldContext } from "@herald/presence";
import type { Logger } from "pino";
import { resolveAuthSecret } from "./auth-secret.js";
import { openBackends, type Backends } from "./backends.js";
import { createClientIpResolver } from "./client-ip.js";
import { prepareDataDir } from "./data-dir.js";
import type { HeraldConfig } from "./env.js";
import { healthCheck } from "./health-check.js";
import { createMetrics, type ServerMetrics } from "./metrics.js";
import { createWebSocketServer } from "./websocket.js";

/** The largest legitimate body (setVisibility with 1000 ids) is ~40 KB; refuse to buffer more. */
export const MAX_HTTP_BODY_BYTES = 1024 * 1024;
/**
 * Calls in one HTTP batch. Each runs on the server's one thread (a database read, on PGlite run
 * on that thread), so an unbounded batch — eight thousand fit in a URL — stalls every user for seconds.
 */
export const MAX_HTTP_BATCH_CALLS = 50;

export interface HeraldCore {
  app: HeraldApp;
  backends: Backends;
  metrics: ServerMetrics;
  /** Answers a request whose path is Herald's (tRPC or health); false, untouched, for any other. */
  handleRequest(req: IncomingMessage, res: ServerResponse, pathname: string): boolean;
  /** Takes a WebSocket upgrade at `<basePath>/trpc`; false, untouched, for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, pathname: string): boolean;
  /**
   * Graceful stop: clients told to reconnect elsewhere, last-seen recorded, sockets closed, then
   * (after `beforeBackends`, e.g. dropping the HTTP server's remaining connections) the backends.
   */
  close(beforeBackends?: () => void): Promise<void>;
}

export async function openHeraldCore(config: HeraldConfig, log: Logger, basePath = ""): Promise<HeraldCore> {
  const hostIdentity = config.identity?.mode === "jwt";
  // Only when something lives there: the embedded database, or a generated secret.
  if (config.dataDir && (!config.databaseUrl || (!config.authSecret && !hostIdentity))) prepareDataDir(config.dataDir, log);
  const backends = await openBackends(config, log);
  const metrics = createMetrics(() => backends.messagesReceived());
  let app: HeraldApp;
  try {
    app = createHeraldApp({
      db: backends.database.db,
      store: backends.store,
      bus: backends.bus,
      // With the host's identity Herald signs no session tokens: a throwaway secret, nothing written.
      authSecret: hostIdentity ? randomBytes(32).toString("base64url") : resolveAuthSecret(config.authSecret, config.dataDir),
      identity: config.identity,
      friendSource: config.friendSource,
      serviceToken: config.serviceToken,
      rateLimits: config.rateLimits,
      statusRateLimit: config.statusRateLimit,
      lastSeenReciprocity: config.lastSeenReciprocity,
      maxConnectionsPerUser: config.maxConnectionsPerUser,
      maxSubscriptionsPerSocket: config.maxSubscriptionsPerSocket,
      sessionTtlSeconds: config.sessionTtlSeconds,
      passwordHashing: config.passwordHashing,
      log,
      observer: metrics.observer,
      soleDatabaseWriter: backends.database.kind === "pglite",
    });
  } catch (error) {
    await backends.close();
    throw error;
  }
  metrics.attach(app);
  backends.onStoreReconnect(() => void app.connections.resync());
  const countError = (code: string) => metrics.errors.inc({ code });
  const clientIpOf = createClientIpResolver(config.trustedProxies);
  const trpcPath = `${basePath}/trpc`;

  const trpcHttp = createHTTPHandler({
    router: appRouter,
    basePath: `${trpcPath}/`,
    // Lets clients send large queries (getMany with 500 ids) as POST instead of a long URL.
    allowMethodOverride: true,
    maxBodySize: MAX_HTTP_BODY_BYTES,
    maxBatchSize: MAX_HTTP_BATCH_CALLS,
    createContext: async ({ req, info }): Promise<HeraldContext> => ({
      app,
      ...(await callerOf(app, req.headers.authorization)),
      connection: null,
      frames: null,
      clientIp: clientIpOf(req),
      batchPaths: info.isBatchCall ? info.calls.map((call) => call.path) : undefined,
    }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        countError(error.code);
        log.error({ err: error.cause ?? error, path }, "procedure failed");
      }
    },
  });
  const { wss, handler: wsHandler } = createWebSocketServer(app, log, countError, {
    maxBufferedBytes: config.maxBufferedBytes,
    clientIpOf,
  });

  const health = healthCheck(backends, log);

  let closing: Promise<void> | null = null;
  return {
    app,
    backends,
    metrics,
    handleRequest(req, res, pathname) {
      if (pathname === `${basePath}/healthz`) {
        void health().then((ok) => json(res, ok ? 200 : 503, { status: ok ? "ok" : "unavailable" }));
        return true;
      }
      if (pathname === trpcPath || pathname.startsWith(`${trpcPath}/`)) {
        trpcHttp(req, res);
        return true;
      }
      return false;
    },
    handleUpgrade(req, socket, head, pathname) {
      if (pathname !== trpcPath && pathname !== `${trpcPath}/`) return false;
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
      return true;
    },
    close(beforeBackends) {
      closing ??= (async () => {
        wsHandler.broadcastReconnectNotification();
        // With a shared store, clients told to reconnect come back on another server or on our
        // successor: their registrations stay until the TTL (no one flaps offline over a restart),
        // and graces running here are settled by whichever server reaps first. Alone, nobody else
        // can record last-seen, so we settle it now.
        const shared = Boolean(config.redisUrl ?? config.redisClusterNodes);
        await app.close({ settleGraces: !shared, handOverConnections: shared });
        for (const client of wss.clients) client.terminate();
        wss.close();
        beforeBackends?.();
        await backends.close();
      })();
      return closing;
    },
  };
}

/**
 * Who calls, from `Authorization: Bearer …`: the host's backend (HERALD_SERVICE_TOKEN, checked
 * first and in constant time), a user (a session token, or the host's JWT), or nobody.
 */
async function callerOf(app: HeraldApp, header: string | undefined): Promise<Pick<HeraldContext, "user" | "system">> {
  const token = header?.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : null;
  if (app.serviceToken.matches(token)) return { user: null, system: true };
  const claims = await app.sessions.verify(token);
  return { user: claims ? { id: claims.sub } : null };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
