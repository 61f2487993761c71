/**
 * `pnpm --filter @herald/bench pglite-connect-reads`: what the database reads of a connect burst
 * cost on PGlite, in one process on 1,000 users × 20 friends, three ways in alternating rounds:
 * - `as before`: the planner's default costs (`random_page_cost = 4`), each statement its own query;
 * - `planner`: `random_page_cost = 1.1` (what @herald/db sets), each statement its own query;
 * - `together`: `random_page_cost = 1.1`, and statements issued in the same turn sent as one
 *   query (`executeRows`, pglite-combiner.ts).
 * A connect reads its user's token version, then its friend list, then
 * those of its friends' presence rows not read yet in the burst (the statements the server sends, in
 * that order; it remembers the rows it read); 128 connect at once, as the bench's clients do.
 * Prints the CPU per connect of each way and the ratios.
 */
import { executeRows } from "@herald/db";
import { sql } from "drizzle-orm";
import { openPgliteGraph } from "./pglite-graph.js";

const USERS = 1000;
const CONCURRENT = 128;
const ROUNDS = 7;

const { db, client, ids, close } = await openPgliteGraph(USERS);
await client.exec(`
  prepare friend_list as select coalesce(json_agg(friend_id), '[]') as friend_ids from (
    select user_high as friend_id from friendships where user_low = $1 and status = 'accepted'
    union all
    select user_low from friendships where user_high = $1 and status = 'accepted') as friends;`);

const textArray = (userIds: readonly string[]) => `'{${userIds.map((id) => `"${id}"`).join(",")}}'::text[]`;
const PRESENCE_COLUMNS =
  "user_id, status, message, status_until, message_until, visible_to, last_seen, last_seen_by, last_disconnected_at, last_seen_level, last_seen_exceptions, fades, revision";

type Run = (text: string) => Promise<unknown[]>;
const alone: Run = async (text) => (await client.exec(text))[0]?.rows ?? [];
const together: Run = (text) => executeRows(db, sql.raw(text));

/** Rows read in this burst: the server remembers the rows it read, so later connects read fewer. */
let rowsRead = new Set<string>();

async function connect(user: number, run: Run): Promise<void> {
  await run(`select id, token_version from users where id = any(${textArray([ids[user]!])})`);
  const [row] = (await run(`execute friend_list('${ids[user]}')`)) as Array<{ friend_ids: string[] }>;
  const unread = row!.friend_ids.filter((id) => !rowsRead.has(id));
  for (const id of unread) rowsRead.add(id);
  if (unread.length > 0) await run(`select ${PRESENCE_COLUMNS} from user_presence where user_id = any(${textArray(unread)})`);
}

async function burst(run: Run): Promise<number> {
  rowsRead = new Set();
  const started = process.cpuUsage();
  let next = 0;
  const worker = async () => {
    while (next < USERS) await connect(next++, run);
  };
  await Promise.all(Array.from({ length: CONCURRENT }, worker));
  const used = process.cpuUsage(started);
  return (used.user + used.system) / USERS;
}

const ways = {
  "as before": { cost: "4", run: alone },
  planner: { cost: "1.1", run: alone },
  together: { cost: "1.1", run: together },
};
const samples = new Map<string, number[]>(Object.keys(ways).map((way) => [way, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [way, { cost, run }] of Object.entries(ways)) {
    await client.exec(`set random_page_cost = ${cost}`);
    const perConnect = await burst(run);
    if (round > 0) samples.get(way)!.push(perConnect); // round 0 warms up
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const before = median(samples.get("as before")!);
for (const [way, values] of samples) {
  const per = median(values);
  console.log(
    `${way.padEnd(10)} ${per.toFixed(0).padStart(5)} µs of CPU per connect (median of ${values.length}; ${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}), ${(per / before).toFixed(2)}× as before`,
  );
}
await close();
