/**
 * `pnpm --filter @herald/server build`: the server as plain JavaScript, for the production image
 * (Dockerfile) and `pnpm start`.
 *
 * - dist/main.js: src/main.ts and the workspace packages it imports (@herald/*, from their
 *   TypeScript source through the `@herald/source` export condition) bundled into one ES module; every npm package stays an import, resolved
 *   at run time from this package's node_modules. So each npm package the bundle imports must be
 *   in this package's `dependencies` (the image installs those alone): the build fails naming
 *   any that is not.
 * - dist/migrations: packages/db's migrations, where @herald/db looks for them when bundled
 *   (see `findMigrationsFolder` in packages/db/src/client.ts).
 *
 * The web app is not part of it: the server serves apps/web/dist, two levels up from dist/ as
 * from src/ (see static-files.ts).
 */
import { cpSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const manifest = JSON.parse(readFileSync(here("./package.json"), "utf8"));
const dependencies = manifest.dependencies ?? {};

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Bundles workspace packages; leaves every npm package external, and notes undeclared ones. */
function externals(undeclared) {
  return {
    name: "herald:externals",
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const name = packageName(args.path);
        if (name.startsWith("@herald/")) return undefined; // workspace source: bundled
        if (!(name in dependencies)) undeclared.add(`${name} (imported by ${args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * Bundles `entry` into `<outDir>/<name>`, with the migrations in `<outDir>/migrations`. Also used
 * by the bench (bench/src/herald-bundle.ts), which restarts its server wrapper as production
 * restarts this one. The bundle's npm imports resolve from this package's node_modules, so
 * `outDir` must be inside it.
 */
export async function bundle(entry, outDir, name) {
  const undeclared = new Set();
  await build({
    entryPoints: [entry],
    outfile: `${outDir}/${name}`,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    // Names in logs and stack traces stay readable; the bundle is not shipped to browsers.
    minify: false,
    logLevel: "warning",
    // esbuild drops its default "module" condition once any is set, so it is named again.
    conditions: ["@herald/source", "module"],
    plugins: [externals(undeclared)],
  });
  if (undeclared.size > 0) {
    throw new Error(
      "@herald/server build: the bundle imports npm packages that apps/server/package.json does not list in " +
        "`dependencies`, so the production image would not install them. Add them there (catalog:):\n  " +
        [...undeclared].join("\n  "),
    );
  }
  // Through the workspace link, so the source is wherever pnpm put @herald/db.
  const migrations = realpathSync(here("./node_modules/@herald/db/migrations"));
  cpSync(migrations, `${outDir}/migrations`, { recursive: true });
}

/** Run as a script (`pnpm build`) rather than imported. */
function runAsScript() {
  try {
    return realpathSync(process.argv[1] ?? "") === fileURLToPath(import.meta.url);
  } catch {
    return false; // argv[1] is no file (node -e, a REPL): imported
  }
}

// The server's own bundle.
if (runAsScript()) {
  rmSync(here("./dist"), { recursive: true, force: true });
  try {
    await bundle(here("./src/main.ts"), here("./dist"), "main.js");
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
