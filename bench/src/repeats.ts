/**
 * `pnpm bench --repeat N`: the same targets run N times in one invocation, and each headline
 * figure reported as its median with the range across runs. One run on a shared VM cannot be
 * trusted alone (the floor's own speed has varied 1.6× between runs here); a median of runs that
 * each measured the floor beside Herald can.
 */
import { cpuPerDelivery, type StepResult, type TargetResult } from "./report.js";

export interface RepeatedFigure {
  median: number | null;
  min: number | null;
  max: number | null;
}

export interface RepeatedTarget {
  name: string;
  label: string;
  runs: number;
  maxSustainedDeliveriesPerSec: RepeatedFigure;
  p99At200: RepeatedFigure;
  p99At1000: RepeatedFigure;
  /** Server CPU per status change at 200 changes/s, ms (issue 14's goal: ≤ 1.5 ms). */
  cpuPerChangeAt200Ms: RepeatedFigure;
  /** Server CPU per delivery at 1,000 changes/s, µs (goal: ≤ 1.5× the floor's). */
  cpuPerDeliveryAt1000Micros: RepeatedFigure;
  /** The worst event-loop delay of the servers in the 200 and 1,000 changes/s steps, ms. */
  loopDelayMaxAt200: RepeatedFigure;
  loopDelayMaxAt1000: RepeatedFigure;
  connectPerSec: RepeatedFigure;
  idleHeapPerConnBytes: RepeatedFigure;
  /** Per run, the most CPU the host took in one step (cores): a run that had it is slower than the machine. (Absent before 2026-12-07.) */
  worstStealCores?: RepeatedFigure;
  /** Runs in which the target passed the top rate, so its max sustained there is only a lower bound. (Absent before session 27.) */
  topRatePassedRuns?: number;
}

/** Per target (in the order first seen), each figure's median and range over the runs that reached it. */
export function summarizeRepeats(runs: readonly TargetResult[][], topRate: number): RepeatedTarget[] {
  const byName = new Map<string, TargetResult[]>();
  for (const run of runs) for (const target of run) byName.set(target.name, [...(byName.get(target.name) ?? []), target]);
  return [...byName.values()].map((results) => ({
    name: results[0]!.name,
    label: results[0]!.label,
    runs: results.length,
    maxSustainedDeliveriesPerSec: figure(results.map((t) => t.maxSustainedDeliveriesPerSec)),
    p99At200: figure(results.map((t) => stepAt(t, 200)?.p99 ?? null)),
    p99At1000: figure(results.map((t) => stepAt(t, 1000)?.p99 ?? null)),
    cpuPerChangeAt200Ms: figure(results.map((t) => cpuPerChangeMs(stepAt(t, 200)))),
    cpuPerDeliveryAt1000Micros: figure(results.map((t) => (stepAt(t, 1000) ? cpuPerDelivery(stepAt(t, 1000)!) : null))),
    loopDelayMaxAt200: figure(results.map((t) => stepAt(t, 200)?.loopDelayMax ?? null)),
    loopDelayMaxAt1000: figure(results.map((t) => stepAt(t, 1000)?.loopDelayMax ?? null)),
    connectPerSec: figure(results.map((t) => t.connectPerSec)),
    idleHeapPerConnBytes: figure(results.map((t) => t.idle?.heapPerConnBytes ?? null)),
    worstStealCores: figure(results.map((t) => Math.max(0, ...t.steps.map((step) => step.stealCores ?? 0)))),
    topRatePassedRuns: results.filter((t) => t.maxSustainedAtRate === topRate).length,
  }));
}

function stepAt(target: TargetResult, rate: number): StepResult | undefined {
  return target.steps.find((step) => step.rate === rate);
}

/** Server CPU per status change in a step, ms. */
export function cpuPerChangeMs(step: StepResult | undefined): number | null {
  return step && step.changesPerSec > 0 ? (step.serverCores * 1000) / step.changesPerSec : null;
}

/** The median and range of the values known. */
export function figure(values: ReadonlyArray<number | null | undefined>): RepeatedFigure {
  const known = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (known.length === 0) return { median: null, min: null, max: null };
  const middle = Math.floor(known.length / 2);
  const median = known.length % 2 === 1 ? known[middle]! : (known[middle - 1]! + known[middle]!) / 2;
  return { median, min: known[0]!, max: known.at(-1)! };
}
