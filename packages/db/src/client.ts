/**
 * One factory for both backends: PostgreSQL through postgres-js when a URL is given, and
 * embedded PGlite (files in `dataDir`, or memory) otherwise. Migrations run on open.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { redactUrl } from "@herald/protocol";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { lockDirectory } from "./directory-lock.js";
import { restrictToOwner } from "./private-files.js";
import { settleIssuedStatements } from "./statement.js";
import * as schema from "./schema.js";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  kind: "postgres" | "pglite";
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Closes it once every statement already issued through `executeRows`/`executeBatch` has its answer. */
  close(): Promise<void>;
}

export type DatabaseOptions = { databaseUrl: string; maxConnections?: number } | { dataDir: string | null };

/**
 * packages/db/migrations, next to src/ when this file runs as source; in the server's bundle
 * (apps/server/build.mjs) this code runs from dist/main.js and the migrations are copied to
 * dist/migrations beside it.
 */
export function findMigrationsFolder(moduleUrl: string = import.meta.url): string {
  const candidates = [new URL("../migrations", moduleUrl), new URL("./migrations", moduleUrl)].map((url) => fileURLToPath(url));
  const found = candidates.find((dir) => existsSync(`${dir}/meta/_journal.json`));
  if (!found) throw new Error(`database migrations not found (looked in ${candidates.join(" and ")})`);
  return found;
}

const migrationsFolder = findMigrationsFolder();

export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return "databaseUrl" in options ? openPostgres(options.databaseUrl, options.maxConnections) : openPglite(options.dataDir);
}

async function openPostgres(url: string, maxConnections = 10): Promise<DatabaseHandle> {
  const client = postgres(url, {
    max: maxConnections,
    onnotice: () => {},
    connect_timeout: 5,
    // Long-lived server: recycle idle sockets so a restarted database is picked up again.
    idle_timeout: 30,
  });
  guardTransactionStart(client);
  const db = drizzlePostgres(client, { schema, casing: "snake_case" });
  try {
    // The schema's type named, not inferred: inferring it from `db` makes TypeScript relate drizzle's
    // generic sessions member by member (~0.6 s of every type-check and lint of this file).
    await migrateExclusively(url, () => migratePostgres<typeof schema>(db, { migrationsFolder }));
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new DatabaseUnavailableError(`cannot open the database at DATABASE_URL (${redactUrl(url)}): ${describe(error)}`, {
      cause: error,
    });
  }
  // postgres-js 3.4.9 reads the array types on every connection it opens, from a promise nobody
  // awaits: a connection lost during that query (a database blip, a restart) is an unhandled
  // rejection, which ends the process. The types are known by now (the migrations' connection
  // read them, and every connection shares them), so connections opened from here on skip it;
  // their own queries fail to their callers as usual.
  client.options.fetch_types = false;
  return {
    db: db as unknown as Database,
    kind: "postgres",
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {
      await settleIssuedStatements(db);
      await client.end({ timeout: 5 });
    },
  };
}

/** Servers starting together on one database would race to create the same tables. */
const MIGRATION_LOCK_KEY = 0x4e5241; // any constant shared by every Herald server

