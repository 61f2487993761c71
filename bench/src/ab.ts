/**
 * `pnpm --filter @herald/bench ab <git-ref> [--pairs N] --targets … [other bench flags]`: the
 * working tree against an earlier commit, on this machine, in one invocation — the before/after
 * that every optimization's commit message carries (issue 14).
 *
 * The commit is checked out in a temporary worktree (dependencies installed offline from the
 * store); then the two run the same custom bench in alternating pairs, before→after then
 * after→before, so a machine that speeds up or slows down over the minutes (it does, here) weighs
 * on both sides alike. Prints each side's runs and medians per target and step: server CPU per
 * change, p99 and event-loop delay, and CPU per connect. The worktree is removed at the end.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_DIR } from "./children.js";
import { readFlags, positiveNumber } from "./flags.js";
import type { BenchResult } from "./report.js";
import { parseOptions } from "./run.js";
import { abTable } from "./ab-table.js";

const args = process.argv.slice(2);
const ref = args[0];
if (!ref || ref.startsWith("--"))
  throw new Error("usage: ab <git-ref> [--pairs N] --targets … [bench flags]: name the commit to compare with");
const pairs = positiveNumber(readFlags(args.slice(1)), "pairs", 2);
const benchArgs = withoutPairs(args.slice(1));
// The bench's own reading of the flags (which also refuses unknown targets before anything runs).
const options = parseOptions(benchArgs);
// A custom run writes results/custom.json, which git ignores; a full or quick one would rewrite committed results.
if (options.mode !== "custom") throw new Error("ab runs a custom bench: name --targets (and --rates, --step-ms …), not --quick");
if (options.repeat !== 1) throw new Error("ab repeats by itself (--pairs N): leave --repeat out");
if (benchArgs.includes("--out")) throw new Error("ab reads each side's bench/results/custom.json: leave --out out");

const after = join(BENCH_DIR, "..");
const before = mkdtempSync(join(tmpdir(), "herald-ab-"));
run("git", ["worktree", "add", "--detach", before, ref], after);
const removeWorktree = () => run("git", ["worktree", "remove", "--force", before], after);
// Interrupted (Ctrl-C reaches the bench too, which ends first): the worktree goes all the same.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    removeWorktree();
    process.exit(130);
  });
}
try {
  run("pnpm", ["install", "--offline", "--frozen-lockfile"], before);
  const results: Record<"before" | "after", BenchResult[]> = { before: [], after: [] };
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? (["before", "after"] as const) : (["after", "before"] as const);
    for (const side of order) {
      process.stderr.write(`\n== ${side} (${side === "before" ? ref : "working tree"}), pair ${pair + 1} of ${pairs}\n`);
      const root = side === "before" ? before : after;
      run("pnpm", ["--filter", "@herald/bench", "bench", "--no-md", ...benchArgs], root);
      results[side].push(JSON.parse(readFileSync(join(root, "bench", "results", "custom.json"), "utf8")) as BenchResult);
    }
  }
  console.log(
    `\nA/B: ${ref} (before) against the working tree (after), ${pairs} alternating pairs of \`pnpm bench ${benchArgs.join(" ")}\`\n`,
  );
  console.log(abTable(results.before, results.after));
} finally {
  removeWorktree();
}

function run(command: string, commandArgs: string[], cwd: string): void {
  const { status, error } = spawnSync(command, commandArgs, { cwd, stdio: ["ignore", "inherit", "inherit"] });
  if (error || status !== 0)
    throw new Error(`${command} ${commandArgs.join(" ")} (in ${cwd}) failed: ${error?.message ?? `exit ${status}`}`);
}

function withoutPairs(list: string[]): string[] {
  const at = list.indexOf("--pairs");
  return at < 0 ? list : [...list.slice(0, at), ...list.slice(at + 2)];
}
