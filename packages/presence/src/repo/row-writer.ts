/**
 * Compare-and-set writes of `user_presence` rows, many users per transaction (group commit).
 *
 * A transaction costs far more than a row: on PGlite a lone one-row UPDATE takes ~0.35 ms of CPU
 * and sixteen rows together ~70 µs each (`pnpm --filter @herald/bench pglite-writes`); on
 * PostgreSQL each statement is a round trip. So writes that arrive while a statement is in
 * flight, or within MIN_STATEMENT_SPACING_MS of its start (on PGlite a statement runs on this
 * thread, so nothing arrives while it is in flight), wait for it and then go together in the
 * next one. On PGlite a statement also waits until its first write is PGLITE_HOLD_MS old
 * (PGLITE_LOADED_HOLD_MS while writes come fast), so that writes a few milliseconds apart share
 * it even at low load: its CPU is the server's own. On PostgreSQL a write goes out at once at low
 * load (the database's work is on another machine or core), and under load the batches grow and
 * the cost per change falls.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { sql, type SQL } from "drizzle-orm";
import { executeBatch, runsOnThisThread, statement, withDeadline, type Database, type Statement } from "@herald/db";
import type { DurablePresence } from "../types.js";
import { textArrayLiteral } from "./text-array.js";

/** One row's compare-and-set (the bench's `pglite-writes` builds these too). */
export interface RowWrite {
  userId: string;
  expectedRevision: number;
  after: DurablePresence;
}

interface PendingWrite extends RowWrite {
  /** `performance.now()` when it was asked for. */
  queuedAt: number;
  resolve(written: boolean): void;
  reject(error: unknown): void;
}

/** Rows per statement at most; the rest wait for the next one. */
const MAX_BATCH = 500;

/**
 * A statement starts no sooner than this after the one before it started. Below a few hundred
 * changes a second a write rarely waits; above, each waits up to this long and joins the writes
 * that arrive meanwhile. Measured at 1,000 changes/s (BENCHMARKS.md, session 14): embedded p99
 * 35.7 -> 17.5 ms with 2 ms; 4 ms did not measure better on PostgreSQL + Redis.
 */
const MIN_STATEMENT_SPACING_MS = 2;

/**
 * On PGlite, how old a statement's first write must be before the statement starts. At 200
 * changes/s (5 ms apart on average) a statement then carries two writes instead of one, at
 * 1,000/s ~6.7 instead of ~2.7 (statements counted in the embedded server); each change reaches
 * friends that much later (p50 at 200/s ~2 → ~6 ms). Measured in BENCHMARKS.md, session 17.
 */
export const PGLITE_HOLD_MS = 5;

/**
 * The hold on PGlite once writes come fast: from the second statement in a row of LOADED_BATCH
 * writes gathered under the short hold (from roughly 500 changes/s up) until one gathered under
 * this hold carries fewer than STAY_LOADED_BATCH (roughly 400/s and down; two bounds, so that it
 * does not flap between the holds in between). There every statement saved is CPU the fan-out
 * needs, and the changes one statement publishes leave together, as one `updates` frame to a
 * viewer who is a friend of several of them. Embedded at 1,000 changes/s, alternating pairs: a
 * 10-ms hold against 5 ms, 0.43-0.53 → 0.35-0.47 of the server's core (session 21); 20 ms against
 * 10, 0.56 / 0.56 → 0.45 / 0.49, p99 ~21 → ~34 ms (session 22; 15 ms: 0.56 → 0.52). At 200/s a
 * 10-ms hold measured no saving and doubled p50 (5 → 10 ms), so slow writes keep the short one
 * (BENCHMARKS.md). One large statement is not load: at 200/s it is the backlog of a stall (a
 * collection, a burst of input), and when one started the loaded hold, the writes after it waited
 * 20 ms: ~1 % of the writes at 200/s, which is where the p99 is (session 24, BENCHMARKS.md).
 */
export const PGLITE_LOADED_HOLD_MS = 20;
const LOADED_BATCH = 4;
const STAY_LOADED_BATCH = 8;

/** How old a statement's first write must be: while writes come slowly, and while they come fast. */
export interface Hold {
  idleMs: number;
  loadedMs: number;
}

export class PresenceRowWriter {
  private queue: PendingWrite[] = [];
  private flushing = false;
  private lastStartedAt = -Infinity;
  /** The statements before carried enough writes for the loaded hold (see PGLITE_LOADED_HOLD_MS). */
  private loaded = false;
  /** The statement before carried LOADED_BATCH writes or more. */
  private lastWasLarge = false;
  readonly hold: Hold;

  constructor(
    private readonly db: Database,
    /** Default on PGlite PGLITE_HOLD_MS, then PGLITE_LOADED_HOLD_MS under load; on PostgreSQL none. */
    hold?: Hold,
  ) {
    this.hold = hold ?? (runsOnThisThread(db) ? { idleMs: PGLITE_HOLD_MS, loadedMs: PGLITE_LOADED_HOLD_MS } : { idleMs: 0, loadedMs: 0 });
  }

