import { heraldTestConfig } from "@herald/vitest-config";
import { mergeConfig } from "vitest/config";

export default mergeConfig(heraldTestConfig("protocol"), {
  // Tests run on the workspace packages' source, not on their build.
  resolve: { conditions: ["@herald/source"] },
});
