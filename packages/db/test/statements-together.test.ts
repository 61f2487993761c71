// Statements issued in the same turn (on PGlite they go into the engine as one query,
// pglite-combiner.ts): each caller gets its own answer, and one failing costs the others nothing.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows, type DatabaseHandle } from "../src/index.js";
import { createTestDatabase } from "../src/testing.js";

describe.each(["pglite", "postgres"] as const)("statements issued together on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(kind);
    await executeRows(handle.db, sql`create table together (id int primary key, note text)`);
  });
  afterAll(async () => {
    await handle.close();
  });

  it("answers each of 80 statements issued at once with its own rows", async () => {
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, n) =>
        executeRows<{ n: number; twice: number }>(handle.db, sql`select ${n}::int as n, ${n}::int * 2 as twice`),
      ),
    );
    answers.forEach((rows, n) => expect(rows).toEqual([{ n, twice: 2 * n }]));
  });

  it("fails only the statement that fails; the others issued with it take effect exactly once", async () => {
    const insert = (id: number) => executeRows(handle.db, sql`insert into together (id) values (${id})`);
    const settled = await Promise.allSettled([insert(1), insert(1), insert(2), insert(3)]);
    expect(settled.filter((outcome) => outcome.status === "rejected")).toHaveLength(1);
    const { reason } = settled.find((outcome) => outcome.status === "rejected") as PromiseRejectedResult;
    // postgres-js's error reaches the caller wrapped by Drizzle ("Failed query: …"), as its cause.
    expect(`${reason} ${(reason as { cause?: unknown }).cause}`).toMatch(/duplicate key/);
    const rows = await executeRows<{ id: number }>(handle.db, sql`select id from together order by id`);
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3]);
  });

  it("answers a statement whose values hold a semicolon, issued with others, with its own rows", async () => {
    const [awkward, plain] = await Promise.all([
      executeRows<{ v: string }>(handle.db, sql`select ${"a; select 2"}::text as v`),
      executeRows<{ v: string }>(handle.db, sql`select ${"b"}::text as v`),
    ]);
    expect(awkward).toEqual([{ v: "a; select 2" }]);
    expect(plain).toEqual([{ v: "b" }]);
  });

  it("sees a write from a statement issued before it in the same turn", async () => {
    const [, read] = await Promise.all([
      executeRows(handle.db, sql`update together set note = ${"written"} where id = ${2}`),
      kind === "pglite" ? executeRows<{ note: string }>(handle.db, sql`select note from together where id = ${2}`) : Promise.resolve([]),
    ]);
    // On PostgreSQL two statements of a pool may run in either order; PGlite runs them in the order issued.
    if (kind === "pglite") expect(read).toEqual([{ note: "written" }]);
    const [after] = await executeRows<{ note: string }>(handle.db, sql`select note from together where id = ${2}`);
    expect(after).toEqual({ note: "written" });
  });
});

describe.each(["pglite", "postgres"] as const)("a database closing on %s", (kind) => {
  it("still runs the statements issued in the turn it was told to close", async () => {
    const handle = await createTestDatabase(kind);
    await executeRows(handle.db, sql`create temporary table last_words (id int)`);
    const written = executeRows<{ id: number }>(handle.db, sql`insert into last_words (id) values (${7}) returning id`);
    const read = executeRows<{ n: number }>(handle.db, sql`select 1 as n`);
    await handle.close();
    await expect(written).resolves.toEqual([{ id: 7 }]);
    await expect(read).resolves.toEqual([{ n: 1 }]);
  });
});

describe("a statement text on PGlite", () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await handle.close();
  });

  it("answers a text of two statements, issued with others, as it would alone: its first statement's rows", async () => {
    const [two, other] = await Promise.all([
      executeRows<{ a: number }>(handle.db, sql.raw("select 1 as a; select 2 as b")),
      executeRows<{ v: string }>(handle.db, sql`select ${"other"}::text as v`),
    ]);
    expect(two).toEqual([{ a: 1 }]);
    expect(other).toEqual([{ v: "other" }]);
  });
});
