/**
 * Migration 0006 (statuses that end, last-seen controls) on a database holding users, presence and
 * friendships made by the release before it: every row keeps what it had, gains "no end" and the
 * default last-seen level, and can then store the new facts. Run on both backends.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { executeRows } from "../src/statement.js";
import { ALL_MIGRATIONS, migrationsBefore, openBackend } from "./migration-harness.js";

describe.each(["pglite", "postgres"] as const)("migration 0006_presence_controls on %s", (kind) => {
  it("keeps every presence row as it was, with no end and last seen shared with friends", async () => {
    const backend = await openBackend(kind);
    try {
      await backend.migrate(migrationsBefore("0006_presence_controls"));
      await backend.db.execute(sql`insert into users (id, username) values ('ada', 'ada'), ('bob', 'bob')`);
      await backend.db.execute(
        sql`insert into friendships (user_low, user_high, requester_id, status) values ('ada', 'bob', 'bob', 'accepted')`,
      );
      await backend.db.execute(
        sql`insert into user_presence (user_id, status, message, visible_to, last_seen, revision)
            values ('ada', 'dnd', 'focus', array['bob'], '2026-11-30T10:00:00Z', 7), ('bob', 'invisible', null, '{}', null, 2)`,
      );

      await backend.migrate(ALL_MIGRATIONS);

      const rows = await executeRows<Record<string, unknown>>(
        backend.db,
        sql`select user_id, status::text, message, visible_to, last_seen = '2026-11-30T10:00:00Z' as same_last_seen, revision,
                   status_until, message_until, last_seen_level::text, last_seen_exceptions
            from user_presence order by user_id`,
      );
      expect(rows).toEqual([
        {
          user_id: "ada",
          status: "dnd",
          message: "focus",
          visible_to: ["bob"],
          same_last_seen: true,
          revision: 7,
          status_until: null,
          message_until: null,
          last_seen_level: "friends",
          last_seen_exceptions: {},
        },
        {
          user_id: "bob",
          status: "invisible",
          message: null,
          visible_to: [],
          same_last_seen: null,
          revision: 2,
          status_until: null,
          message_until: null,
          last_seen_level: "friends",
          last_seen_exceptions: {},
        },
      ]);
      // The new facts fit, and an unknown level is refused by the database itself.
      await backend.db.execute(
        sql`update user_presence set status_until = '2026-12-01T09:00:00Z', last_seen_level = 'approximate',
            last_seen_exceptions = '{"bob":"nobody"}' where user_id = 'ada'`,
      );
      await expect(backend.db.execute(sql`update user_presence set last_seen_level = 'everyone' where user_id = 'bob'`)).rejects.toThrow();
      const [friendship] = await executeRows<{ status: string }>(backend.db, sql`select status::text from friendships`);
      expect(friendship).toEqual({ status: "accepted" });
    } finally {
      await backend.close();
    }
  });
});
