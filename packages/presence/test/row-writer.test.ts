/**
 * The row writer's batching (row-writer.ts): on PGlite, whose statements run on the server's own
 * thread, a statement waits until its first write is a few milliseconds old (PGLITE_HOLD_MS; longer
 * while writes come fast), so writes that close share it and the server pays for one trip into
 * the engine instead of one per change; each write still lands on its own row, compared and set
 * on its own.
 */
import { executeRows, userPresence, users, type DatabaseHandle } from "@herald/db";
import { createTestDatabase } from "@herald/db/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DURABLE_PRESENCE, type DurablePresence } from "../src/types.js";
import { createDurable } from "../src/repo/presence-repo.js";
import { batchUpdate, PGLITE_HOLD_MS, PGLITE_LOADED_HOLD_MS, PresenceRowWriter } from "../src/repo/row-writer.js";

/** Longer than the default, so that a test machine's load cannot make the writes miss each other. */
const HOLD_MS = 200;

let sequence = 0;

/** A new user with their presence row, as sign-up makes them. */
async function newUser(database: DatabaseHandle): Promise<string> {
  const [user] = await database.db
    .insert(users)
    .values({ username: `row_writer_${++sequence}`, passwordHash: "not-a-real-hash" })
    .returning();
  await createDurable(database.db, user!.id);
  return user!.id;
}

/** Calls `onTrip` as each trip into PGlite's engine (each `exec`) starts. */
function onEveryTrip(database: DatabaseHandle, onTrip: () => void): void {
  const client = (database.db as unknown as { $client: { exec: (...args: unknown[]) => Promise<unknown> } }).$client;
  const exec = client.exec.bind(client);
  client.exec = (...args: unknown[]) => {
    onTrip();
    return exec(...args);
  };
}

describe("the row writer on PGlite", () => {
  let database: DatabaseHandle;
  let writer: PresenceRowWriter;
  let statements = 0;

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    // Every trip into the engine, counted.
    onEveryTrip(database, () => statements++);
    writer = new PresenceRowWriter(database.db, { idleMs: HOLD_MS, loadedMs: HOLD_MS });
  });
  afterAll(async () => {
    await database.close();
  });

  it("puts writes made a few milliseconds apart into one statement, each on its own row", async () => {
    const [first, second, third] = [await newUser(database), await newUser(database), await newUser(database)];
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
  it("grows to the loaded hold after two statements in a row of four writes or more, and shrinks back after one of fewer than eight", async () => {
    const hold = { idleMs: 20, loadedMs: 400 };
    const database = await createTestDatabase("pglite");
    try {
      const writer = new PresenceRowWriter(database.db, hold);
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push(await newUser(database));
      const revisions = new Map(ids.map((id) => [id, 0]));
      const write = async (userId: string) => {
        const started = performance.now();
        const revision = revisions.get(userId)!;
        expect(await writer.compareAndSet(userId, revision, { ...DEFAULT_DURABLE_PRESENCE, message: `m${revision}` })).toBe(true);
        revisions.set(userId, revision + 1);
        return performance.now() - started;
      };
      /** Writes for these users at once (one statement); how long the slowest waited. */
      const together = async (userIds: string[]) => Math.max(...(await Promise.all(userIds.map(write))));
      /** Two statements of four in a row: the writer is under load after them. */
      const load = async () => {
        expect(await together(ids.slice(0, 4))).toBeLessThan(hold.loadedMs);
        expect(await together(ids.slice(4))).toBeLessThan(hold.loadedMs);
      };
      // Slow writes wait the short hold.
      expect(await write(ids[0]!)).toBeLessThan(hold.loadedMs);
      // Four at once, then one: the backlog of a stall, not load. The one waits the short hold.
      expect(await together(ids.slice(0, 4))).toBeLessThan(hold.loadedMs);
      expect(await write(ids[4]!)).toBeLessThan(hold.loadedMs);
      // Four at once twice in a row put it under load; eight at once keep it there, and the
      // single write after them waits the loaded hold too.
      await load();
      expect(await together(ids)).toBeGreaterThanOrEqual(hold.loadedMs - 1);
      expect(await write(ids[1]!)).toBeGreaterThanOrEqual(hold.loadedMs - 1);
      // That statement carried one write: the next waits the short hold again.
      expect(await write(ids[2]!)).toBeLessThan(hold.loadedMs);
      // Under load, four in a statement are too few to stay there.
      await load();
      expect(await together(ids.slice(0, 4))).toBeGreaterThanOrEqual(hold.loadedMs - 1);
      expect(await write(ids[3]!)).toBeLessThan(hold.loadedMs);
    } finally {
      await database.close();
    }
  });

  it("is PGLITE_HOLD_MS on PGlite, PGLITE_LOADED_HOLD_MS under load, and none on PostgreSQL, whose statements run elsewhere", async () => {
    for (const [kind, hold] of [
      ["pglite", { idleMs: PGLITE_HOLD_MS, loadedMs: PGLITE_LOADED_HOLD_MS }],
      ["postgres", { idleMs: 0, loadedMs: 0 }],
    ] as const) {
      const database = await createTestDatabase(kind);
      try {
        expect(new PresenceRowWriter(database.db).hold, kind).toEqual(hold);
      } finally {
        await database.close();
      }
    }
  });
});

