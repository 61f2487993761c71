/**
 * One statement on the hot path, its rows back, on either database.
 *
 * On PGlite a query with parameters is six trips into the WASM engine (parse, describe, bind,
 * describe, execute, sync); a simple query is one. So on PGlite the parameters are written into
 * the text as literals and the statement goes as a simple query: a one-row UPDATE takes ~0.3 ms
 * instead of ~0.65 ms, and PGlite runs on the server's own thread. A simple query is planned
 * anew every time, though, and planning is a good part of a short statement's cost; so a
 * statement marked `prepared` is prepared once per database and text (`PREPARE`, parameter types
 * inferred) and then sent as `EXECUTE name(literals…)`. On PostgreSQL the parameters stay real
 * parameters, and a statement marked `prepared` is a named statement of its connection
 * (postgres-js prepares it on first use there). drizzle's `execute` sends an unnamed one, which
 * PostgreSQL parses and plans on every call: ~0.2 ms of its CPU for the batched presence write
 * (`pnpm --filter @herald/bench postgres-writes`), about as much again as running it.
 */
import { PGlite } from "@electric-sql/pglite";
import type { Sql } from "postgres";
import { SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Database } from "./client.js";
import { execCombined } from "./pglite-combiner.js";

const dialect = new PgDialect();

/**
 * A statement of values only, written as a tagged template like drizzle's `sql` but never built
 * by its query builder: on PGlite its text (placeholders `$1`, `$2`, …) is joined once per call
 * site, as a template's strings are one array for every call from the same place, and only the
 * values are new each time. Building and rendering drizzle's `SQL` was ~4 % of the embedded
 * server's CPU at 1,000 changes/s for the one-row write alone. Anything with fragments or
 * identifiers inside is written with `sql`.
 */
export interface Statement {
  readonly strings: TemplateStringsArray;
  readonly params: readonly unknown[];
}

export function statement(strings: TemplateStringsArray, ...params: unknown[]): Statement {
  return { strings, params };
}

/** Each call site's text, by its template's strings. */
const textsByTemplate = new WeakMap<TemplateStringsArray, string>();

function textOf(strings: TemplateStringsArray): string {
  let text = textsByTemplate.get(strings);
  if (text === undefined) {
    text = strings.reduce((joined, part, index) => `${joined}$${index}${part}`);
    textsByTemplate.set(strings, text);
  }
  return text;
}

function toQuery(query: SQL | Statement): { sql: string; params: readonly unknown[] } {
  return query instanceof SQL ? dialect.sqlToQuery(query) : { sql: textOf(query.strings), params: query.params };
}

export interface ExecuteOptions {
  /**
   * Prepare the statement (see above). Only for statements whose generic plan is good whatever
   * the data: PGlite never runs autovacuum, so its tables have no statistics and a generic plan
   * for `= any($1)` picks a sequential scan (20 presence rows: 1.5 → 2.9 ms). Equality on an
   * indexed column plans well without them. (PostgreSQL plans the first few executions with the
   * values, then keeps a generic plan only if it is no worse.)
   */
  prepared?: boolean;
}

/** `db`'s PGlite, or null when it is PostgreSQL (postgres-js). */
function pgliteOf(db: Database): PGlite | null {
  const client = (db as { $client?: unknown }).$client;
  return client instanceof PGlite ? client : null;
}

/** `db`'s postgres-js client (as drizzle set it up: its JSON serializers leave JSON text as it is). */
function postgresOf(db: Database): Sql {
  return (db as unknown as { $client: Sql }).$client;
}

/** Whether `db`'s statements run on this thread (PGlite, in this process) rather than in a database server's process. */
export function runsOnThisThread(db: Database): boolean {
  return pgliteOf(db) !== null;
}

export function executeRows<Row>(db: Database, query: SQL | Statement, options: ExecuteOptions = {}): Promise<Row[]> {
  return untilSettled(db, executeRowsNow<Row>(db, query, options));
}

async function executeRowsNow<Row>(db: Database, query: SQL | Statement, { prepared = false }: ExecuteOptions): Promise<Row[]> {
  const client = pgliteOf(db);
  // postgres-js answers a RowList, an Array of the rows.
  if (!client) {
    if (prepared) {
      const { sql: text, params } = toQuery(query);
      return (await postgresOf(db).unsafe(text, params as never[], { prepare: true })) as unknown as Row[];
    }
    const rows: unknown = await db.execute(query instanceof SQL ? query : sql(query.strings, ...query.params));
    return rows as Row[];
  }
  return (await execCombined(client, await pgliteQuery(client, query, prepared))) as Row[];
}

/** The statement as PGlite's simple query: `EXECUTE name(literals…)` when prepared, else its text with the literals inlined. */
async function pgliteQuery(client: PGlite, query: SQL | Statement, prepared: boolean): Promise<string> {
  const { sql: text, params } = toQuery(query);
  const name = prepared ? await preparedName(client, text) : null;
  return name === null ? inlineParams(text, params) : executeQuery(name, params);
}

