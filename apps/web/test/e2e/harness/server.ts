/** A real Herald server (in-memory PGlite) serving the built app, one per test file. */
import { startHeraldServer, type HeraldServer, type ServerConfig } from "@herald/server";
import { ensureWebBuilt } from "./web-build";

export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<HeraldServer> {
  return startHeraldServer({
    port: 0,
    host: "127.0.0.1",
    dataDir: null,
    presenceTtlMs: 60_000,
    offlineGraceMs: 1500,
    rateLimits: false,
    statusRateLimit: 0,
    logLevel: "warn",
    webDistDir: ensureWebBuilt(),
    ...overrides,
  });
}
