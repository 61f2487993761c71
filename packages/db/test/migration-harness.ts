/**
 * Running migrations up to a point, on either backend, the way the server runs them: for tests
 * that upgrade a database holding data from before a migration.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { expect } from "vitest";
import { findMigrationsFolder } from "../src/client.js";
import { createScratchDatabase } from "../src/testing.js";
import type { Database } from "../src/client.js";

export const ALL_MIGRATIONS = findMigrationsFolder(new URL("../src/client.ts", import.meta.url).href);

/** A copy of the migrations folder that stops before `tag`. */
export function migrationsBefore(tag: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), "herald-migrations-")), "migrations");
  cpSync(ALL_MIGRATIONS, dir, { recursive: true });
  const journalPath = join(dir, "meta/_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: Array<{ tag: string }> };
  const index = journal.entries.findIndex((entry) => entry.tag === tag);
  expect(index, `migration ${tag} exists`).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, index);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

export interface Backend {
  db: Database;
  migrate(folder: string): Promise<void>;
  close(): Promise<void>;
}

export async function openBackend(kind: "pglite" | "postgres"): Promise<Backend> {
  if (kind === "pglite") {
    const client = new PGlite();
    const db = drizzlePglite(client);
    return {
      db: db as unknown as Database,
      migrate: (migrationsFolder) => migratePglite(db, { migrationsFolder }),
      close: () => client.close(),
    };
  }
  const scratch = await createScratchDatabase();
  const client = postgres(scratch.url, { max: 1, onnotice: () => {} });
  const db = drizzlePostgres(client);
  return {
    db: db as unknown as Database,
    migrate: (migrationsFolder) => migratePostgres(db, { migrationsFolder }),
    close: async () => {
      await client.end();
      await scratch.drop();
    },
  };
}
