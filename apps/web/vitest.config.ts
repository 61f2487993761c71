import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // Browser tests share one machine's two cores with a server and an in-memory PostgreSQL.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Browser tests wait on what a person would see; on a busy machine that can take seconds.
    expect: { poll: { timeout: 20_000, interval: 100 } },
    // Same report as the shared @herald/vitest-config writes, so .ci/run counts these tests too.
    reporters: ["default", "json"],
    outputFile: { json: "../../.reports/web.json" },
  },
});
