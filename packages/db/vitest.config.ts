import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts its own servers and databases; two cores do not like many at once.
    maxWorkers: 2,
    // .ci/run adds these up into its closing line.
    reporters: ["default", "json"],
    outputFile: { json: "../../.reports/db.json" },
  },
});
