/**
 * Reads and writes the durable half of presence (`user_presence`), and remembers the rows it
 * saw so that the hot path rarely reads them again.
 *
 * Writes are compare-and-set on the row's `revision` (optimistic concurrency): two devices, two
 * servers or a reaper changing the same user never lose each other's writes, and a status
 * change costs one row in one PostgreSQL write, no transaction (row-writer.ts batches them).
 *
 * Reads trust a remembered row only when it is the newest revision the live store has seen
 * published (`LivePresence.durableRevision`): any write ordered before that live version is then
 * in it, which is all the ordering protocol needs (see presence-service.ts). A store that knows
 * an older revision than we remember lost its data (a Redis restarted empty; the embedded
 * server's memory store, empty at every start while the rows keep their revisions), so that is
 * read again too, once: the row read then is trusted for as long as the store still reports the
 * revision it reported before that read, as nothing was published since. (Else every snapshot
 * naming a user who has not changed since the loss reads their row again, and after a restart
 * that is nearly every user.) Rows are remembered for a short while only, which bounds how long
 * a write whose server died before publishing it stays unseen here, and a change published
 * between two losses of the store's data.
 */
import { sql } from "drizzle-orm";
import { executeRows, userPresence, withDeadline, type Database, type UserPresenceRow } from "@herald/db";
import { textArrayLiteral } from "./text-array.js";
import type { DurablePresence, LivePresence } from "../types.js";
import { PresenceRowWriter } from "./row-writer.js";

/** A user's durable presence as of one revision of their row. */
export interface DurableAt {
  durable: DurablePresence;
  revision: number;
}

/** What `update` did: the row now, and whether this update wrote it. */
export interface Updated extends DurableAt {
  changed: boolean;
}

interface Remembered extends DurableAt {
  at: number;
  /** The store's durable revision that the row was read under: the row's own, unless the store lost its data. */
  storeRevision: number;
}

/** Rows remembered at most; the oldest are forgotten first. */
const REMEMBER_ROWS = 100_000;
/** How long a remembered row may answer reads. */
const REMEMBER_MS = 30_000;
/** Compare-and-set attempts before a write gives up (each lost one re-reads the row). */
const MAX_WRITE_ATTEMPTS = 20;

