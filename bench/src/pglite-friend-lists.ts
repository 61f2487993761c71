/**
 * `pnpm --filter @herald/bench pglite-friend-lists`: what reading n users' friend lists costs on
 * PGlite, as the one-user statement n times in one trip into the engine (as friendships.ts reads
 * them, pglite-combiner.ts) and as one statement for all n (how session 18 read them from 3 users
 * on), for n from 1 to 32, on 1,000 users × 20 friends in one process, in alternating rounds.
 * Prints the median CPU per user of each: one statement for all costs more below ~32 users.
 */
import { openPgliteGraph } from "./pglite-graph.js";

const USERS = 1000;
const ROUNDS = 5;
const TRIPS = 200;
const SIZES = [1, 2, 3, 4, 8, 32];

const { client, ids, close } = await openPgliteGraph(USERS);
await client.exec(`
  set random_page_cost = 1.1;
  prepare one_list as select coalesce(json_agg(friend_id), '[]') as friend_ids from (
    select user_high as friend_id from friendships where user_low = $1 and status = 'accepted'
    union all
    select user_low from friendships where user_high = $1 and status = 'accepted') as friends;
  prepare many_lists as select json_object_agg(user_id, friend_ids) as lists from (
    select user_id, json_agg(friend_id) as friend_ids from (
      select user_low as user_id, user_high as friend_id from friendships where user_low = any($1::text[]) and status = 'accepted'
      union all
      select user_high, user_low from friendships where user_high = any($1::text[]) and status = 'accepted') as pairs
    group by user_id) as lists;`);

const ways = {
  "one statement each": (users: string[]) => users.map((id) => `execute one_list('${id}')`).join(";\n"),
  "one for all": (users: string[]) => `execute many_lists('{${users.map((id) => `"${id}"`).join(",")}}')`,
};
let cursor = 0;
const nextUsers = (n: number) => Array.from({ length: n }, () => ids[(cursor = (cursor + 37) % USERS)]!);

const samples = new Map<string, number[]>();
for (let round = 0; round <= ROUNDS; round++) {
  for (const n of SIZES) {
    for (const [way, text] of Object.entries(ways)) {
      const started = process.cpuUsage();
      for (let trip = 0; trip < TRIPS; trip++) await client.exec(text(nextUsers(n)));
      const used = process.cpuUsage(started);
      const key = `${way} n=${n}`;
      if (round > 0) samples.set(key, [...(samples.get(key) ?? []), (used.user + used.system) / TRIPS / n]); // round 0 warms up
    }
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const n of SIZES) {
  const [each, all] = Object.keys(ways).map((way) => median(samples.get(`${way} n=${n}`)!));
  console.log(
    `${String(n).padStart(2)} users: one statement each ${each!.toFixed(0).padStart(4)} µs, one for all ${all!.toFixed(0).padStart(4)} µs of CPU per user (${(all! / each!).toFixed(2)}×)`,
  );
}
await close();
