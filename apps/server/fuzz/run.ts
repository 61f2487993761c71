/**
 * `pnpm fuzz [--cases 10000] [--seed N] [--postgres]`: hostile traffic against a real server
 * started in this process (PGlite in memory, or a scratch PostgreSQL database). Prints the counts
 * and exits non-zero on any crash, INTERNAL_SERVER_ERROR, privacy break or unhealthy end.
 */
import { parseArgs } from "node:util";
import { createScratchDatabase } from "@herald/db/testing";
import { startTestServer } from "../src/testing/index.js";
import { runWireFuzz } from "./wire-fuzz.js";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "10000" },
    seed: { type: "string" },
    postgres: { type: "boolean", default: false },
    concurrency: { type: "string", default: "8" },
  },
});
const cases = Number(values.cases);
const seed = values.seed ? Number(values.seed) : Date.now() % 1_000_000;

let crashes = 0;
process.on("uncaughtException", (error) => {
  crashes++;
  console.error("uncaught exception:", error);
});
process.on("unhandledRejection", (error) => {
  crashes++;
  console.error("unhandled rejection:", error);
});

const scratch = values.postgres ? await createScratchDatabase(process.env.TEST_DATABASE_URL) : null;
const server = await startTestServer({ databaseUrl: scratch?.url, logLevel: "fatal" });
const started = Date.now();
console.log(`fuzzing ${server.url} (${scratch ? "PostgreSQL" : "PGlite"}) with ${cases} cases, seed ${seed}`);
let exitCode: number;
try {
  const stats = await runWireFuzz({
    baseUrl: server.url,
    wsUrl: server.wsUrl,
    cases,
    seed,
    concurrency: Number(values.concurrency),
    onProgress: (s) =>
      process.stdout.write(`  ${s.cases} cases, ${s.failures.length} failures, ${((Date.now() - started) / 1000).toFixed(0)} s\n`),
  });
  const health = await fetch(`${server.url}/healthz`);
  const metrics = await (await fetch(server.metricsUrl)).text();
  const internalErrors = Number(metrics.match(/^herald_errors_total\{code="INTERNAL_SERVER_ERROR"\} (\d+)/m)?.[1] ?? 0);
  const polluted = ({} as Record<string, unknown>).polluted !== undefined || ({} as Record<string, unknown>).isAdmin !== undefined;

  console.log(`\ncases run:            ${stats.cases} in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed})`);
  console.log(`by kind:              ${JSON.stringify(stats.byKind)}`);
  console.log(`answers:              ${JSON.stringify(stats.byOutcome)}`);
  console.log(`crashes:              ${crashes}`);
  console.log(`INTERNAL_SERVER_ERROR: ${stats.byOutcome.INTERNAL_SERVER_ERROR ?? 0} answered, ${internalErrors} counted in /metrics`);
  console.log(`prototype polluted:   ${polluted}`);
  console.log(`failures:             ${stats.failures.length}`);
  for (const failure of stats.failures.slice(0, 20)) console.log(`  - ${failure.reason}\n    case: ${failure.fuzzCase}`);
  console.log(`/healthz:             ${health.status}`);
  const ok = stats.failures.length === 0 && crashes === 0 && internalErrors === 0 && !polluted && health.status === 200;
  console.log(ok ? "fuzz: PASS" : "fuzz: FAIL");
  exitCode = ok ? 0 : 1;
} finally {
  await server.close();
  await scratch?.drop();
}
process.exit(exitCode);
