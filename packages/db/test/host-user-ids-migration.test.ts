/**
 * Migration 0005 (text user ids, for the host's ids) on a database that already has users,
 * friendships and allow-lists from before it: every uuid survives as the same id in text, and the
 * friendship pairs keep their order. Run on both backends, each migrated the way the server does.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { findMigrationsFolder } from "../src/client.js";
import { executeRows } from "../src/statement.js";
import { createScratchDatabase } from "../src/testing.js";
import type { Database } from "../src/client.js";

const ALL = findMigrationsFolder(new URL("../src/client.ts", import.meta.url).href);

/** A copy of the migrations folder that stops before `tag`. */
function migrationsBefore(tag: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), "herald-migrations-")), "migrations");
  cpSync(ALL, dir, { recursive: true });
  const journalPath = join(dir, "meta/_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: Array<{ tag: string }> };
  const index = journal.entries.findIndex((entry) => entry.tag === tag);
  expect(index, `migration ${tag} exists`).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, index);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

interface Backend {
  db: Database;
  migrate(folder: string): Promise<void>;
  close(): Promise<void>;
}

async function open(kind: "pglite" | "postgres"): Promise<Backend> {
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

describe.each(["pglite", "postgres"] as const)("migration 0005_host_user_ids on %s", (kind) => {
  it("keeps every existing id, friendship and allow-list, now as text", async () => {
    const backend = await open(kind);
    try {
      await backend.migrate(migrationsBefore("0005_host_user_ids"));
      const users = await executeRows<{ id: string }>(
        backend.db,
        sql`insert into users (username, password_hash) values ('ada', 'x'), ('bob', 'y') returning id::text as id`,
      );
      const [low, high] = users.map((u) => u.id).sort();
      await backend.db.execute(sql`insert into user_presence (user_id, visible_to) values (${low}::uuid, array[${high}]::uuid[])`);
      await backend.db.execute(
        sql`insert into friendships (user_low, user_high, requester_id, status) values (${low}::uuid, ${high}::uuid, ${high}::uuid, 'accepted')`,
      );

      await backend.migrate(ALL);

      const pairs = await executeRows<{ user_low: string; user_high: string; requester_id: string; type: string }>(
        backend.db,
        sql`select user_low, user_high, requester_id, pg_typeof(user_low)::text as type from friendships`,
      );
      expect(pairs).toEqual([{ user_low: low, user_high: high, requester_id: high, type: "text" }]);
      const presence = await executeRows<{ user_id: string; visible_to: string[] }>(
        backend.db,
        sql`select user_id, visible_to from user_presence`,
      );
      expect(presence).toEqual([{ user_id: low, visible_to: [high] }]);
      // New Herald accounts still get a uuid; a host's user may have any id, and no username.
      const [fresh] = await executeRows<{ id: string }>(
        backend.db,
        sql`insert into users (username, password_hash) values ('cy', 'z') returning id`,
      );
      expect(fresh!.id).toMatch(/^[0-9a-f-]{36}$/);
      await backend.db.execute(sql`insert into users (id, display_name) values ('auth0|42', 'Dee')`);
      // Pairs are ordered bytewise whatever the database's collation: 'B' < 'a'.
      await backend.db.execute(sql`insert into users (id) values ('B'), ('a')`);
      await backend.db.execute(sql`insert into friendships (user_low, user_high, requester_id) values ('B', 'a', 'a')`);
      await expect(
        backend.db.execute(sql`insert into friendships (user_low, user_high, requester_id) values ('a', 'B', 'a')`),
      ).rejects.toThrow();
    } finally {
      await backend.close();
    }
  });
});
