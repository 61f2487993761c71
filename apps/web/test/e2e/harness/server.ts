/** A real Herald server (in-memory PGlite) serving the built app, one per test file. */
import { startHeraldServer, type HeraldServer, type ServerConfig } from "@herald/server";
import { afterAll, beforeAll } from "vitest";
import { closeAll, type BrowserUser } from "./browser";
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

/** A test file's server and the browsers its tests open, all closed after the file. */
export interface TestServerScope {
  /** The running server; only while the file's tests run. */
  readonly server: HeraldServer;
  /** Browsers the tests open: closed, with the server, after the file. */
  readonly browsers: BrowserUser[];
}

/** Starts a test server before the file's tests and closes it, and their browsers, after them. */
export function useTestServer(overrides: Partial<ServerConfig> = {}): TestServerScope {
  let server: HeraldServer | undefined;
  const browsers: BrowserUser[] = [];
  beforeAll(async () => {
    server = await startTestServer(overrides);
  });
  afterAll(async () => {
    await closeAll(browsers);
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error("the test server runs only while the file's tests do");
      return server;
    },
    browsers,
  };
}
