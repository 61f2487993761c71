/**
 * Serves the built web app (apps/web/dist); unknown paths get index.html (client-side routes).
 * Every answer carries the browser hardening headers (see `securityHeaders`); source maps are
 * never served, even if a build left some in the directory.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".woff2": "font/woff2",
};

export const DEFAULT_WEB_DIST = fileURLToPath(new URL("../../web/dist", import.meta.url));

/** A Host header we may quote in a policy: a name or IPv4 address and an optional port, nothing else. */
const PLAIN_HOST = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$/;

/**
 * The app loads only its own scripts and styles (Vite emits no inline ones; React sets styles
 * through the CSSOM, which CSP does not govern), talks only to its own origin over HTTP and
 * WebSocket, and may not be framed. `connect-src 'self'` covers same-origin ws:/wss: in current
 * browsers (CSP Level 3); the explicit ws://host and wss://host cover older ones. The Host header
 * is quoted only when it is a plain host[:port], so it cannot add directives.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sameHostSockets = host && PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${sameHostSockets}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

export function securityHeaders(req: IncomingMessage): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy(req.headers.host),
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
  };
}

export function createStaticHandler(distDir: string) {
  const root = resolve(distDir);
  return (req: IncomingMessage, res: ServerResponse): void => {
    const headers = securityHeaders(req);
    const pathname = requestPath(req.url);
    if (pathname === null) {
      // A malformed URL (`/%E0%A4%A`) used to throw here, uncaught: one request took the server down.
      res.writeHead(400, { ...headers, "content-type": "text/plain; charset=utf-8" });
      res.end("Bad request: malformed URL\n");
      return;
    }
    // Source maps give away the whole client source; the build keeps them out of dist, and a
    // stray one is still not served (nor answered with index.html, which would look like one).
    if (pathname.toLowerCase().endsWith(".map")) {
      res.writeHead(404, { ...headers, "content-type": "text/plain; charset=utf-8" });
      res.end("Not found\n");
      return;
    }
    const candidate = resolve(join(root, normalize(pathname)));
    const insideRoot = candidate === root || candidate.startsWith(root + sep);
    const file = insideRoot && existsSync(candidate) && statSync(candidate).isFile() ? candidate : join(root, "index.html");
    if (!existsSync(file)) {
      res.writeHead(404, { ...headers, "content-type": "text/plain; charset=utf-8" });
      res.end("The web app is not built. Run `pnpm start` (it builds it) or `pnpm --filter @herald/web build`.\n");
      return;
    }
    const immutable = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      ...headers,
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
    createReadStream(file).pipe(res);
  };
}

/** The decoded path of a request URL, or null when it cannot be parsed (`//[`) or decoded (`/%E0%A4%A`). */
export function requestPath(url: string | undefined): string | null {
  try {
    return decodeURIComponent(new URL(url ?? "/", "http://x").pathname);
  } catch {
    return null;
  }
}
