import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows, type DatabaseHandle } from "../src/index.js";
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

describe("SQL literals", () => {
  it("refuses what it cannot write safely, naming it", () => {
    expect(() => sqlLiteral("a\u0000b")).toThrow(/NUL/);
    expect(() => sqlLiteral(Number.NaN)).toThrow(/finite/);
    expect(() => sqlLiteral({ a: 1 })).toThrow(/no SQL literal for a object/);
    expect(() => inlineParams("select $2", ["only one"])).toThrow(/no parameter for \$2/);
  });
});