/**
 * Many rows written in one transaction, in the form that costs the database least: one row is its
 * own statement; more are, on PGlite, the per-row statements as one simple query (one trip into
 * the engine, one implicit transaction, one commit; prepared when `prepared`, as `executeRows`
 * does), elsewhere `combined`, one statement that does them all (on PostgreSQL a statement is a
 * round trip). On PGlite, per row, cold caches,
 * batches of 2 / 4 / 16 rows: ~200 / ~140 / ~75 µs of CPU as separate statements in one query,
 * ~550 / ~250 / ~85 µs as one statement joining a JSON array (planned anew each time).
 * The rows every statement returned, in order.
 */
export function executeBatch<Row>(
  db: Database,
  perRow: ReadonlyArray<SQL | Statement>,
  combined: () => SQL,
  options: ExecuteOptions = {},
): Promise<Row[]> {
  if (perRow.length === 1) return executeRows<Row>(db, perRow[0]!, options);
  const client = pgliteOf(db);
  if (!client) return executeRows<Row>(db, combined(), options);
  return untilSettled(db, executeBatchOnPglite<Row>(client, perRow, options));
}

async function executeBatchOnPglite<Row>(
  client: PGlite,
  perRow: ReadonlyArray<SQL | Statement>,
  { prepared = false }: ExecuteOptions,
): Promise<Row[]> {
  const queries = await Promise.all(perRow.map((query) => pgliteQuery(client, query, prepared)));
  const results = await client.exec(queries.join(";\n"));
  return results.flatMap((result) => result.rows as Row[]);
}

/**
 * Statements issued and not yet answered, per database. A statement reaches its driver a few
 * microtasks (on PGlite, a turn: pglite-combiner.ts) after it is issued, so one issued in the
 * turn the database is told to close would find it closed, and a write would be lost; closing
 * waits for these first (`settleIssuedStatements`).
 */
const issuedByDatabase = new WeakMap<Database, Set<Promise<unknown>>>();

function untilSettled<T>(db: Database, running: Promise<T>): Promise<T> {
  let issued = issuedByDatabase.get(db);
  if (!issued) {
    issued = new Set();
    issuedByDatabase.set(db, issued);
  }
  issued.add(running);
  const forget = () => void issued.delete(running);
  running.then(forget, forget);
  return running;
}

/** Resolves once every statement issued so far through `executeRows` or `executeBatch` has its answer. */
export async function settleIssuedStatements(db: Database): Promise<void> {
  await Promise.allSettled([...(issuedByDatabase.get(db) ?? [])]);
}

/** Statement texts prepared on each PGlite database, by text: the name, or null when it cannot be prepared. */
const preparedByClient = new WeakMap<PGlite, Map<string, Promise<string | null>>>();
/**
 * Herald's hot statements are a few fixed texts (lists travel as one array or JSON parameter);
 * past this many, a text is not prepared, so a caller that builds texts on the fly costs no memory.
 */
const MAX_PREPARED = 64;

function preparedName(client: PGlite, text: string): Promise<string | null> {
  let prepared = preparedByClient.get(client);
  if (!prepared) {
    prepared = new Map<string, Promise<string | null>>();
    preparedByClient.set(client, prepared);
  }
  const known = prepared.get(text);
  if (known) return known;
  if (prepared.size >= MAX_PREPARED) return Promise.resolve(null);
  const name = `herald_statement_${prepared.size + 1}`;
  // A text PostgreSQL cannot prepare (say, a parameter whose type nothing decides) goes inline
  // as before; if the statement itself is wrong, running it says so.
  const named = client.exec(`prepare ${name} as ${text}`).then(
    () => name,
    () => null,
  );
  prepared.set(text, named);
  return named;
}

/** `EXECUTE name(…)` with the parameters as SQL literals (PostgreSQL coerces each to its parameter's type). */
function executeQuery(name: string, params: readonly unknown[]): string {
  return params.length === 0 ? `execute ${name}` : `execute ${name}(${params.map(sqlLiteral).join(", ")})`;
}

/** `$n` placeholders replaced by their values as SQL literals. */
export function inlineParams(text: string, params: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (placeholder, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= params.length) throw new Error(`no parameter for ${placeholder}`);
    return sqlLiteral(params[index]);
  });
}

/**
 * A value as a SQL literal. Strings use the escape-string form, with both quote and backslash
 * escaped, which reads the same whatever `standard_conforming_strings` says; NUL, which no text
 * value may hold, is refused rather than cut short.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "string") {
    if (value.includes("\u0000")) throw new Error("a text value cannot hold a NUL character");
    return `E'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
  }
  throw new Error(`no SQL literal for a ${typeof value} parameter; pass a string, number, boolean or null`);
}
