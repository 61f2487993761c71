/** Serves the built web app (apps/web/dist); unknown paths get index.html (client-side routes). */
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

export function createStaticHandler(distDir: string) {
  const root = resolve(distDir);
  return (req: IncomingMessage, res: ServerResponse): void => {
    const pathname = requestPath(req.url);
    if (pathname === null) {
      // A malformed URL (`/%E0%A4%A`) used to throw here, uncaught: one request took the server down.
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      res.end("Bad request: malformed URL\n");
      return;
    }
    const candidate = resolve(join(root, normalize(pathname)));
    const insideRoot = candidate === root || candidate.startsWith(root + sep);
    const file = insideRoot && existsSync(candidate) && statSync(candidate).isFile() ? candidate : join(root, "index.html");
    if (!existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("The web app is not built. Run `pnpm start` (it builds it) or `pnpm --filter @herald/web build`.\n");
      return;
    }
    const immutable = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
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
