import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeBatch, executeRows, statement, type DatabaseHandle } from "../src/index.js";
import { inlineParams, sqlLiteral } from "../src/statement.js";
import { createTestDatabase } from "../src/testing.js";

// What users may type into a status message, and what an attacker would.
const awkward = [
  "plain",
  "it's",
  "''",
  "\\",
  "ends with a backslash \\",
  "\\' or 1=1; --",
  "'); drop table users; --",
  "$1 $$ $tag$ dollar $2",
  "ünïcödé 🙂 ∑",
  "tab\tand\nnewline",
  "",
];

describe.each(["pglite", "postgres"] as const)("executeRows on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await handle.close();
  });

  it.each([false, true])("gives back every text value exactly as it was passed (prepared: %s)", async (prepared) => {
    for (const value of awkward) {
      const rows = await executeRows<{ v: string }>(handle.db, sql`select ${value}::text as v`, { prepared });
      expect(rows).toEqual([{ v: value }]);
    }
  });

  it.each([false, true])(
    "runs a `statement` template as it runs the same `sql` one, values exactly as passed (prepared: %s)",
    async (prepared) => {
      for (const value of awkward) {
        const rows = await executeRows<{ v: string; n: number; z: string | null }>(
          handle.db,
          statement`select ${value}::text as v, ${41}::int + 1 as n, ${null}::text as z`,
          { prepared },
        );
        expect(rows).toEqual([{ v: value, n: 42, z: null }]);
      }
    },
  );

  it("passes numbers, booleans and nulls", async () => {
    const rows = await executeRows<{ n: number; b: boolean; z: string | null }>(
      handle.db,
      sql`select ${41}::int + 1 as n, ${true}::boolean as b, ${null}::text as z`,
    );
    expect(rows).toEqual([{ n: 42, b: true, z: null }]);
  });

  it("matches ids given as one text[] literal (as @herald/presence's text-array.ts writes it), awkward ids included", async () => {
    const ids = [...awkward, "a,b", "{x}", '"quoted"', "NULL"];
    const literal = `{${ids.map((id) => `"${id.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;
    const rows = await executeRows<{ v: string }>(
      handle.db,
      sql`select v from unnest(${literal}::text[]) as v where v = any(${literal}::text[]) order by v collate "C"`,
    );
    expect(rows.map((row) => row.v)).toEqual([...ids].sort());
  });

  // presence-repo.ts maps rows by hand (fromRaw): it takes a timestamp as a Date or as text.
  it("gives timestamps as a Date (PGlite) or PostgreSQL's text of one (postgres-js), jsonb and text[] parsed", async () => {
    const at = "2026-12-02T16:19:15.651Z";
    const [row] = await executeRows<{ t: Date | string; j: unknown; a: string[] }>(
      handle.db,
      sql`select ${at}::timestamptz as t, ${JSON.stringify({ k: ["v"] })}::jsonb as j, ${'{"x","y, z"}'}::text[] as a`,
    );
    expect(new Date(row!.t).toISOString()).toBe(at);
    expect(row!.t instanceof Date).toBe(kind === "pglite");
    expect(row!.j).toEqual({ k: ["v"] });
    expect(row!.a).toEqual(["x", "y, z"]);
  });

  // On PGlite a prepared statement's text is prepared once; one PostgreSQL cannot prepare must
  // still run, and a wrong one must still fail with PostgreSQL's own words.
  it("runs a statement whose parameter has no type to infer, and names what is wrong with a bad one", async () => {
    const prepared = { prepared: true };
    for (const value of ["first", "second"])
      expect(await executeRows(handle.db, sql`select ${value} as v`, prepared)).toEqual([{ v: value }]);
    await expect(executeRows(handle.db, sql`select v from no_such_table where v = ${"x"}`, prepared)).rejects.toThrow(/no_such_table/);
  });

  it("returns no rows for a statement that matches none", async () => {
    expect(await executeRows(handle.db, sql`select 1 as one where ${"a"}::text = ${"b"}::text`)).toEqual([]);
  });
});

describe.each(["pglite", "postgres"] as const)("executeBatch on %s", (kind) => {
  let handle: DatabaseHandle;
  const table = sql.identifier(`batch_test_${randomUUID().replace(/-/g, "")}`);
  beforeAll(async () => {
    handle = await createTestDatabase(kind);
    await executeRows(handle.db, sql`create table ${table} (id text primary key, v text not null)`);
  });
  afterAll(async () => {
    await handle.close();
  });

  const insertOne = ({ id, v }: { id: string; v: string }) => sql`insert into ${table} (id, v) values (${id}, ${v}) returning id`;
  const insertAll = (rows: Array<{ id: string; v: string }>) =>
    sql`insert into ${table} (id, v) select id, v from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id text, v text) returning id`;
  const stored = async (ids: string[]) =>
    executeRows<{ id: string; v: string }>(
      handle.db,
      sql`select id, v from ${table} where id = any(${`{${ids.join(",")}}`}::text[]) order by id`,
    );

  it.each([false, true])(
    "writes every row, values exactly as passed, and returns what each statement returned (prepared: %s)",
    async (prepared) => {
      const rows = awkward.map((v) => ({ id: randomUUID(), v }));
      const returned = await executeBatch<{ id: string }>(handle.db, rows.map(insertOne), () => insertAll(rows), { prepared });
      expect(returned.map((row) => row.id).sort()).toEqual(rows.map((row) => row.id).sort());
      expect(await stored(rows.map((row) => row.id))).toEqual([...rows].sort((a, b) => (a.id < b.id ? -1 : 1)));
    },
  );

  it("writes all of a batch or none of it: one failing statement leaves no row of the others", async () => {
    const taken = { id: randomUUID(), v: "first" };
    await executeRows(handle.db, insertOne(taken));
    const rows = [
      { id: randomUUID(), v: "before" },
      { ...taken, v: "again" },
      { id: randomUUID(), v: "after" },
    ];
    await expect(executeBatch(handle.db, rows.map(insertOne), () => insertAll(rows), { prepared: true })).rejects.toThrow();
    expect(await stored(rows.map((row) => row.id))).toEqual([taken]);
  });
});

describe("SQL literals", () => {
  it("refuses what it cannot write safely, naming it", () => {
    expect(() => sqlLiteral("a\u0000b")).toThrow(/NUL/);
    expect(() => sqlLiteral(Number.NaN)).toThrow(/finite/);
    expect(() => sqlLiteral({ a: 1 })).toThrow(/no SQL literal for a object/);
    expect(() => inlineParams("select $2", ["only one"])).toThrow(/no parameter for \$2/);
  });
});