describe("a backlog of writes on PGlite", () => {
  it("lets the event loop turn between its statements, so that frames and new input are served meanwhile", async () => {
    const database = await createTestDatabase("pglite");
    try {
      // More writes than three statements take (MAX_BATCH rows each), all asked for at once.
      const made = await executeRows<{ user_id: string }>(
        database.db,
        sql`with made as (insert into users (username) select 'backlog_' || n from generate_series(1, 1200) as n returning id)
            insert into user_presence (user_id) select id from made returning user_id`,
      );
      const writer = new PresenceRowWriter(database.db, { idleMs: 0, loadedMs: 0 });
      const away: DurablePresence = { ...DEFAULT_DURABLE_PRESENCE, status: "away" };
      // The one-row statement is prepared on its first use, a trip of its own: not counted.
      const [first, ...backlog] = made.map((row) => row.user_id);
      expect(await writer.compareAndSet(first!, 0, away)).toBe(true);

      // Each statement's start, as the number of event-loop turns taken before it.
      const startedAtTurn: number[] = [];
      let turns = 0;
      onEveryTrip(database, () => startedAtTurn.push(turns));
      let writing = true;
      const turn = () => {
        turns++;
        if (writing) setImmediate(turn);
      };
      setImmediate(turn);

      const written = await Promise.all(backlog.map((userId) => writer.compareAndSet(userId, 0, away)));
      writing = false;

      expect(written.every(Boolean)).toBe(true);
      expect(startedAtTurn.length).toBeGreaterThanOrEqual(3);
      // Between one statement and the next, the event loop turned at least once.
      for (let i = 1; i < startedAtTurn.length; i++) expect(startedAtTurn[i]).toBeGreaterThan(startedAtTurn[i - 1]!);
    } finally {
      await database.close();
    }
  });
});

describe("the batched write on PostgreSQL", () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await database.close();
  });

  it("sets every column of each row it names, and only at the expected revision", async () => {
    const [first, second] = [await newUser(database), await newUser(database)];
    const after: DurablePresence = {
      ...DEFAULT_DURABLE_PRESENCE,
      status: "dnd",
      message: "in a meeting",
      statusUntil: "2030-01-01T10:00:00.000Z",
      messageUntil: "2030-01-01T11:00:00.000Z",
      visibleTo: [second!],
      lastSeenLevel: "approximate",
      lastSeenExceptions: { [second!]: "nobody" },
      lastSeen: "2029-12-31T09:00:00.000Z",
      lastSeenBy: { [second!]: "2029-12-31T09:30:00.000Z" },
      lastDisconnectedAt: "2029-12-31T09:45:00.000Z",
    };
    const written = await executeRows<{ user_id: string }>(
      database.db,
      batchUpdate([
        { userId: first!, expectedRevision: 0, after },
        { userId: second!, expectedRevision: 7, after }, // stale: not written
      ]),
    );
    expect(written.map((row) => row.user_id)).toEqual([first]);
    const [row] = await database.db.select().from(userPresence).where(eq(userPresence.userId, first!));
    expect({
      ...row,
      statusUntil: row!.statusUntil?.toISOString(),
      messageUntil: row!.messageUntil?.toISOString(),
      lastSeen: row!.lastSeen?.toISOString(),
      lastDisconnectedAt: row!.lastDisconnectedAt?.toISOString(),
    }).toMatchObject({ ...after, revision: 1 });
    const [untouched] = await database.db.select().from(userPresence).where(eq(userPresence.userId, second!));
    expect(untouched).toMatchObject({ status: "online", revision: 0 });
  });

  it("looks its rows up by primary key, even in a table small enough to scan", async () => {
    // With the rows' estimate of 100 (jsonb_to_recordset's), PostgreSQL hashed them against a
    // scan of the whole table up to ~20,000 rows: 1.5 ms of its CPU per statement at 10,000.
    await database.db.execute(sql`
      with made as (insert into users (username) select 'planned_' || n from generate_series(1, 1000) as n returning id)
      insert into user_presence (user_id) select id from made`);
    await database.db.execute(sql`analyze user_presence`);
    const writes = ["a", "b", "c"].map((userId) => ({ userId, expectedRevision: 0, after: DEFAULT_DURABLE_PRESENCE }));
    const plan = (await executeRows<{ "QUERY PLAN": string }>(database.db, sql`explain ${batchUpdate(writes)}`))
      .map((line) => line["QUERY PLAN"])
      .join("\n");
    expect(plan).toMatch(/Index Scan using user_presence_pkey on user_presence p/);
    expect(plan).not.toMatch(/Seq Scan on user_presence/);
  });
});
