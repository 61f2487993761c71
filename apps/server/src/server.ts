/**
 * One Herald server process: config → database + store + bus → router → HTTP and WebSocket on
 * one port, plus /healthz and the web app; /metrics on a second, operators-only port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { appRouter, createHeraldApp, type HeraldApp, type HeraldContext } from "@herald/presence";
import { pino, type Logger } from "pino";
import { resolveAuthSecret } from "./auth-secret.js";
import { openBackends, type Backends } from "./backends.js";
import { prepareDataDir } from "./data-dir.js";
import { createClientIpResolver } from "./client-ip.js";
import type { ServerConfig } from "./env.js";
import { createMetrics } from "./metrics.js";
import { createStaticHandler, DEFAULT_WEB_DIST, requestPath } from "./static-files.js";
import { createWebSocketServer, isTrpcUpgrade } from "./websocket.js";

export interface HeraldServer {
  url: string;
  port: number;
  /** `GET` this for Prometheus text: `http://METRICS_HOST:METRICS_PORT/metrics`, never on `port`. */
  metricsUrl: string;
  app: HeraldApp;
  backends: Backends;
  /** Graceful stop: no new sockets, clients told to reconnect elsewhere, last-seen recorded. */
  close(): Promise<void>;
}

const HEALTH_TIMEOUT_MS = 2_000;
const MAX_HEADER_BYTES = 64 * 1024;
/** The largest legitimate body (setVisibility with 1000 ids) is ~40 KB; refuse to buffer more. */
export const MAX_HTTP_BODY_BYTES = 1024 * 1024;

export async function startHeraldServer(config: ServerConfig, log: Logger = pino({ level: config.logLevel })): Promise<HeraldServer> {
  // Only when something lives there: the embedded database, or a generated secret.
  if (config.dataDir && (!config.databaseUrl || !config.authSecret)) prepareDataDir(config.dataDir, log);
  const backends = await openBackends(config, log);
  const metrics = createMetrics(() => backends.messagesReceived());
  const app = createHeraldApp({
    db: backends.database.db,
    store: backends.store,
    bus: backends.bus,
    authSecret: resolveAuthSecret(config.authSecret, config.dataDir),
    rateLimits: config.rateLimits,
    statusRateLimit: config.statusRateLimit,
    maxConnectionsPerUser: config.maxConnectionsPerUser,
    maxSubscriptionsPerSocket: config.maxSubscriptionsPerSocket,
    sessionTtlSeconds: config.sessionTtlSeconds,
    passwordHashing: config.passwordHashing,
    log,
    observer: metrics.observer,
  });
  metrics.attach(app);
  backends.onStoreReconnect(() => void app.connections.resync());
  const countError = (code: string) => metrics.errors.inc({ code });
  const clientIpOf = createClientIpResolver(config.trustedProxies);

  const trpcHttp = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    // Lets clients send large queries (getMany with 500 ids) as POST instead of a long URL.
    allowMethodOverride: true,
    maxBodySize: MAX_HTTP_BODY_BYTES,
    createContext: async ({ req, info }): Promise<HeraldContext> => ({
      app,
      user: await userFromAuthorization(app, req.headers.authorization),
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
  const serveWeb = createStaticHandler(config.webDistDir ?? DEFAULT_WEB_DIST);
  const { wss, handler: wsHandler } = createWebSocketServer(app, log, countError, {
    maxBufferedBytes: config.maxBufferedBytes,
    clientIpOf,
  });

  const health = async (): Promise<boolean> => {
    const checks = Promise.all([backends.database.ping(), backends.store.ping(), backends.bus.ping()]);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), HEALTH_TIMEOUT_MS).unref());
    return Promise.race([checks, timeout]).then(
      () => true,
      (error) => {
        log.warn({ err: error }, "health check failed");
        return false;
      },
    );
  };

  // getMany's 500 ids make a ~19 KB query string: above Node's 16 KB default header limit.
  const http = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req: IncomingMessage, res: ServerResponse) => {
    const pathname = requestPath(req.url);
    if (pathname === null) {
      // `GET //[` is not a URL: answer it, never let the parse error escape.
      json(res, 400, { error: "malformed request URL" });
    } else if (pathname === "/healthz") {
      void health().then((ok) => json(res, ok ? 200 : 503, { status: ok ? "ok" : "unavailable" }));
    } else if (pathname === "/metrics" || pathname.startsWith("/metrics/")) {
      // Not here: metrics count invisible users' connections (docs/protocol.md §2 rule 5). A plain 404, not the
      // web app's index.html that the static handler gives unknown paths.
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("Not found\n");
    } else if (pathname === "/trpc" || pathname.startsWith("/trpc/")) {
      trpcHttp(req, res);
    } else {
      serveWeb(req, res);
    }
  });
  http.on("upgrade", (req, socket, head) => {
    if (!isTrpcUpgrade(req)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  // Unparseable requests (oversized headers, bad syntax) get a status line, then the socket ends.
  http.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const status = error.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  const metricsHttp = createServer((req, res) => {
    if (requestPath(req.url) !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("Not found: try GET /metrics\n");
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { "content-type": metrics.registry.contentType });
        res.end(text);
      },
      (error: unknown) => {
        log.error({ err: error }, "collecting metrics failed");
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("collecting metrics failed\n");
      },
    );
  });
  const metricsHost = config.metricsHost ?? "127.0.0.1";

  try {
    await listen(http, config.port, config.host, "PORT");
    await listen(metricsHttp, config.metricsPort ?? 0, metricsHost, "METRICS_PORT");
  } catch (error) {
    http.close();
    await app.close({ settleGraces: true });
    await backends.close();
    throw error;
  }
  const { port } = http.address() as AddressInfo;
  const host = urlHost(config.host);
  const metricsPort = (metricsHttp.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    metricsUrl: `http://${urlHost(metricsHost)}:${metricsPort}/metrics`,
    app,
    backends,
    close() {
      closing ??= (async () => {
        http.close();
        metricsHttp.close();
        metricsHttp.closeAllConnections();
        wsHandler.broadcastReconnectNotification();
        // With a shared store, clients told to reconnect come back on another server or on our
        // successor: their registrations stay until the TTL (no one flaps offline over a restart),
        // and graces running here are settled by whichever server reaps first. Alone, nobody else
        // can record last-seen, so we settle it now.
        const shared = Boolean(config.redisUrl ?? config.redisClusterNodes);
        await app.close({ settleGraces: !shared, handOverConnections: shared });
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.closeAllConnections();
        await backends.close();
      })();
      return closing;
    },
  };
}

/** Listens, or fails naming the variable when the port is taken or the address is not ours. */
async function listen(server: Server, port: number, host: string, variable: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "is already in use" : `cannot be opened (${error.code ?? error.message})`;
      reject(new Error(`${variable}: ${host}:${port} ${why}`, { cause: error }));
    });
    server.listen(port, host, () => resolve());
  });
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

async function userFromAuthorization(app: HeraldApp, header: string | undefined) {
  const token = header?.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : null;
  const claims = await app.sessions.verify(token);
  return claims ? { id: claims.sub } : null;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
