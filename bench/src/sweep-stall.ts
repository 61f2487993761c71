/**
 * `pnpm --filter @herald/bench sweep-stall [connections]`: how long the Redis store's refresh of
 * every live connection (what each 5-s sweep does) holds the event loop. Registers the
 * connections under a fresh key prefix on REDIS_URL (default the local Redis), refreshes them all
 * in rounds, and prints per round the refresh's wall time and the longest the loop went without
 * a turn meanwhile: every delivery due then waits that long.
 */
import { randomUUID } from "node:crypto";
import { connectRedis, RedisPresenceStore } from "@herald/presence/redis";
import { deleteKeysWithPrefix } from "@herald/presence/testing";

const CONNECTIONS = Number(process.argv[2] ?? 1000);
const ROUNDS = 15;

const prefix = `herald-bench-${randomUUID()}`;
const redis = await connectRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const store = new RedisPresenceStore(redis, { prefix });
const refs = Array.from({ length: CONNECTIONS }, () => ({ userId: randomUUID(), connectionId: randomUUID() }));
await Promise.all(refs.map((ref) => store.connect(ref)));

/** The longest gap between turns of the loop while `work` runs, in ms. */
async function longestBlock(work: () => Promise<void>): Promise<{ wallMs: number; blockMs: number }> {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const start = performance.now();
  await work();
  const wallMs = performance.now() - start;
  running = false;
  tick();
  return { wallMs, blockMs: longest };
}

const rounds: Array<{ wallMs: number; blockMs: number }> = [];
for (let round = 0; round < ROUNDS; round++) {
  rounds.push(await longestBlock(() => store.refresh(refs)));
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (values: number[]) => values.map((v) => v.toFixed(1)).join(" ");
// The first rounds warm the JIT up: the median is of the rest.
const settled = rounds.slice(3);
console.log(`refresh of ${CONNECTIONS} connections, ${ROUNDS} rounds`);
console.log(`  wall ms:          ${fmt(rounds.map((r) => r.wallMs))}  (median ${median(settled.map((r) => r.wallMs)).toFixed(1)})`);
console.log(`  longest block ms: ${fmt(rounds.map((r) => r.blockMs))}  (median ${median(settled.map((r) => r.blockMs)).toFixed(1)})`);

await deleteKeysWithPrefix(redis, prefix);
await store.close();
