/**
 * Migration 0005 (text user ids, for the host's ids) on a database that already has users,
 * friendships and allow-lists from before it: every uuid survives as the same id in text, and the
 * friendship pairs keep their order. Run on both backends, each migrated the way the server does.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { executeRows } from "../src/statement.js";
import { ALL_MIGRATIONS as ALL, migrationsBefore, openBackend as open } from "./migration-harness.js";

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
