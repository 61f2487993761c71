import { heraldTestConfig } from "@herald/vitest-config";
import { mergeConfig } from "vitest/config";

export default mergeConfig(heraldTestConfig("example-node-client"), {
  // The test's own server runs on source; the script under test runs on the compiled client (plain node).
  resolve: { conditions: ["@herald/source"] },
});
