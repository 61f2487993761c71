/** The built web app the test server serves; built once if missing (root `pnpm test` builds it first). */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const WEB_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const WEB_DIST = fileURLToPath(new URL("../../../dist/", import.meta.url));
/** The build's source maps: kept out of WEB_DIST (see vite.config.ts), so never served. */
export const WEB_SOURCE_MAPS = fileURLToPath(new URL("../../../dist-sourcemaps/", import.meta.url));

export function ensureWebBuilt(): string {
  if (!existsSync(`${WEB_DIST}index.html`)) {
    execFileSync(fileURLToPath(new URL("../../../node_modules/.bin/vite", import.meta.url)), ["build", "--logLevel", "warn"], {
      cwd: WEB_ROOT,
      stdio: "inherit",
    });
  }
  return WEB_DIST;
}
