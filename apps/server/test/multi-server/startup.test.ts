/** docs/protocol.md §4: a Redis that does not answer at start is a configuration mistake, said plainly. */
import { createScratchDatabase } from "@herald/db/testing";
import { expect, it } from "vitest";
import { TEST_AUTH_SECRET } from "../../src/testing/index.js";
import { freePort, startServerProcess } from "./cluster.js";

it.each([
  { variable: "REDIS_URL", value: (port: number) => `redis://127.0.0.1:${port}` },
  { variable: "REDIS_CLUSTER_NODES", value: (port: number) => `127.0.0.1:${port}` },
])("exits non-zero naming $variable when Redis does not answer at start", async ({ variable, value }) => {
  const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL);
  try {
    const nobody = await freePort();
    const started = startServerProcess("no-redis", {
      PORT: "0",
      DATABASE_URL: scratch.url,
      [variable]: value(nobody),
      AUTH_SECRET: TEST_AUTH_SECRET,
      LOG_LEVEL: "warn",
    });
    await expect(started).rejects.toThrow(new RegExp(`exited \\(1\\) before listening:[\\s\\S]*${variable}`));
  } finally {
    await scratch.drop();
  }
});
