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

  it("gives back every text value exactly as it was passed", async () => {
    for (const value of awkward) {
      const rows = await executeRows<{ v: string }>(handle.db, sql`select ${value}::text as v`);
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
