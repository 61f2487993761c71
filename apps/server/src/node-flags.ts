/**
 * The V8 flags Herald's server runs with. `pnpm start` and the Docker image's CMD pass them
 * (test/multi-server/deploy.test.ts holds both to this list), and so do the bench's servers.
 *
 * `--no-concurrent-marking`: V8 marks the old generation in small steps on the server's own
 * thread instead of on a helper thread beside it. Where the server has one core to itself, that
 * helper runs on the core the server's one JavaScript thread needs, every couple of seconds at
 * 1,000 changes/s, and the fan-out then runs at about half speed until marking ends: the p99
 * latency was those stretches. Measured on 2 cores, server pinned to one (issue 14,
 * BENCHMARKS.md), embedded at 1,000 changes/s: p99 56–65 → 22–30 ms, at about the same CPU per
 * change; connects cost ~8–11 % more CPU (the marker helped there). Unpinned on the same machine
 * only `--single-threaded-gc` (which includes this) was measured: 23.8 → 12.5 ms. On a machine
 * with cores to spare, V8's default may do as well: run `node apps/server/dist/main.js` without it.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--no-concurrent-marking"];
