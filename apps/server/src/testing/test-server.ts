/** Real Herald servers for tests: port 0, a fresh database (PGlite in memory or PostgreSQL). */
import { createScratchDatabase, type DatabaseKind } from "@herald/db/testing";
import { pino } from "pino";
import type { ServerConfig } from "../env.js";
import { startHeraldServer, type HeraldServer } from "../server.js";

export const TEST_AUTH_SECRET = "test-secret-that-is-long-enough";
/**
 * Tests sign up hundreds of users: they hash at N=2^10 (~3 ms) instead of the production default
 * N=2^17 (~300 ms, 128 MiB). abuse.test.ts proves the default; pass `passwordHashing: undefined` to get it.
 */
export const TEST_PASSWORD_HASHING = { params: { N: 2 ** 10, r: 8, p: 1 } };

export interface TestServer extends HeraldServer {
  wsUrl: string;
  config: ServerConfig;
}

export function testServerConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    port: 0,
    host: "127.0.0.1",
    dataDir: null,
    authSecret: TEST_AUTH_SECRET,
    offlineGraceMs: 300,
    rateLimits: false,
    statusRateLimit: 0,
    logLevel: "warn",
    passwordHashing: TEST_PASSWORD_HASHING,
    ...overrides,
  };
}

export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const config = testServerConfig(overrides);
  const server = await startHeraldServer(config, pino({ level: config.logLevel }));
  return { ...server, config, wsUrl: `${server.url.replace(/^http/, "ws")}/trpc` };
}

/** A database for one test file: `url` is undefined for PGlite (embedded, in memory). */
export async function databaseFor(kind: DatabaseKind): Promise<{ databaseUrl: string | undefined; drop(): Promise<void> }> {
  if (kind === "pglite") return { databaseUrl: undefined, drop: async () => {} };
  const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL);
  return { databaseUrl: scratch.url, drop: () => scratch.drop() };
}
