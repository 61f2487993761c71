// Adds up the vitest JSON reports that every package writes into .reports/ (and the unhandled
// errors beside them) and prints the one line CI reads. Exits non-zero when a test failed or none ran.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const dir = process.argv[2] ?? ".reports";

// CI keeps only the tail of a long log: each failure is named here, next to the closing line,
// with its message and the first stack line in the project's own code, so that a rare failure
// can be told from the log CI kept. (A timeout's message reads only "STACK_TRACE_ERROR" in
// Vitest's JSON; its duration tells it apart.)
const MESSAGE_LINES = 10;
function printFailure(what, message, durationMs) {
  console.log(`failed: ${what}${durationMs === undefined ? "" : ` (after ${Math.round(durationMs)} ms)`}`);
  const lines = String(message ?? "").split("\n");
  const text = lines.filter((line) => !/^\s+at /.test(line) && line.trim() !== "").slice(0, MESSAGE_LINES);
  const ownFrame = lines.find((line) => /^\s+at /.test(line) && !/node_modules|node:internal/.test(line));
  for (const line of ownFrame ? [...text, ownFrame.trim()] : text) console.log(`  ${line}`);
}
let passed = 0;
let failed = 0;
let skipped = 0;
const UNHANDLED = ".unhandled-errors.json";
const names = existsSync(dir) ? readdirSync(dir) : [];
const files = names.filter((name) => name.endsWith(".json") && !name.endsWith(UNHANDLED));
for (const name of files) {
  const report = JSON.parse(readFileSync(join(dir, name), "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const file of report.testResults ?? []) {
    const where = relative(process.cwd(), file.name ?? "");
    // A file that failed to load, or whose beforeAll/afterAll threw, has no failed test (its
    // tests are absent or skipped) but is a failure all the same.
    if (file.status === "failed" && !(file.assertionResults ?? []).some((test) => test.status === "failed")) {
      failed += 1;
      printFailure(`${where} failed outside its tests (did not load, or a hook threw)`, file.message);
    }
    for (const test of file.assertionResults ?? []) {
      if (test.status === "failed") printFailure(`${where} > ${test.fullName ?? test.title}`, test.failureMessages?.[0], test.duration);
    }
  }
}
// Errors outside any test fail the run too (Vitest exits 1 for them); each counts as one failure,
// printed here so it is next to the closing line rather than lost far up the log.
for (const name of names.filter((name) => name.endsWith(UNHANDLED))) {
  const errors = JSON.parse(readFileSync(join(dir, name), "utf8"));
  failed += errors.length;
  for (const error of errors) {
    const where = [error.testFile, error.lastTest && `after or during "${error.lastTest}"`].filter(Boolean).join(", ");
    console.log(`unhandled error in ${name.slice(0, -UNHANDLED.length)}${where ? ` (${where})` : ""}:`);
    console.log(error.stack ?? `${error.name}: ${error.message}`);
  }
}
console.log(`herald: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
