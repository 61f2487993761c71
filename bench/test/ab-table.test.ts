import { describe, expect, it } from "vitest";
import { abTable } from "../src/ab-table.js";
import type { BenchResult, StepResult, TargetResult } from "../src/report.js";

function step(rate: number, serverCores: number, p99: number): StepResult {
  return { rate, changesPerSec: rate, deliveredPerSec: rate * 20, serverCores, p99, loopDelayMax: 10, lost: 0 } as StepResult;
}

function run(connectCpuMicros: number | undefined, steps: StepResult[]): BenchResult {
  const target = { name: "embedded", label: "Herald embedded", connectPerSec: 400, connectCpuMicros, steps } as TargetResult;
  return { targets: [target] } as unknown as BenchResult;
}

/** The table's row for `what`, as its cells. */
function row(table: string, what: string): string[] {
  const line = table.split("\n").find((l) => l.startsWith(`| ${what} |`));
  if (!line) throw new Error(`no row ${what} in\n${table}`);
  return line
    .split("|")
    .slice(2, -1)
    .map((cell) => cell.trim());
}

describe("the A/B table", () => {
  it("shows each side's runs, their medians and the ratio, per target and step", () => {
    const table = abTable(
      [
        run(2500, [step(200, 0.3, 8), step(1000, 0.96, 80)]),
        run(2400, [step(200, 0.32, 9), step(1000, 0.98, 90)]),
        run(2600, [step(200, 0.34, 7)]),
      ],
      [run(2000, [step(200, 0.27, 7), step(1000, 0.9, 60)]), run(2200, [step(200, 0.25, 6), step(1000, 0.92, 70)])],
    );
    expect(row(table, "embedded: CPU per connect + subscribe, µs")).toEqual(["2500 / 2400 / 2600", "2000 / 2200", "2500 → 2100", "0.84×"]);
    expect(row(table, "embedded at 200/s: server cores")).toEqual(["0.30 / 0.32 / 0.34", "0.27 / 0.25", "0.32 → 0.26", "0.81×"]);
    expect(row(table, "embedded at 200/s: server CPU per change, ms")).toEqual([
      "1.50 / 1.60 / 1.70",
      "1.35 / 1.25",
      "1.60 → 1.30",
      "0.81×",
    ]);
    // A step one run did not reach counts only the runs that reached it.
    expect(row(table, "embedded at 1000/s: p99, ms")).toEqual(["80.0 / 90.0", "60.0 / 70.0", "85.0 → 65.0", "0.76×"]);
  });

  it("shows a dash where the older commit's results lack a figure", () => {
    const table = abTable([run(undefined, [step(200, 0.3, 8)])], [run(2000, [step(200, 0.27, 7)])]);
    expect(row(table, "embedded: CPU per connect + subscribe, µs")).toEqual(["–", "2000", "– → 2000", "–"]);
  });
});