async function migrateExclusively(url: string, migrate: () => Promise<void>): Promise<void> {
  // A session-level advisory lock needs one dedicated connection for its whole life.
  // No array types to read (see openPostgres for why not reading them matters).
  const lock = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5, fetch_types: false });
  try {
    await lock`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate();
  } finally {
    await lock.end({ timeout: 1 }).catch(() => {});
  }
}

/**
 * PostgreSQL's memory settings, sized for Herald's tables (a few rows per user) rather than
 * PostgreSQL's defaults for a dedicated server. PGlite runs inside this process, so its buffers
 * are the server's RSS: on reopening a data directory, 304 MiB with the defaults, 183 MiB with
 * these (PGlite 0.5.17, measured here).
 */
const PGLITE_MEMORY_CONF = [
  "shared_buffers = 16MB",
  "wal_buffers = 1MB",
  "work_mem = 1MB",
  "maintenance_work_mem = 8MB",
  "temp_buffers = 1MB",
];

/**
 * The planner's costs for where PGlite's pages are: in memory, where a random read costs what a
 * sequential one does (1.1 is PostgreSQL's usual figure for SSDs). PGlite runs no autovacuum, so
 * its tables never get statistics; with the default 4.0 the planner then reads `id = any(…)` of a
 * few ids by scanning the whole table (1,000 users: ~800 µs for the token versions of 3 users,
 * ~250 µs through the primary key), and a scan's cost grows with every user.
 */
const PGLITE_PLANNER_CONF = ["random_page_cost = 1.1"];

const PGLITE_CONF = [...PGLITE_MEMORY_CONF, ...PGLITE_PLANNER_CONF];

/**
 * Collects garbage now, so that the WASM memory of a closed PGlite goes back to the system
 * before the next one is opened (V8 would otherwise keep it until heap pressure, which this
 * process may never reach). Used once, after creating a data directory.
 */
function releaseMemory(): void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
}

async function openPglite(dataDir: string | null): Promise<DatabaseHandle> {
  if (!dataDir) return openPgliteIn(null, async () => {});
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Before PGlite touches the files: two processes on them lose one's writes (directory-lock.ts).
  const unlock = await lockDirectory(dataDir);
  try {
    return await openPgliteIn(dataDir, unlock);
  } catch (error) {
    await unlock();
    throw error;
  }
}

/** PGlite in `dataDir` (in memory when null); `unlock` releases the directory when it closes. */
async function openPgliteIn(dataDir: string | null, unlock: () => Promise<void>): Promise<DatabaseHandle> {
  if (dataDir) {
    restrictToOwner(dataDir);
    // Creating a data directory runs initdb in this process, and the instance that did it keeps
    // ~450 MiB more than one that opens an existing directory: create it, close it, open again.
    if (!existsSync(join(dataDir, "PG_VERSION"))) {
      const creator = new PGlite(dataDir, { postgresqlconf: PGLITE_CONF });
      await creator.waitReady;
      await creator.close();
      releaseMemory();
    }
  }
  const client = dataDir ? new PGlite(dataDir, { postgresqlconf: PGLITE_CONF }) : new PGlite({ postgresqlconf: PGLITE_CONF });
  const db = drizzlePglite(client, { schema, casing: "snake_case" });
  await migratePglite<typeof schema>(db, { migrationsFolder }); // the type named: see openPostgres
  // PGlite creates its files 0666 (see private-files.ts); files it adds later sit in 0700 directories.
  if (dataDir) restrictToOwner(dataDir);
  return {
    db: db as unknown as Database,
    kind: "pglite",
    ping: async () => {
      await client.query("select 1");
    },
    close: async () => {
      await settleIssuedStatements(db);
      await client.close();
      if (dataDir) restrictToOwner(dataDir);
      await unlock();
    },
  };
}

/** Longer than connect_timeout: a transaction that has not begun by then never will. */
const TRANSACTION_START_TIMEOUT_MS = 10_000;
/** Far longer than any of Herald's statements takes: one still unanswered by then is lost. */
export const QUERY_DEADLINE_MS = 10_000;

/**
 * postgres-js 3.4 can also lose a plain query sent just as its connection drops: the promise
 * never settles. Where a query's promise is shared (a batch of writes, a lookup many callers
 * wait for), one lost query would stall them all for good; such callers bound the wait with
 * this, and get DatabaseUnavailableError like any other query during an outage. `giveUp` says,
 * when the time is up, whether to fail now (default: yes).
 */
export function withDeadline<T>(
  query: PromiseLike<T>,
  what: string,
  ms = QUERY_DEADLINE_MS,
  giveUp: () => boolean = () => true,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      if (giveUp()) reject(new DatabaseUnavailableError(`${what}: no answer from the database within ${ms} ms`));
    }, ms);
    timer.unref();
    query.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * postgres-js 3.4 bug: a transaction begun while the database is unreachable can wait forever
 * (the BEGIN is lost with the connection, and the promise never settles, even after the database
 * is back), which stalls whatever awaits it (the migrations at start-up; Herald's own writes use
 * no transaction). A transaction that has not started within the timeout is abandoned (its body
 * never runs) and fails like any other query during an outage.
 */
function guardTransactionStart(client: postgres.Sql): void {
  const begin = client.begin.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as { begin: unknown }).begin = (...args: unknown[]) => {
    const fn = args.pop() as (tx: unknown) => unknown;
    let state: "waiting" | "started" | "abandoned" = "waiting";
    const run = begin(...args, (tx: unknown) => {
      if (state === "abandoned") throw new DatabaseUnavailableError("transaction abandoned: it did not start in time");
      state = "started";
      return fn(tx);
    });
    // Only a transaction still waiting to begin is given up; a started one runs its course.
    return withDeadline(run, "starting a transaction", TRANSACTION_START_TIMEOUT_MS, () => {
      if (state !== "waiting") return false;
      state = "abandoned";
      return true;
    });
  };
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}
