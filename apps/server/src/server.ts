/**
 * One Herald server process: Herald's wiring (herald-core.ts) on one port, with the web app, plus
 * /metrics on a second, operators-only port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HeraldApp } from "@herald/presence";
import { pino, type Logger } from "pino";
import type { Backends } from "./backends.js";
import type { ServerConfig } from "./env.js";
import { json, openHeraldCore } from "./herald-core.js";
import { createStaticHandler, DEFAULT_WEB_DIST, requestPath } from "./static-files.js";

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

const MAX_HEADER_BYTES = 64 * 1024;

export async function startHeraldServer(config: ServerConfig, log: Logger = pino({ level: config.logLevel })): Promise<HeraldServer> {
  const core = await openHeraldCore(config, log);
  const { app, backends, metrics } = core;
  const serveWeb = createStaticHandler(config.webDistDir ?? DEFAULT_WEB_DIST);

  // getMany's 500 ids make a ~19 KB query string: above Node's 16 KB default header limit.
  const http = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req: IncomingMessage, res: ServerResponse) => {
    const pathname = requestPath(req.url);
    if (pathname === null) {
      // `GET //[` is not a URL: answer it, never let the parse error escape.
      json(res, 400, { error: "malformed request URL" });
    } else if (core.handleRequest(req, res, pathname)) {
      // tRPC or /healthz
    } else if (pathname === "/metrics" || pathname.startsWith("/metrics/")) {
      // Not here: metrics count invisible users' connections (docs/protocol.md §2 rule 5). A plain 404, not the
      // web app's index.html that the static handler gives unknown paths.
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("Not found\n");
    } else {
      serveWeb(req, res);
    }
  });
  // Upgrades on any other path are refused (docs/protocol.md §5).
  http.on("upgrade", (req, socket, head) => {
    const pathname = requestPath(req.url);
    if (pathname === null || !core.handleUpgrade(req, socket, head, pathname)) socket.destroy();
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
    await listen(http, config.port, config.host, "PORT", CONNECT_BACKLOG);
    await listen(metricsHttp, config.metricsPort ?? 0, metricsHost, "METRICS_PORT");
  } catch (error) {
    http.close();
    metricsHttp.close();
    await core.close();
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
        await core.close(() => http.closeAllConnections());
      })();
      return closing;
    },
  };
}

/**
 * Connections the kernel may hold for the server before it accepts them. After a restart every
 * client reconnects at once; when this queue is full, Linux drops the handshake and the client's
 * kernel retries it 1, 3, 7… s later, so a client waits seconds on a server with CPU to spare.
 * Node's default is 511; the kernel caps whatever is asked at `net.core.somaxconn` (4096 on
 * current kernels).
 */
const CONNECT_BACKLOG = 4096;

/** Listens, or fails naming the variable when the port is taken or the address is not ours. */
async function listen(server: Server, port: number, host: string, variable: string, backlog?: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "is already in use" : `cannot be opened (${error.code ?? error.message})`;
      reject(new Error(`${variable}: ${host}:${port} ${why}`, { cause: error }));
    });
    server.listen({ port, host, backlog }, () => resolve());
  });
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
