/**
 * The server-side example as a user outside this repository would run it: compiled by `tsc` with
 * a strict consumer's flags, against Herald's compiled packages, under plain `node` (no tsx, no
 * source condition).
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const EXAMPLE_DIR = fileURLToPath(new URL("..", import.meta.url));
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");

test("signs up, befriends, reads a status and follows it live, printing what a friend sees", () => {
  const run = spawnSync(process.execPath, ["dist/main.js"], { cwd: EXAMPLE_DIR, encoding: "utf8", timeout: 60_000 });
  expect(run.stderr).toBe("");
  expect(run.stdout.trim().split("\n")).toEqual([
    'grace sees ada: dnd, "writing the first program"',
    "snapshot: ada dnd",
    "update: ada is away",
    "update: ada is offline",
  ]);
  expect(run.status).toBe(0);
});

test("Herald's published .d.ts files have no errors under strict and exactOptionalPropertyTypes", () => {
  // skipLibCheck off: every declaration file is checked, Herald's among them. Only third-party
  // packages (drizzle-orm's .d.ts fail on their own) are left out of the verdict.
  const check = spawnSync(process.execPath, [TSC, "-p", ".", "--noEmit", "--skipLibCheck", "false"], {
    cwd: EXAMPLE_DIR,
    encoding: "utf8",
  });
  const errors = check.stdout.split("\n").filter((line) => line.includes("error TS"));
  expect(errors.filter((line) => !line.includes("node_modules/"))).toEqual([]);
  // The check did read Herald's compiled declarations, not its TypeScript source.
  const listed = spawnSync(process.execPath, [TSC, "-p", ".", "--noEmit", "--listFilesOnly"], {
    cwd: EXAMPLE_DIR,
    encoding: "utf8",
  }).stdout;
  expect(listed).toMatch(/packages\/presence\/dist\/index\.d\.ts/);
  expect(listed).not.toMatch(/packages\/presence\/src\//);
});
