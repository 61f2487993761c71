/**
 * `pnpm --filter @herald/bench postgres-writes`: what PostgreSQL spends on Herald's presence
 * writes (row-writer.ts's statements, through @herald/presence/testing), per statement and per
 * row, at several table sizes: the CPU of the database's own backends (`/proc`, so PostgreSQL
 * must run on this machine) over sequential statements, and the batched write's plan. A plan
 * that scans the table costs more the more users there are; one by primary key does not. Each
 * form is timed prepared, as the server sends it, and unprepared, as it did before session 25
 * (drizzle's `execute`: parsed and planned on every call).
 */
import { executeBatch, executeRows } from "@herald/db";
import { createTestDatabase } from "@herald/db/testing";
import { DEFAULT_DURABLE_PRESENCE } from "@herald/presence";
import { batchUpdate, oneRowUpdate, type RowWrite } from "@herald/presence/testing";
import { sql } from "drizzle-orm";
import { CpuMeter } from "./proc.js";

const TABLE_SIZES = [1_000, 10_000];
/** The lone write (one row) and two batches, as a few hundred and a few thousand changes/s make them. */
const ROWS_PER_STATEMENT = [1, 3, 10];
const STATEMENTS = 1_000;

for (const users of TABLE_SIZES) {
  const database = await createTestDatabase("postgres");
  try {
    const { db } = database;
    await db.execute(sql`
      with made as (insert into users (username) select 'u' || n from generate_series(1, ${users}::int) as n returning id)
      insert into user_presence (user_id) select id from made`);
    await db.execute(sql`analyze user_presence`);
    const ids = (await executeRows<{ user_id: string }>(db, sql`select user_id from user_presence`)).map((row) => row.user_id);
    const revisions = new Map(ids.map((id) => [id, 0]));
    let next = 0;
    const batch = (size: number): RowWrite[] =>
      Array.from({ length: size }, () => {
        const userId = ids[(next += 7919) % ids.length]!;
        return { userId, expectedRevision: revisions.get(userId)!, after: { ...DEFAULT_DURABLE_PRESENCE, message: `m${next}` } };
      });
    // As the row writer sends them: one row alone, more as the batched statement.
    const write = async (size: number, prepared: boolean) => {
      const writes = batch(size);
      for (const row of await executeBatch<{ user_id: string }>(db, writes.map(oneRowUpdate), () => batchUpdate(writes), { prepared })) {
        revisions.set(row.user_id, revisions.get(row.user_id)! + 1);
      }
    };
    const plan = (await executeRows<{ "QUERY PLAN": string }>(db, sql`explain ${batchUpdate(batch(3))}`))
      .map((line) => line["QUERY PLAN"].trim())
      .filter((line) => /Join|Loop|Scan/.test(line))
      .map((line) => line.replace(/\s+\(cost.*$/, ""))
      .join("; ");
    console.log(`${users.toLocaleString("en-US")} users: ${plan}`);
    for (const size of ROWS_PER_STATEMENT) {
      for (const prepared of [true, false]) {
        for (let i = 0; i < 50; i++) await write(size, prepared); // warm: prepared on every connection, cached
        const backends = (
          await executeRows<{ pid: number }>(db, sql`select pid from pg_stat_activity where datname = current_database()`)
        ).map((row) => row.pid);
        const backendCpu = new CpuMeter(() => backends);
        backendCpu.start();
        const started = performance.now();
        for (let i = 0; i < STATEMENTS; i++) await write(size, prepared);
        const wallMicros = ((performance.now() - started) * 1000) / STATEMENTS;
        const cpu = (backendCpu.usedMs() * 1000) / STATEMENTS;
        console.log(
          `  ${size} row${size === 1 ? "" : "s"} a statement, ${prepared ? "prepared" : "unprepared"}: PostgreSQL ${cpu.toFixed(0)} µs of CPU a statement (${(cpu / size).toFixed(0)} a row), ${wallMicros.toFixed(0)} µs a round trip`,
        );
      }
    }
  } finally {
    await database.close();
  }
}
