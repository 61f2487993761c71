/**
 * One suite, two runtimes: every test file runs under Node 20 and in Chromium (Vitest browser mode
 * on Debian's /usr/bin/chromium), against real Herald servers that the control server
 * (test/harness/control-server.ts) starts in Node for both.
 */
import { chromiumLaunchOptions, heraldTestConfig } from "@herald/vitest-config";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig, mergeConfig } from "vitest/config";

/** Files that only make sense in Node: they bundle or spawn processes. */
const NODE_ONLY = ["test/node/**/*.test.ts"];

export default mergeConfig(
  heraldTestConfig("client", {
    // Each file starts its own servers; two cores do not like many at once, and the
    // reconnect and TTL tests are about timing.
    fileParallelism: false,
    globalSetup: ["test/harness/control-server.ts"],
  }),
  defineConfig({
    // heraldTestConfig resolves workspace packages to their source (the @herald/source condition)
    // for both projects. Its "node" condition reaches the browser build too; nothing the suite
    // bundles for Chromium has node-specific exports (the bundle test checks the browser build).
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: "node",
            environment: "node",
            // One runtime after the other: every server lives in this one process (the control
            // server's), and the heartbeat test is about timing on two shared cores.
            sequence: { groupOrder: 0 },
            include: ["test/**/*.test.ts"],
            setupFiles: ["test/harness/node-websocket.ts"],
          },
        },
        {
          extends: true,
          test: {
            name: "chromium",
            sequence: { groupOrder: 1 },
            include: ["test/**/*.test.ts"],
            exclude: NODE_ONLY,
            browser: {
              enabled: true,
              headless: true,
              provider: playwright({ launchOptions: chromiumLaunchOptions() }),
              instances: [{ browser: "chromium" }],
            },
          },
        },
      ],
    },
  }),
);
