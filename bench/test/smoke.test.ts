/**
 * The bench harness end to end, tiny and against the floor only (a Herald server needs 5–15 s
 * just to start PGlite here): generators, IPC, loss accounting, reports.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { expect, test } from "vitest";
import { BENCH_DIR } from "../src/children.js";
import type { BenchResult } from "../src/report.js";

test("a tiny run against the floor measures every delivery, without loss", () => {
  const out = mkdtempSync(join(tmpdir(), "herald-bench-smoke-"));
  const run = spawnSync(
    process.execPath,
    [
      "--conditions=@herald/source",
      "--import",
      "tsx",
      join(BENCH_DIR, "src/run.ts"),
      "--users",
      "12",
      "--friends",
      "4",
      "--rates",
      "50",
      "--step-ms",
      "500",
      "--drain-ms",
      "1000",
      "--targets",
      "floor",
      "--idle",
      "24",
      "--idle-hold-ms",
      "200",
      "--out",
      out,
    ],
    { cwd: BENCH_DIR, encoding: "utf8", timeout: 18_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  const result = JSON.parse(readFileSync(join(out, "custom.json"), "utf8")) as BenchResult;
  expect(result.targets.map((t) => t.name)).toEqual(["floor"]);
  for (const target of result.targets) {
    const [step] = target.steps;
    expect(step!.lost, target.name).toBe(0);
    expect(step!.received, target.name).toBe(step!.expectedDeliveries);
    expect(step!.p99, target.name).not.toBeNull();
    expect(step!.stealCores, target.name).toBeGreaterThanOrEqual(0);
    expect(target.idle!.stillOpen, target.name).toBe(24);
  }
  expect(readFileSync(join(out, "custom.svg"), "utf8")).toContain("<svg");
  rmSync(out, { recursive: true, force: true });
}, 20_000);
