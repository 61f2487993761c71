/** The A/B's report (ab.ts): each side's runs and their median, per target and step. */
import type { BenchResult, StepResult, TargetResult } from "./report.js";
import { cpuPerChangeMs, figure } from "./repeats.js";

interface Row {
  what: string;
  before: number[];
  after: number[];
  digits: number;
}

export function abTable(before: readonly BenchResult[], after: readonly BenchResult[]): string {
  const rows: Row[] = [];
  const names = [...new Set(before.flatMap((run) => run.targets.map((t) => t.name)))];
  for (const name of names) {
    const targetsOf = (runs: readonly BenchResult[]) => runs.flatMap((run) => run.targets.filter((t) => t.name === name));
    const [b, a] = [targetsOf(before), targetsOf(after)];
    const perTarget = (what: string, pick: (t: TargetResult) => number | null | undefined, digits = 0) =>
      rows.push({ what: `${name}: ${what}`, before: numbers(b.map(pick)), after: numbers(a.map(pick)), digits });
    perTarget("CPU per connect + subscribe, µs", (t) => t.connectCpuMicros);
    perTarget("connects/s", (t) => t.connectPerSec);
    const rates = [...new Set(b.flatMap((t) => t.steps.map((s) => s.rate)))];
    for (const rate of rates) {
      const perStep = (what: string, pick: (s: StepResult) => number | null, digits: number) =>
        rows.push({
          what: `${name} at ${rate}/s: ${what}`,
          before: numbers(b.map((t) => stepOf(t, rate, pick))),
          after: numbers(a.map((t) => stepOf(t, rate, pick))),
          digits,
        });
      perStep("server cores", (s) => s.serverCores, 2);
      perStep("server CPU per change, ms", cpuPerChangeMs, 2);
      perStep("p99, ms", (s) => s.p99, 1);
      perStep("event-loop delay max, ms", (s) => s.loopDelayMax, 1);
      perStep("lost", (s) => s.lost, 0);
    }
  }
  const lines = ["| figure | before (runs) | after (runs) | median before → after | after / before |", "| --- | --- | --- | --- | --- |"];
  for (const row of rows) {
    const [mb, ma] = [figure(row.before).median, figure(row.after).median];
    const ratio = mb !== null && ma !== null && mb !== 0 ? `${(ma / mb).toFixed(2)}×` : "–";
    const list = (values: number[]) => values.map((v) => v.toFixed(row.digits)).join(" / ") || "–";
    const shown = (value: number | null) => (value === null ? "–" : value.toFixed(row.digits));
    lines.push(`| ${row.what} | ${list(row.before)} | ${list(row.after)} | ${shown(mb)} → ${shown(ma)} | ${ratio} |`);
  }
  return lines.join("\n");
}

function stepOf(target: TargetResult, rate: number, pick: (s: StepResult) => number | null): number | null {
  const step = target.steps.find((s) => s.rate === rate);
  return step ? pick(step) : null;
}

function numbers(values: ReadonlyArray<number | null | undefined>): number[] {
  return values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
}
