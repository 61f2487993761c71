/**
 * Herald inside a host's own Node HTTP server: `attachHerald(httpServer, { path: "/presence" })`
 * serves tRPC over HTTP and WebSocket at `/presence/trpc` and health at `/presence/healthz`, with
 * the same wiring as the standalone server (herald-core.ts): the same database, store, bus and
 * identity settings. Every other request and upgrade stays the host's.
 *
 * Like socket.io's `attach`, it takes over the server's `request` listeners and calls them for
 * every path that is not Herald's, so attach after the host's handler is in place
 * (`createServer(handler)` does that). `close()` gives them back.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { createSystemCaller, type HeraldApp } from "@herald/presence";
import { pino, type Logger } from "pino";
import { configFromEnv, readEnv, type HeraldConfig } from "./env.js";
import { json, openHeraldCore } from "./herald-core.js";
import { requestPath } from "./static-files.js";

export interface AttachOptions extends Partial<HeraldConfig> {
  /** Where Herald lives on the host's server (default `/presence`): `<path>/trpc`, `<path>/healthz`. */
  path?: string;
  /** Herald's log (default: pino at `logLevel`). */
  log?: Logger;
}

export interface AttachedHerald {
  app: HeraldApp;
  /** The host backend's API in-process: `system.users.upsert`, `system.friends.link`, … (no token needed). */
  system: ReturnType<typeof createSystemCaller>;
  /** Where clients reach tRPC on the host's server, e.g. `/presence/trpc` (HTTP and WebSocket). */
  trpcPath: string;
  /** Prometheus text of this Herald, for the host to serve on its own operators-only port. */
  metrics(): Promise<string>;
  /** Detaches (the host's server keeps running) and closes Herald: sockets, timers, backends. */
  close(): Promise<void>;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export async function attachHerald(server: Server, options: AttachOptions = {}): Promise<AttachedHerald> {
  const { path = "/presence", log: givenLog, ...overrides } = options;
  const basePath = normalizePath(path);
  // The defaults of `pnpm start` with an empty environment, then what the host chose.
  const config: HeraldConfig = { ...configFromEnv(readEnv({})), ...withoutUndefined(overrides) };
  const log = givenLog ?? pino({ level: config.logLevel });
  const core = await openHeraldCore(config, log, basePath);

  const own = (pathname: string | null) => pathname !== null && (pathname === basePath || pathname.startsWith(`${basePath}/`));
  const hostListeners = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  const onRequest: RequestListener = (req, res) => {
    const pathname = requestPath(req.url);
    if (!own(pathname)) {
      for (const listener of hostListeners) listener.call(server, req, res);
      return;
    }
    if (!core.handleRequest(req, res, pathname!))
      json(res, 404, { error: `not found: Herald serves ${basePath}/trpc and ${basePath}/healthz` });
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = requestPath(req.url);
    if (own(pathname)) {
      if (!core.handleUpgrade(req, socket, head, pathname!)) socket.destroy();
    } else if (server.listenerCount("upgrade") === 1) {
      socket.destroy(); // nobody else takes upgrades: without this the socket would hang
    }
  };
  server.on("request", onRequest);
  server.on("upgrade", onUpgrade);

  let closing: Promise<void> | null = null;
  return {
    app: core.app,
    system: createSystemCaller(core.app),
    trpcPath: `${basePath}/trpc`,
    metrics: () => core.metrics.registry.metrics(),
    close() {
      closing ??= (async () => {
        server.off("upgrade", onUpgrade);
        server.off("request", onRequest);
        for (const listener of hostListeners) server.on("request", listener);
        await core.close();
      })();
      return closing;
    },
  };
}

/** `/presence`, `presence/` and `/presence/` are one place; `/` is the whole server. */
function normalizePath(path: string): string {
  const trimmed = `/${path}`.replace(/\/+/g, "/").replace(/\/$/, "");
  if (!/^[A-Za-z0-9/_.~-]*$/.test(trimmed))
    throw new Error(`attachHerald: path ${JSON.stringify(path)} must be a plain URL path such as /presence`);
  return trimmed;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
