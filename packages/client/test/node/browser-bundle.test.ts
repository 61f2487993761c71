/**
 * No server code in the client's browser bundle: the SDK imports only the router's *type*; one
 * stray value import would drag a database driver into every app that uses it (or break its build).
 * Bundled here as an app's bundler would (esbuild, for the browser), then checked twice over: the
 * modules that went in, and telltale strings in the output.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { packageOf, SERVER_PACKAGES, SERVER_TELLTALES, SERVER_WORKSPACE } from "@herald/vitest-config/server-code";
import { beforeAll, describe, expect, it } from "vitest";

const PACKAGE_DIR = fileURLToPath(new URL("../../", import.meta.url));

let code: string;
let inputs: string[];

beforeAll(async () => {
  const result = await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: ["src/index.ts"],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    minify: false,
    conditions: ["@herald/source"],
    logLevel: "silent",
  });
  code = result.outputFiles[0]!.text;
  inputs = Object.keys(result.metafile.inputs).map((input) => resolve(PACKAGE_DIR, input));
});

describe("the client's browser bundle", () => {
  it("holds the client and tRPC's client, and no server package or server workspace code", () => {
    const packages = new Set(inputs.map(packageOf).filter((name): name is string => name !== null));
    // The check can see packages at all: tRPC's client is there, and so is our own source.
    expect(packages).toContain("@trpc/client");
    expect(inputs.some((path) => path.includes("packages/client/src/herald-client.ts"))).toBe(true);
    expect([...packages].filter((name) => SERVER_PACKAGES.includes(name))).toEqual([]);
    expect(inputs.filter((path) => SERVER_WORKSPACE.some((dir) => path.includes(dir)))).toEqual([]);
  });

  it("contains none of the server libraries' telltale strings", () => {
    expect(SERVER_TELLTALES.filter(([, pattern]) => pattern.test(code)).map(([name]) => name)).toEqual([]);
  });
});
