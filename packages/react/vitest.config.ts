/**
 * The hooks run where they are used: in Chromium (Vitest browser mode on Debian's /usr/bin/chromium),
 * against real Herald servers. The servers come from @herald/client's test harness, reused as is:
 * its control server (started here as global setup) runs them in Node for the browser.
 */
import { chromiumLaunchOptions, heraldTestConfig } from "@herald/vitest-config";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig, mergeConfig } from "vitest/config";

/** Workspace packages from their source, then Vite's default client conditions: these tests run in a browser. */
const BROWSER_CONDITIONS = ["@herald/source", "module", "browser", "development|production"];

const shared = heraldTestConfig("react", {
  include: ["test/**/*.test.{ts,tsx}"],
  // Each file starts its own server; two cores do not like many at once.
  fileParallelism: false,
  globalSetup: ["../client/test/harness/control-server.ts"],
  // What a person would see can take seconds to show on a busy machine.
  expect: { poll: { timeout: 20_000, interval: 50 } },
});

export default mergeConfig(
  // The shared conditions are Node's; replaced (merging would add to them).
  { ...shared, resolve: { ...shared.resolve, conditions: BROWSER_CONDITIONS } },
  defineConfig({
    test: {
      browser: {
        enabled: true,
        headless: true,
        // A failing test's screenshot would land in test/__screenshots__; the error says enough.
        screenshotFailures: false,
        provider: playwright({ launchOptions: chromiumLaunchOptions() }),
        instances: [{ browser: "chromium" }],
      },
    },
  }),
);