export class DurablePresenceRepo {
  private readonly remembered = new Map<string, Remembered>();
  /** The write in progress per user: this server's writes to one row take turns, never conflict. */
  private readonly writing = new Map<string, Promise<Updated>>();
  private readonly writer: PresenceRowWriter;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.writer = new PresenceRowWriter(db);
  }

  /**
   * The durable facts to publish with these live facts, by user: remembered rows when they are
   * current enough, the rest in one query.
   */
  async currentFor(live: ReadonlyMap<string, LivePresence>): Promise<Map<string, DurablePresence>> {
    const result = new Map<string, DurablePresence>();
    const stale = new Map<string, number>();
    const now = this.now();
    for (const [userId, { durableRevision }] of live) {
      const remembered = this.remembered.get(userId);
      const current = remembered?.revision === durableRevision || remembered?.storeRevision === durableRevision;
      if (remembered && current && now - remembered.at < REMEMBER_MS) {
        result.set(userId, remembered.durable);
      } else {
        stale.set(userId, durableRevision);
      }
    }
    for (const [userId, row] of await this.read(stale)) result.set(userId, row.durable);
    return result;
  }

  /**
   * Applies `change` to the user's current row, however many writers compete. A change that
   * returns its input unchanged writes nothing.
   */
  async update(userId: string, change: (before: DurablePresence) => DurablePresence): Promise<Updated> {
    const previous = this.writing.get(userId);
    const mine: Promise<Updated> = previous
      ? previous.catch(() => null).then(() => this.write(userId, change))
      : this.write(userId, change);
    this.writing.set(userId, mine);
    try {
      return await mine;
    } finally {
      if (this.writing.get(userId) === mine) this.writing.delete(userId);
    }
  }

  private async write(userId: string, change: (before: DurablePresence) => DurablePresence): Promise<Updated> {
    let current = this.remembered.get(userId) ?? (await this.readOne(userId));
    for (let attempt = 1; ; attempt++) {
      const after = change(current.durable);
      if (after === current.durable) return { ...current, changed: false };
      if (await this.writer.compareAndSet(userId, current.revision, after)) {
        return { ...this.remember(userId, { durable: after, revision: current.revision + 1 }), changed: true };
      }
      if (attempt >= MAX_WRITE_ATTEMPTS) {
        throw new Error(`user_presence of ${userId}: still conflicting after ${MAX_WRITE_ATTEMPTS} attempts`);
      }
      current = await this.readOne(userId); // another server wrote first: start from their row
    }
  }

  /**
   * Rows whose status or message ends by `by` (docs/protocol.md §9.1), soonest first, at most
   * `limit`; remembered, so that the writes that end them start from the row read here.
   */
  async endingBy(by: Date, limit: number): Promise<Map<string, DurableAt>> {
    const rows = await withDeadline(
      executeRows<RawPresenceRow>(
        this.db,
        sql`select ${PRESENCE_COLUMNS} from user_presence
          where status_until <= ${by.toISOString()}::timestamptz or message_until <= ${by.toISOString()}::timestamptz
          order by least(status_until, message_until) limit ${limit}`,
      ),
      "reading presence rows that end",
    );
    return this.rememberRows(rows);
  }

  private async readOne(userId: string): Promise<DurableAt> {
    const asked = new Map([[userId, undefined]]);
    let row = (await this.read(asked)).get(userId);
    if (!row) {
      // Every user gets a row at sign-up; this is for rows lost or never made (older data).
      await createDurable(this.db, userId);
      row = (await this.read(asked)).get(userId);
    }
    if (!row) throw new Error(`user_presence of ${userId}: no row, and none could be created (no such user?)`);
    return row;
  }

  /**
   * The rows of the users in `storeRevisions`, each remembered under the durable revision the live
   * store reported for that user before this read (undefined: none; the row's own).
   */
  private async read(storeRevisions: ReadonlyMap<string, number | undefined>): Promise<Map<string, DurableAt>> {
    if (storeRevisions.size === 0) return new Map();
    // A user's writes wait on each other (`writing`): a lost read must fail, not hold them forever.
    // A written statement on the simple-query path (`executeRows`): on PGlite, 20 rows in ~1 ms instead of ~2.
    const rows = await withDeadline(
      executeRows<RawPresenceRow>(
        this.db,
        sql`select ${PRESENCE_COLUMNS} from user_presence where user_id = any(${textArrayLiteral([...storeRevisions.keys()])}::text[])`,
      ),
      "reading presence rows",
    );
    return this.rememberRows(rows, storeRevisions);
  }

  private rememberRows(rows: readonly RawPresenceRow[], storeRevisions?: ReadonlyMap<string, number | undefined>): Map<string, DurableAt> {
    const result = new Map<string, DurableAt>();
    for (const row of rows) {
      const read = { durable: fromRaw(row), revision: row.revision };
      result.set(row.user_id, this.remember(row.user_id, read, storeRevisions?.get(row.user_id)));
    }
    return result;
  }

  private remember(userId: string, row: DurableAt, storeRevision = row.revision): DurableAt {
    const known = this.remembered.get(userId);
    // A slower read may return after a newer write: never go back to an older revision.
    if (known && known.revision > row.revision) return row;
    const entry: Remembered = { ...row, at: this.now(), storeRevision };
    this.remembered.delete(userId);
    this.remembered.set(userId, entry);
    if (this.remembered.size > REMEMBER_ROWS) this.remembered.delete(this.remembered.keys().next().value!);
    return entry;
  }
}

export async function createDurable(db: Database, userId: string): Promise<void> {
  await db.insert(userPresence).values({ userId }).onConflictDoNothing();
}

/** The columns of a `user_presence` row that `fromRaw` reads. */
const PRESENCE_COLUMNS = sql.raw(
  "user_id, status, message, status_until, message_until, visible_to, last_seen, last_seen_by, last_disconnected_at, last_seen_level, last_seen_exceptions, fades, revision",
);

/**
 * A `user_presence` row as a plain statement returns it: timestamps are Dates on PGlite and
 * strings on postgres-js (Drizzle's driver keeps them raw), jsonb and text[] come parsed on both.
 */
interface RawPresenceRow {
  user_id: string;
  status: UserPresenceRow["status"];
  message: string | null;
  status_until: Date | string | null;
  message_until: Date | string | null;
  visible_to: string[];
  last_seen: Date | string | null;
  last_seen_by: UserPresenceRow["lastSeenBy"];
  last_disconnected_at: Date | string | null;
  last_seen_level: UserPresenceRow["lastSeenLevel"];
  last_seen_exceptions: UserPresenceRow["lastSeenExceptions"];
  fades: UserPresenceRow["fades"];
  revision: number;
}

/** As Drizzle reads a timestamptz: a Date, or PostgreSQL's text of one (which `Date` parses). */
const isoOf = (value: Date | string | null): string | null =>
  value === null ? null : (value instanceof Date ? value : new Date(value)).toISOString();

function fromRaw(row: RawPresenceRow): DurablePresence {
  return {
    status: row.status,
    message: row.message,
    statusUntil: isoOf(row.status_until),
    messageUntil: isoOf(row.message_until),
    visibleTo: row.visible_to,
    lastSeenLevel: row.last_seen_level,
    lastSeenExceptions: row.last_seen_exceptions,
    lastSeen: isoOf(row.last_seen),
    lastSeenBy: row.last_seen_by,
    lastDisconnectedAt: isoOf(row.last_disconnected_at),
    fades: row.fades,
  };
}
