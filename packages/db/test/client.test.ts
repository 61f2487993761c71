import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { openDatabase, users, userPresence } from "../src/index.js";
import { createTestDatabase } from "../src/testing.js";

/** Whether a process other than this one can connect to the Unix socket at `path`. */
function answersFromAnotherProcess(path: string): boolean {
  const script = `require("node:net").createConnection(${JSON.stringify(path)}).on("connect", () => process.exit(0)).on("error", () => process.exit(3))`;
  return spawnSync(process.execPath, ["-e", script]).status === 0;
}

describe.each(["pglite", "postgres"] as const)("database on %s", (kind) => {
  it("migrates and stores users with default presence", async () => {
    const handle = await createTestDatabase(kind);
    try {
      const [user] = await handle.db.insert(users).values({ username: "ada", passwordHash: "x" }).returning();
      await handle.db.insert(userPresence).values({ userId: user!.id });
      const [row] = await handle.db.select().from(userPresence).where(eq(userPresence.userId, user!.id));
      expect(row).toMatchObject({ status: "online", message: null, visibleTo: [], lastSeen: null, lastSeenBy: {} });
      await expect(handle.db.insert(users).values({ username: "ada", passwordHash: "y" })).rejects.toThrow();
    } finally {
      await handle.close();
    }
  });
});

describe("embedded database", () => {
  it("keeps data across a reopen of the same directory", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "herald-db-")), "db");
    const first = await openDatabase({ dataDir });
    await first.db.insert(users).values({ username: "grace", passwordHash: "x" });
    await first.close();
    const second = await openDatabase({ dataDir });
    const rows = await second.db.select().from(users);
    expect(rows.map((r) => r.username)).toEqual(["grace"]);
    await second.close();
  });

  it("is open in one process at a time: held, it answers on its lock; refused while another process holds it", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "herald-db-")), "db");
    const lock = `${dataDir}.lock`;
    const handle = await openDatabase({ dataDir });
    expect(answersFromAnotherProcess(lock)).toBe(true);
    await handle.close();
    expect(answersFromAnotherProcess(lock)).toBe(false);

    // Another process holds it, as a second `pnpm start` on the same DATA_DIR would.
    const holder = spawn(process.execPath, [
      "-e",
      `require("node:net").createServer().listen(${JSON.stringify(lock)}, () => console.log("held"))`,
    ]);
    await new Promise((resolve) => holder.stdout.once("data", resolve));
    try {
      await expect(openDatabase({ dataDir })).rejects.toThrow(`the embedded database in ${dataDir} is open in another process`);
    } finally {
      holder.kill("SIGKILL"); // it leaves its socket file: a lock nobody answers on
      await new Promise((resolve) => holder.once("exit", resolve));
    }
    expect(statSync(lock).isSocket()).toBe(true);
    const reopened = await openDatabase({ dataDir });
    await reopened.db.insert(users).values({ username: "after_kill", passwordHash: "x" });
    await reopened.close();
  });

  it("names DATABASE_URL when PostgreSQL does not answer", async () => {
    await expect(openDatabase({ databaseUrl: "postgres://postgres@127.0.0.1:1/none" })).rejects.toThrow(/DATABASE_URL/);
  });
});

describe("PostgreSQL migrations", () => {
  it("lets several servers start on one empty database at once", async () => {
    const { createScratchDatabase } = await import("../src/testing.js");
    const scratch = await createScratchDatabase();
    try {
      const handles = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: scratch.url })));
      await Promise.all(handles.map((h) => h.close()));
    } finally {
      await scratch.drop();
    }
  });
});
