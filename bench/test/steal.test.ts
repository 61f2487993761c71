/**
 * CPU steal (time the hypervisor gave other guests) makes a run slower than the machine: a run
 * that had it says so above its tables, and one that did not (or predates the measure) does not.
 */
import { expect, test } from "vitest";
import { stealWarning, type BenchResult } from "../src/report.js";

const runWith = (steals: Array<number | undefined>) =>
  ({ machine: { cpus: 2 }, targets: [{ steps: steals.map((stealCores) => ({ stealCores })) }] }) as unknown as BenchResult;

test("a run whose host stole CPU time is flagged with the average and the worst step; others are not", () => {
  expect(stealWarning(runWith([0.5, 0.1, 0.3]))).toMatch(
    /^\*\*CPU steal:\*\* the host took 0\.30 cores on average \(up to 0\.50 in a step\) of this VM's 2 /,
  );
  expect(stealWarning(runWith([0, 0.01, 0.04]))).toBeNull();
  expect(stealWarning(runWith([undefined, undefined]))).toBeNull();
});

test("with --repeat, a steal in an earlier run is flagged too, though the last run had none", () => {
  const repeated = { ...runWith([0, 0.01]), repeats: [{ worstStealCores: { median: 0.02, min: 0, max: 0.13 } }] } as unknown as BenchResult;
  expect(stealWarning(repeated)).toMatch(/cores on average in the last run's steps \(up to 0\.13 in a step of any run\)/);
  const quiet = { ...runWith([0, 0.01]), repeats: [{ worstStealCores: { median: 0, min: 0, max: 0.02 } }, {}] } as unknown as BenchResult;
  expect(stealWarning(quiet)).toBeNull();
});
