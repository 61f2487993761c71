/** docs/protocol.md §4: a Redis that does not answer at start is a configuration mistake, said plainly. */
import { createScratchDatabase } from "@herald/db/testing";
import { expect, it } from "vitest";
import { TEST_AUTH_SECRET } from "../../src/testing/index.js";
import { freePort, startServerProcess } from "./cluster.js";

it("exits non-zero naming REDIS_URL when Redis does not answer at start", async () => {
  const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL);
  try {
    const nobody = await freePort();
    const started = startServerProcess("no-redis", {
      PORT: "0",
      DATABASE_URL: scratch.url,
      REDIS_URL: `redis://127.0.0.1:${nobody}`,
      AUTH_SECRET: TEST_AUTH_SECRET,
      LOG_LEVEL: "warn",
    });
    await expect(started).rejects.toThrow(/exited \(1\) before listening:[\s\S]*REDIS_URL/);
  } finally {
    await scratch.drop();
  }
});
