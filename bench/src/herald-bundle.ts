/**
 * The bench's server wrapper (herald-server.ts, which answers the control channel) bundled as
 * `pnpm start`'s server is bundled (apps/server/build.mjs): one ES module that plain node runs,
 * with no TypeScript compiled as it starts. The storm restarts this, as a deployment restarts
 * `apps/server/dist/main.js`: through `tsx` the same server took 1.3–1.5 s to be ready on an idle
 * machine, the bundle 0.6 s, and the restart is part of what the storm measures.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BENCH_DIR } from "./children.js";

const SERVER_DIR = join(BENCH_DIR, "..", "apps", "server");

/** Bundles the wrapper from the current source and says where it is. */
export async function bundleHeraldServer(): Promise<string> {
  // Inside apps/server, so that the bundle's npm imports resolve from the server's own dependencies.
  const outDir = join(SERVER_DIR, "dist", "bench");
  const build = (await import(pathToFileURL(join(SERVER_DIR, "build.mjs")).href)) as {
    bundle(entry: string, outDir: string, name: string): Promise<void>;
  };
  await build.bundle(join(BENCH_DIR, "src", "herald-server.ts"), outDir, "herald-server.js");
  return join(outDir, "herald-server.js");
}
