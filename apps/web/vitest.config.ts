import { heraldTestConfig } from "@herald/vitest-config";

export default heraldTestConfig("web", {
  environment: "node",
  // Browser tests share one machine's two cores with a server and an in-memory PostgreSQL.
  fileParallelism: false,
  testTimeout: 120_000,
  // Browser tests wait on what a person would see; on a busy machine that can take seconds.
  expect: { poll: { timeout: 20_000, interval: 100 } },
});
