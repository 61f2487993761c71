/**
 * Migration 0007 (auto-away becomes live, docs/protocol.md §7.2) on a database holding presence
 * rows made by the release before it: an automatic away is the user's chosen `online` again (the
 * live store shows it as away while every device is idle), everything else keeps what it had, and
 * the `auto_away` column is gone. Run on both backends.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { executeRows } from "../src/statement.js";
import { ALL_MIGRATIONS, migrationsBefore, openBackend } from "./migration-harness.js";

describe.each(["pglite", "postgres"] as const)("migration 0007_live_auto_away on %s", (kind) => {
  it("turns automatic aways back into online, keeps chosen statuses, and drops auto_away", async () => {
    const backend = await openBackend(kind);
    try {
      await backend.migrate(migrationsBefore("0007_live_auto_away"));
      await backend.db.execute(sql`insert into users (id, username) values ('ada', 'ada'), ('bob', 'bob'), ('cy', 'cy'), ('di', 'di')`);
      await backend.db.execute(
        sql`insert into user_presence (user_id, status, auto_away, message, visible_to, revision)
            values ('ada', 'away', true, 'brb', '{}', 4), ('bob', 'away', false, null, '{}', 2),
                   ('cy', 'dnd', false, 'focus', '{}', 9), ('di', 'invisible', false, null, array['ada'], 1)`,
      );

      await backend.migrate(ALL_MIGRATIONS);

      const rows = await executeRows<Record<string, unknown>>(
        backend.db,
        sql`select user_id, status::text, message, visible_to, revision from user_presence order by user_id`,
      );
      expect(rows).toEqual([
        { user_id: "ada", status: "online", message: "brb", visible_to: [], revision: 4 },
        { user_id: "bob", status: "away", message: null, visible_to: [], revision: 2 },
        { user_id: "cy", status: "dnd", message: "focus", visible_to: [], revision: 9 },
        { user_id: "di", status: "invisible", message: null, visible_to: ["ada"], revision: 1 },
      ]);
      const columns = await executeRows<{ column_name: string }>(
        backend.db,
        sql`select column_name from information_schema.columns where table_name = 'user_presence' and column_name = 'auto_away'`,
      );
      expect(columns).toEqual([]);
    } finally {
      await backend.close();
    }
  });
});