  /**
   * Writes `after` as the user's row if the row is still at `expectedRevision` (its revision
   * then goes up by one). False when another writer changed the row first. One write per user
   * at a time: the caller serializes a user's writes.
   */
  compareAndSet(userId: string, expectedRevision: number, after: DurablePresence): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ userId, expectedRevision, after, queuedAt: performance.now(), resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      // Writes made for the same burst of socket input join the first statement too.
      await nextTurn();
      while (this.queue.length > 0) {
        const holdMs = this.loaded ? this.hold.loadedMs : this.hold.idleMs;
        const startAt = Math.max(this.lastStartedAt + MIN_STATEMENT_SPACING_MS, this.queue[0]!.queuedAt + holdMs);
        const wait = startAt - performance.now();
        // With no wait (a backlog: the statement before took longer than the spacing), the next
        // statement would start in the same run of microtasks as the last one ended, and so on
        // through the backlog: on PGlite the event loop would not turn till all of it was
        // written, no frame going out and no input coming in meanwhile (1.1-1.7-s stalls at
        // 6,000 changes/s). One turn between them serves those.
        if (wait > 0) await sleep(wait);
        else await nextTurn();
        this.lastStartedAt = performance.now();
        const batch = this.queue.splice(0, MAX_BATCH);
        const large = batch.length >= LOADED_BATCH;
        this.loaded = this.loaded ? batch.length >= STAY_LOADED_BATCH : large && this.lastWasLarge;
        this.lastWasLarge = large;
        try {
          const written = await this.writeBatch(batch);
          for (const write of batch) write.resolve(written.has(write.userId));
        } catch (error) {
          for (const write of batch) write.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async writeBatch(batch: PendingWrite[]): Promise<Set<string>> {
    // The one-row statement is prepared on PGlite (a primary-key lookup plans well with no
    // statistics): ~0.9 → ~0.4–0.8 ms of CPU per write. A lone write (most of them, below a few
    // hundred changes/s) is just that statement; a batch is one transaction, on PGlite of those
    // same statements, on PostgreSQL one statement joining the rows as JSON (one round trip).
    const written = executeBatch<{ user_id: string }>(this.db, batch.map(oneRowUpdate), () => batchUpdate(batch), { prepared: true });
    // Every queued write waits on this statement: a lost one must fail them, not stall them all.
    const returned = await withDeadline(written, "writing presence rows");
    return new Set(returned.map((row) => row.user_id));
  }
}

export function oneRowUpdate({ userId, expectedRevision, after }: RowWrite): Statement {
  return statement`
    update user_presence set
      status = ${after.status}::chosen_status,
      message = ${after.message},
      status_until = ${after.statusUntil}::timestamptz,
      message_until = ${after.messageUntil}::timestamptz,
      last_seen_level = ${after.lastSeenLevel}::last_seen_level,
      last_seen_exceptions = ${JSON.stringify(after.lastSeenExceptions)}::jsonb,
      visible_to = ${textArrayLiteral(after.visibleTo)}::text[],
      last_seen = ${after.lastSeen}::timestamptz,
      last_seen_by = ${JSON.stringify(after.lastSeenBy)}::jsonb,
      last_disconnected_at = ${after.lastDisconnectedAt}::timestamptz,
      fades = ${JSON.stringify(after.fades)}::jsonb,
      revision = revision + 1,
      updated_at = now()
    where user_id = ${userId} and revision = ${expectedRevision}
    returning user_id`;
}

/**
 * Many rows' compare-and-set in one statement (on PostgreSQL, one round trip). The rows come in
 * as JSON through `presence_rows` (migration 0008), whose estimate of one row makes the planner
 * look each up by primary key; jsonb_to_recordset's estimate of 100 had it scan the whole table
 * for every statement up to ~20,000 users.
 */
export function batchUpdate(batch: readonly RowWrite[]): SQL {
  const rows = JSON.stringify(
    batch.map(({ userId, expectedRevision, after }) => ({
      user_id: userId,
      revision: expectedRevision,
      status: after.status,
      message: after.message,
      status_until: after.statusUntil,
      message_until: after.messageUntil,
      last_seen_level: after.lastSeenLevel,
      last_seen_exceptions: after.lastSeenExceptions,
      visible_to: after.visibleTo,
      last_seen: after.lastSeen,
      last_seen_by: after.lastSeenBy,
      last_disconnected_at: after.lastDisconnectedAt,
      fades: after.fades,
    })),
  );
  return sql`
    update user_presence as p set
      status = v.status,
      message = v.message,
      status_until = v.status_until,
      message_until = v.message_until,
      last_seen_level = v.last_seen_level,
      last_seen_exceptions = v.last_seen_exceptions,
      visible_to = v.visible_to,
      last_seen = v.last_seen,
      last_seen_by = v.last_seen_by,
      last_disconnected_at = v.last_disconnected_at,
      fades = v.fades,
      revision = p.revision + 1,
      updated_at = now()
    from presence_rows(${rows}::jsonb) as v
    where p.user_id = v.user_id and p.revision = v.revision
    returning p.user_id`;
}
