/**
 * Fresh databases for tests: a throwaway PostgreSQL database per call (dropped on close),
 * or an in-memory PGlite. Both go through the same factory the server uses.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type DatabaseHandle } from "./client.js";

export type DatabaseKind = "pglite" | "postgres";

export const TEST_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** An empty PostgreSQL database with a unique name, for one test run. */
export async function createScratchDatabase(adminUrl = TEST_POSTGRES_URL): Promise<ScratchDatabase> {
  const name = `herald_test_${Date.now()}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export async function createTestDatabase(
  kind: DatabaseKind,
  adminUrl = TEST_POSTGRES_URL,
): Promise<DatabaseHandle & { url: string | null }> {
  if (kind === "pglite") return { ...(await openDatabase({ dataDir: null })), url: null };
  const scratch = await createScratchDatabase(adminUrl);
  const handle = await openDatabase({ databaseUrl: scratch.url });
  return {
    ...handle,
    url: scratch.url,
    close: async () => {
      await handle.close();
      await scratch.drop();
    },
  };
}
