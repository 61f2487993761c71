/**
 * `pnpm --filter @herald/bench pglite-statements`: what the friend-list read (once per subscribe)
 * costs on PGlite per statement, as it was and as it is, in alternating rounds in one process on
 * 1,000 users × 20 friends. Prints both and the ratio.
 */
import { executeRows } from "@herald/db";
import { sql } from "drizzle-orm";
import { openPgliteGraph } from "./pglite-graph.js";

const USERS = 1000;
const ROUNDS = 11;
const PER_ROUND = 200;

const { db, ids, close } = await openPgliteGraph(USERS);

// The friend-list read (friendships.ts) as it was — two index scans joined, prepared once, a row
// per friend — and as it is: the same scans, the ids aggregated into one JSON array in one row.
const before = (id: string) =>
  executeRows<{ friend_id: string }>(
    db,
    sql`select user_high as friend_id from friendships where user_low = ${id} and status = 'accepted'
        union all
        select user_low from friendships where user_high = ${id} and status = 'accepted'`,
    { prepared: true },
  ).then((rows) => rows.map((row) => row.friend_id));
const after = (id: string) =>
  executeRows<{ friend_ids: string[] }>(
    db,
    sql`select coalesce(json_agg(friend_id), '[]') as friend_ids from (
        select user_high as friend_id from friendships where user_low = ${id} and status = 'accepted'
        union all
        select user_low from friendships where user_high = ${id} and status = 'accepted') as friends`,
    { prepared: true },
  ).then(([row]) => row?.friend_ids ?? []);

// Both must read the same friends, or the comparison means nothing.
for (const id of ids.slice(0, 50)) {
  const [was, is] = [(await before(id)).sort(), (await after(id)).sort()];
  if (was.join() !== is.join()) throw new Error(`friend list of ${id}: ${was.length} friends before, ${is.length} after`);
}

const totals = { before: 0, after: 0 };
for (let round = 0; round < ROUNDS; round++) {
  for (const [way, run] of [
    ["before", before],
    ["after", after],
  ] as const) {
    const started = performance.now();
    for (let k = 0; k < PER_ROUND; k++) await run(ids[(round * PER_ROUND + k) % USERS]!);
    if (round > 0) totals[way] += performance.now() - started; // round 0 warms up
  }
}
const per = (way: keyof typeof totals) => totals[way] / ((ROUNDS - 1) * PER_ROUND);
console.log(
  `friend list: before ${per("before").toFixed(3)} ms, after ${per("after").toFixed(3)} ms per statement: ${(per("after") / per("before")).toFixed(2)}×`,
);
await close();
