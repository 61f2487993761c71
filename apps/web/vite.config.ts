import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig, type Plugin } from "vite";

/** Where `pnpm dev` finds the API: the Herald server, by default on its default port. */
const apiTarget = process.env.HERALD_API_URL ?? "http://127.0.0.1:3000";

const WEB_ROOT = dirname(fileURLToPath(import.meta.url));
/** Next to dist, never in it: the server serves dist, and maps would hand out the client's source. */
export const SOURCE_MAPS_DIR = join(WEB_ROOT, "dist-sourcemaps");

/** Moves the build's (hidden) source maps from dist to SOURCE_MAPS_DIR once they are written. */
function sourceMapsOutsideDist(): Plugin {
  let outDir = join(WEB_ROOT, "dist");
  return {
    name: "herald:source-maps-outside-dist",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    buildStart() {
      rmSync(SOURCE_MAPS_DIR, { recursive: true, force: true });
    },
    writeBundle() {
      const move = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) move(path);
          else if (entry.name.endsWith(".map")) {
            const target = join(SOURCE_MAPS_DIR, relative(outDir, path));
            mkdirSync(dirname(target), { recursive: true });
            renameSync(path, target);
          }
        }
      };
      move(outDir);
    },
  };
}

export default defineConfig({
  plugins: [react(), sourceMapsOutsideDist()],
  // Workspace packages from their TypeScript source, in dev and in the build alike.
  resolve: { conditions: ["@herald/source", ...defaultClientConditions] },
  server: {
    proxy: {
      // One path for both: HTTP calls (sign-in) and the WebSocket upgrade for everything else.
      "/trpc": { target: apiTarget, ws: true, changeOrigin: true },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Maps are written but not linked from the bundle, and moved out of dist (above): they let the
    // bundle test name every module that went in (and help debugging) without shipping them.
    sourcemap: "hidden",
  },
});
