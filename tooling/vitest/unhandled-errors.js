// A Vitest reporter that writes the run's unhandled errors (a rejection or throw outside any test)
// next to the JSON report. Vitest fails the run for them, but its JSON report says nothing of
// them, so without this .ci/run's closing line would read "0 failed" for a run that failed, and the
// error itself would be lost far up a long log.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** @implements {import("vitest/node").Reporter} */
export class UnhandledErrorsReporter {
  /** @param {string} file where the errors go; removed when there are none */
  constructor(file) {
    this.file = file;
  }

  /** @param {unknown} _modules @param {ReadonlyArray<import("vitest/node").SerializedError>} errors */
  onTestRunEnd(_modules, errors) {
    rmSync(this.file, { force: true });
    if (errors.length === 0) return;
    // Vitest marks each with the test file and the test that was running when it was thrown.
    const described = errors.map((error) => ({
      name: error.name,
      message: error.message,
      stack: error.stack,
      testFile: error["VITEST_TEST_PATH"],
      lastTest: error["VITEST_TEST_NAME"],
    }));
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(described, null, 2));
  }
}
