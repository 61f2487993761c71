/**
 * Fresh databases for tests: a throwaway PostgreSQL database per call (dropped on close),
 * or an in-memory PGlite. Both go through the same factory the server uses.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type DatabaseHandle } from "./client.js";

export type DatabaseKind = "pglite" | "postgres";

export const TEST_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export async function createTestDatabase(
  kind: DatabaseKind,
  adminUrl = TEST_POSTGRES_URL,
): Promise<DatabaseHandle & { url: string | null }> {
  if (kind === "pglite") return { ...(await openDatabase({ dataDir: null })), url: null };
  const name = `herald_test_${Date.now()}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString() });
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
