/**
 * The server the storm restarts: the bench's wrapper bundled as `pnpm start`'s server is
 * (herald-bundle.ts), run by plain node. It must start, serve, and answer the bench's control
 * channel; a bundle that cannot (an npm import apps/server does not declare, a migration not
 * copied) would fail only in the middle of a full `pnpm bench`.
 */
import { createScratchDatabase } from "@herald/db/testing";
import { expect, test } from "vitest";
import { Child } from "../src/children.js";
import { bundleHeraldServer } from "../src/herald-bundle.js";

test("the bundled server wrapper starts under plain node, serves, and stops on the control channel", async () => {
  const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL);
  const server = new Child(
    "bundled-herald",
    await bundleHeraldServer(),
    [
      JSON.stringify({
        port: 0,
        host: "127.0.0.1",
        dataDir: null,
        databaseUrl: scratch.url,
        authSecret: "bench-bundle-test-0123456789abcdef",
        logLevel: "warn",
        rateLimits: false,
      }),
    ],
    { bundled: true },
  );
  try {
    const { url } = await server.ready;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    // The control channel, which the runner drives (a forced GC answers the heap in use).
    const { heapUsed } = await server.request<{ heapUsed: number }>({ type: "gc" });
    expect(heapUsed).toBeGreaterThan(1024 * 1024);
    await server.stop();
    expect(server.process.exitCode).toBe(0);
  } finally {
    await server.stop();
    await scratch.drop();
  }
}, 60_000);
