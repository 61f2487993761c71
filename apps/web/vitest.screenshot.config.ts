/**
 * `pnpm --filter @herald/web screenshot`: regenerates docs/screenshot.png (not part of `pnpm test`).
 * The shared config resolves workspace packages to their source, as the tests do, so a stale
 * build of one (say @herald/db before a migration) cannot end up in the picture.
 */
import { heraldTestConfig } from "@herald/vitest-config";

export default heraldTestConfig("web-screenshot", {
  include: ["test/screenshot/*.shot.ts"],
  environment: "node",
  testTimeout: 120_000,
  hookTimeout: 180_000,
  // Not a test run: nothing for .ci/run to add up.
  reporters: ["default"],
});
