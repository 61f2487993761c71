// The Vitest settings every package shares; `reportName` names its JSON report for .ci/run.
// Plain JavaScript: Vitest loads config dependencies from node_modules without compiling them.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { UnhandledErrorsReporter } from "./unhandled-errors.js";

// The repository's .reports/, wherever the package sits.
const REPORTS_DIR = fileURLToPath(new URL("../../.reports/", import.meta.url));

// Vite's default server conditions (`defaultServerConditions`), after ours: setting conditions replaces them.
const SOURCE_CONDITIONS = ["@herald/source", "module", "node", "development|production"];

/** @param {string} reportName @param {import("vitest/node").TestUserConfig} [test] */
export function heraldTestConfig(reportName, test = {}) {
  return defineConfig({
    // Workspace packages run from their TypeScript source in tests (see tooling/tsconfig/build.json).
    resolve: { conditions: SOURCE_CONDITIONS },
    ssr: { resolve: { conditions: SOURCE_CONDITIONS, externalConditions: SOURCE_CONDITIONS } },
    test: {
      include: ["test/**/*.test.ts"],
      testTimeout: 60_000,
      hookTimeout: 180_000,
      // Test files start their own servers and databases; two cores do not like many at once.
      maxWorkers: 2,
      // .ci/run adds these reports up into its closing line, unhandled errors included.
      reporters: ["default", "json", new UnhandledErrorsReporter(`${REPORTS_DIR}${reportName}.unhandled-errors.json`)],
      outputFile: { json: `${REPORTS_DIR}${reportName}.json` },
      ...test,
    },
  });
}

/**
 * How the browser tests launch Chromium here: Debian's /usr/bin/chromium (or CHROMIUM_PATH), with
 * the flags that work on these machines (no sandbox, no GPU, no background traffic). For
 * playwright's `launch`/`launchPersistentContext` and Vitest browser mode's playwright provider alike.
 */
export function chromiumLaunchOptions() {
  return {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  };
}
