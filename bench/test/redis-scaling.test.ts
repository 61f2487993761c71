/**
 * The Redis scaling mode end to end, tiny and on the cluster only (the multi-process part):
 * every master gets its share of publishes, deliveries are attributed to the master that made
 * them, and CPU is read for each Redis process.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { BENCH_DIR } from "../src/children.js";
import type { TopologyResult } from "../src/redis-scaling.js";

const run = promisify(execFile);

test("a tiny run on a 3-master cluster reports publishes, deliveries and CPU for each master", async () => {
  const out = mkdtempSync(join(tmpdir(), "herald-redis-scaling-"));
  try {
    const args = ["--import", "tsx", join(BENCH_DIR, "src/redis-scaling.ts"), "--topologies", "cluster", "--servers", "2"];
    args.push("--users", "30", "--friends", "4", "--rate", "60", "--step-ms", "2000", "--idle-ms", "1000", "--out", out);
    await run(process.execPath, args, { cwd: BENCH_DIR, timeout: 120_000 });
    const { results } = JSON.parse(readFileSync(join(out, "redis-scaling.json"), "utf8")) as { results: TopologyResult[] };
    const [cluster] = results;
    expect(cluster!.redis).toHaveLength(3);
    expect(cluster!.lost).toBe(0);
    for (const master of cluster!.redis) {
      expect(master.publishesPerSec, master.node).toBeGreaterThan(0);
      // Each change is delivered to the servers that follow the user: at least one.
      expect(master.deliveriesPerSec, master.node).toBeGreaterThanOrEqual(master.publishesPerSec);
      expect(master.cpuCores, master.node).toBeGreaterThanOrEqual(0);
    }
    expect(readFileSync(join(out, "redis-scaling.md"), "utf8")).toContain("CPU-s per 1,000 changes");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 150_000);
