/**
 * A target that passed the run's top rate never reached its limit: the report says its max
 * sustained is only a lower bound (and a ratio to it an upper bound), and says nothing otherwise.
 */
import { expect, test } from "vitest";
import { summarizeRepeats } from "../src/repeats.js";
import { topRateWarning, type BenchResult, type TargetResult } from "../src/report.js";

const target = (label: string, maxSustainedAtRate: number | null) =>
  ({ name: label, label, steps: [], maxSustainedAtRate, maxSustainedDeliveriesPerSec: 0 }) as unknown as TargetResult;
const run = (targets: TargetResult[], repeats?: BenchResult["repeats"]) =>
  ({ scenario: { rates: [200, 1000, 6000] }, targets, ...(repeats ? { repeats } : {}) }) as unknown as BenchResult;

test("a target that passed the top rate is flagged as a lower bound; one that failed below it is not", () => {
  expect(topRateWarning(run([target("floor", 6000), target("Herald", 1000)]))).toBe(
    "**Top rate passed:** floor passed the run's top rate (6,000 changes/s): its max sustained is only a lower bound there, " +
      "and a ratio to it only an upper bound. Higher `--rates` measure it.",
  );
  expect(topRateWarning(run([target("floor", 1000), target("Herald", null)]))).toBeNull();
});

test("with --repeat, it counts the runs that passed the top rate", () => {
  const runs = [[target("floor", 6000)], [target("floor", 1000)], [target("floor", 6000)]];
  const repeats = summarizeRepeats(runs, 6000);
  expect(repeats[0]!.topRatePassedRuns).toBe(2);
  expect(topRateWarning(run(runs[2]!, repeats))).toMatch(/^\*\*Top rate passed:\*\* floor \(in 2 of 3 runs\) passed/);
  expect(topRateWarning(run(runs[1]!, summarizeRepeats([runs[1]!], 6000)))).toBeNull();
});
