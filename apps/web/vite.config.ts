import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** Where `pnpm dev` finds the API: the Herald server, by default on its default port. */
const apiTarget = process.env.HERALD_API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      // One path for both: HTTP calls (sign-in) and the WebSocket upgrade for everything else.
      "/trpc": { target: apiTarget, ws: true, changeOrigin: true },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Maps are written but not linked from the bundle: they let the bundle test name every module
    // that went in (and help debugging) without shipping a reference to them.
    sourcemap: "hidden",
  },
});
