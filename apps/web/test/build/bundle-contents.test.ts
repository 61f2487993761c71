/**
 * No server code in the web bundle. The app may import only the router's *type*; one stray
 * value import would drag a database driver into every visitor's download (or break the build).
 * Checked twice over: the module list in the build's source maps, and telltale strings in the JS.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageOf, SERVER_PACKAGES, SERVER_TELLTALES, SERVER_WORKSPACE } from "@herald/vitest-config/server-code";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuilt, WEB_SOURCE_MAPS } from "../e2e/harness/web-build";

let dist: string;
let assets: string;
let scripts: Array<{ name: string; code: string }>;

beforeAll(() => {
  dist = ensureWebBuilt();
  assets = join(dist, "assets");
  scripts = readdirSync(assets)
    .filter((name) => name.endsWith(".js"))
    .map((name) => ({ name, code: readFileSync(join(assets, name), "utf8") }));
});

describe("the web bundle", () => {
  it("was built", () => {
    expect(scripts.length).toBeGreaterThan(0);
  });

  it("lists no server package or server workspace code among its modules", () => {
    const sources = scripts.flatMap(({ name }) => {
      const map = join(WEB_SOURCE_MAPS, "assets", `${name}.map`);
      expect(existsSync(map), `${name}.map is missing from dist-sourcemaps: keep build.sourcemap on in vite.config.ts`).toBe(true);
      return (JSON.parse(readFileSync(map, "utf8")) as { sources: string[] }).sources;
    });
    const packages = new Set(sources.map(packageOf).filter((name): name is string => name !== null));
    // The check can see packages at all: the UI library is there.
    expect(packages).toContain("react-dom");
    expect([...packages].filter((name) => SERVER_PACKAGES.includes(name))).toEqual([]);
    expect(sources.filter((source) => SERVER_WORKSPACE.some((dir) => source.includes(dir)))).toEqual([]);
  });

  it("ships no source map: they are moved out of dist, which the server serves", () => {
    const maps = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? maps(join(dir, entry.name)) : entry.name.endsWith(".map") ? [join(dir, entry.name)] : [],
      );
    expect(maps(dist)).toEqual([]);
    // Not linked either (`sourcemap: "hidden"`).
    expect(scripts.filter(({ code }) => code.includes("sourceMappingURL")).map(({ name }) => name)).toEqual([]);
  });

  it("contains none of the server libraries' telltale strings", () => {
    const found = scripts.flatMap(({ name, code }) =>
      SERVER_TELLTALES.filter(([, pattern]) => pattern.test(code)).map(([pkg]) => `${pkg} in ${name}`),
    );
    expect(found).toEqual([]);
  });
});
