/**
 * The row writer's batching (row-writer.ts): on PGlite, whose statements run on the server's own
 * thread, a statement waits until its first write is a few milliseconds old (PGLITE_HOLD_MS), so
 * writes that close share it and the server pays for one trip into the engine instead of one per
 * change; each write still lands on its own row, compared and set on its own.
 */
import { users, type DatabaseHandle } from "@herald/db";
import { createTestDatabase } from "@herald/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DURABLE_PRESENCE } from "../src/types.js";
import { createDurable } from "../src/repo/presence-repo.js";
import { PGLITE_HOLD_MS, PresenceRowWriter } from "../src/repo/row-writer.js";

/** Longer than the default, so that a test machine's load cannot make the writes miss each other. */
const HOLD_MS = 200;

describe("the row writer on PGlite", () => {
  let database: DatabaseHandle;
  let writer: PresenceRowWriter;
  let statements = 0;
  let sequence = 0;

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    // Every trip into the engine, counted.
    const client = (database.db as unknown as { $client: { exec: (...args: unknown[]) => Promise<unknown> } }).$client;
    const exec = client.exec.bind(client);
    client.exec = (...args: unknown[]) => {
      statements++;
      return exec(...args);
    };
    writer = new PresenceRowWriter(database.db, HOLD_MS);
  });
  afterAll(async () => {
    await database.close();
  });

  async function newUser(): Promise<string> {
    const [user] = await database.db
      .insert(users)
      .values({ username: `row_writer_${++sequence}`, passwordHash: "not-a-real-hash" })
      .returning();
    await createDurable(database.db, user!.id);
    return user!.id;
  }

  it("puts writes made a few milliseconds apart into one statement, each on its own row", async () => {
    const [first, second, third] = [await newUser(), await newUser(), await newUser()];
    // The one-row statement is prepared on its first use: not part of what is counted.
    expect(await writer.compareAndSet(first!, 0, { ...DEFAULT_DURABLE_PRESENCE, status: "away" })).toBe(true);

    statements = 0;
    const writes = [writer.compareAndSet(second!, 0, { ...DEFAULT_DURABLE_PRESENCE, status: "dnd" })];
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS / 20));
    writes.push(writer.compareAndSet(third!, 0, { ...DEFAULT_DURABLE_PRESENCE, status: "away" }));
    writes.push(writer.compareAndSet(first!, 0, { ...DEFAULT_DURABLE_PRESENCE, status: "dnd" })); // a stale revision
    expect(await Promise.all(writes)).toEqual([true, true, false]);
    expect(statements).toBe(1);
  });
});

describe("the row writer's hold", () => {
  it("is PGLITE_HOLD_MS on PGlite and none on PostgreSQL, whose statements run elsewhere", async () => {
    for (const [kind, hold] of [
      ["pglite", PGLITE_HOLD_MS],
      ["postgres", 0],
    ] as const) {
      const database = await createTestDatabase(kind);
      try {
        expect(new PresenceRowWriter(database.db).holdMs, kind).toBe(hold);
      } finally {
        await database.close();
      }
    }
  });
});
