/** `pnpm --filter @herald/web screenshot`: regenerates docs/screenshot.png (not part of `pnpm test`). */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/screenshot/*.shot.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
