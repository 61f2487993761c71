/**
 * Issue 10, item 12: DATA_DIR (the embedded database with every password hash, and the generated
 * auth secret) belongs to its owner only: directories 0700, files 0600, also for a directory an
 * older Herald left open (tightened at start, and logged).
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createScratchDatabase } from "@herald/db/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHeraldServer } from "../src/server.js";
import { signUp, testServerConfig } from "../src/testing/index.js";

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Every path under `root` (itself included) that group or others may read, write or enter. */
function openToOthers(root: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const stats = statSync(path);
    if (stats.mode & 0o077) found.push(`${path} ${(stats.mode & 0o777).toString(8)}`);
    if (stats.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(root);
  return found;
}

function logCollector() {
  const lines: Array<{ msg: string; tightened?: number }> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: "info" }, stream), lines };
}

describe("DATA_DIR permissions", () => {
  let scratch: string;
  let previousUmask: number;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "herald-data-dir-"));
    // The usual umask, under which files came out world-readable before.
    previousUmask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(previousUmask);
    rmSync(scratch, { recursive: true, force: true });
  });

  it("a new DATA_DIR is 0700, the generated secret 0600, and the embedded database has nothing open to others", async () => {
    const dataDir = join(scratch, "fresh", "data");
    const { log } = logCollector();
    const server = await startHeraldServer(testServerConfig({ dataDir, authSecret: undefined }), log);
    try {
      await signUp(server.url); // the database has written rows
      expect(modeOf(dataDir).toString(8)).toBe("700");
      expect(modeOf(join(dataDir, "auth-secret")).toString(8)).toBe("600");
      expect(modeOf(join(dataDir, "pglite")).toString(8)).toBe("700");
      expect(openToOthers(dataDir)).toEqual([]);
    } finally {
      await server.close();
    }
    // Files the database created while running are tightened when it closes.
    expect(openToOthers(dataDir)).toEqual([]);
  }, 120_000);

  it("an existing DATA_DIR left open to others is tightened at start, and the log says so", async () => {
    const database = await createScratchDatabase(process.env.TEST_DATABASE_URL);
    const dataDir = join(scratch, "loose");
    mkdirSync(join(dataDir, "old"), { recursive: true });
    chmodSync(dataDir, 0o777);
    chmodSync(join(dataDir, "old"), 0o755);
    writeFileSync(join(dataDir, "auth-secret"), "a-secret-from-an-older-herald-run");
    chmodSync(join(dataDir, "auth-secret"), 0o666);
    const { log, lines } = logCollector();
    const server = await startHeraldServer(testServerConfig({ dataDir, authSecret: undefined, databaseUrl: database.url }), log);
    try {
      expect(modeOf(dataDir).toString(8)).toBe("700");
      expect(modeOf(join(dataDir, "auth-secret")).toString(8)).toBe("600");
      expect(openToOthers(dataDir)).toEqual([]);
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: expect.stringMatching(/DATA_DIR was open to other users/), tightened: 3 }),
      );
      // Only the mode changed: the secret is kept, so tokens signed before stay valid.
      expect(readFileSync(join(dataDir, "auth-secret"), "utf8")).toBe("a-secret-from-an-older-herald-run");
    } finally {
      await server.close();
      await database.drop();
    }
  });
});
