/** Friendship queries. A pair is stored once, ordered, with who asked (see the schema). All of `friendships`' SQL is here. */
import { and, eq, or, sql, type SQL } from "drizzle-orm";
import { executeRows, friendships, users, type Database, type FriendshipRow } from "@herald/db";
import { shownName } from "./accounts.js";
import { textArrayLiteral } from "./text-array.js";

export function orderedPair(a: string, b: string): { userLow: string; userHigh: string } {
  return a < b ? { userLow: a, userHigh: b } : { userLow: b, userHigh: a };
}

const involves = (userId: string) => or(eq(friendships.userLow, userId), eq(friendships.userHigh, userId));

const isPair = (a: string, b: string) => {
  const pair = orderedPair(a, b);
  return and(eq(friendships.userLow, pair.userLow), eq(friendships.userHigh, pair.userHigh));
};

/** Ordered pairs (`orderedPair`), as `[userLow, userHigh]`. */
export type Pair = readonly [string, string];

/** The pairs as a table `p(low, high)`, from two array parameters (a thousand pairs are two parameters, not two thousand). */
const pairTable = (pairs: readonly Pair[]): SQL =>
  sql`unnest(${textArrayLiteral(pairs.map(([low]) => low))}::text[], ${textArrayLiteral(pairs.map(([, high]) => high))}::text[]) as p(low, high)`;

interface PairRow {
  user_low: string;
  user_high: string;
}

export interface FriendSummary {
  id: string;
  username: string;
}

export type Relation = FriendSummary & { status: "pending" | "accepted"; requesterId: string };

export class FriendshipsRepo {
  constructor(private readonly db: Database) {}

  async find(a: string, b: string): Promise<FriendshipRow | undefined> {
    const [row] = await this.db.select().from(friendships).where(isPair(a, b));
    return row;
  }

  /**
   * Read on every subscribe (and every check naming friends). A written statement rather than a
   * Drizzle query, so that on PGlite it goes as one simple query (`executeRows`), prepared once,
   * and the reads of one turn share one trip into the engine (pglite-combiner.ts). Two index
   * scans joined, rather than one `or`: each plans the same with or without statistics. The ids
   * come back as JSON in one row, not a row each: PGlite's driver builds an object per row in
   * JavaScript, and 20 rows of one id cost more than the scans (`pnpm --filter @herald/bench
   * pglite-statements`: ~0.20 → ~0.155 ms per read). One statement per user, also when several
   * users' lists are read in one turn: on PGlite one statement for all of them costs more per
   * user below ~32 users (`pnpm --filter @herald/bench pglite-friend-lists`; BENCHMARKS.md,
   * session 19), and on PostgreSQL a connect storm went slower with them joined.
   */
  async friendIdsOf(userId: string): Promise<string[]> {
    const [row] = await executeRows<{ friend_ids: string[] }>(
      this.db,
      sql`select coalesce(json_agg(friend_id), '[]') as friend_ids from (
          select user_high as friend_id from friendships where user_low = ${userId} and status = 'accepted'
          union all
          select user_low from friendships where user_high = ${userId} and status = 'accepted') as friends`,
      { prepared: true },
    );
    return row?.friend_ids ?? [];
  }

  async areFriends(a: string, b: string): Promise<boolean> {
    return (await this.find(a, b))?.status === "accepted";
  }

  /** Friends (accepted) and requests (pending) with usernames, in one query. */
  async relationsOf(userId: string): Promise<Relation[]> {
    const otherId = sql<string>`case when ${friendships.userLow} = ${userId} then ${friendships.userHigh} else ${friendships.userLow} end`;
    return this.db
      .select({ id: users.id, username: shownName, status: friendships.status, requesterId: friendships.requesterId })
      .from(friendships)
      .innerJoin(users, eq(users.id, otherId))
      .where(involves(userId))
      .orderBy(shownName, users.id);
  }

  /** Pending requests to and from the user, by username. */
  async pendingOf(userId: string): Promise<{ incoming: FriendSummary[]; outgoing: FriendSummary[] }> {
    const pending = (await this.relationsOf(userId)).filter((r) => r.status === "pending");
    const summary = ({ id, username }: FriendSummary) => ({ id, username });
    return {
      incoming: pending.filter((r) => r.requesterId !== userId).map(summary),
      outgoing: pending.filter((r) => r.requesterId === userId).map(summary),
    };
  }

  /** A pending request from `requesterId` to `addresseeId`; false (and nothing) if the pair already has a row. */
  async request(requesterId: string, addresseeId: string): Promise<boolean> {
    const inserted = await this.db
      .insert(friendships)
      .values({ ...orderedPair(requesterId, addresseeId), requesterId })
      .onConflictDoNothing()
      .returning({ status: friendships.status });
    return inserted.length > 0;
  }

  /** Turns the pending request from `requesterId` to `addresseeId` into a friendship; false if there was none. */
  async accept(requesterId: string, addresseeId: string): Promise<boolean> {
    const updated = await this.db
      .update(friendships)
      .set({ status: "accepted", updatedAt: new Date() })
      .where(and(isPair(requesterId, addresseeId), eq(friendships.requesterId, requesterId), eq(friendships.status, "pending")))
      .returning({ status: friendships.status });
    return updated.length > 0;
  }

  /**
   * Makes these ordered pairs friends (the host's graph, `system.friends.link`): new pairs are
   * accepted at once, and a pending request between a pair becomes a friendship. Answers which
   * pairs changed, and which of them had a request (whose lists changed too).
   */
  async link(pairs: readonly Pair[]): Promise<{ added: Pair[]; accepted: Pair[] }> {
    if (pairs.length === 0) return { added: [], accepted: [] };
    const inserted = await executeRows<PairRow>(
      this.db,
      sql`insert into friendships (user_low, user_high, requester_id, status)
        select low, high, low, 'accepted' from ${pairTable(pairs)}
        on conflict do nothing
        returning user_low, user_high`,
    );
    // After the insert: a request made in between is accepted here rather than left pending.
    const updated = await executeRows<PairRow>(
      this.db,
      sql`update friendships as f set status = 'accepted', updated_at = now()
        from ${pairTable(pairs)}
        where f.user_low = p.low and f.user_high = p.high and f.status = 'pending'
        returning f.user_low, f.user_high`,
    );
    const asPair = (row: PairRow): Pair => [row.user_low, row.user_high];
    return { added: [...inserted.map(asPair), ...updated.map(asPair)], accepted: updated.map(asPair) };
  }

  /** Which of these ordered pairs are not friends (no row, or a pending request). */
  async notFriends(pairs: readonly Pair[]): Promise<Pair[]> {
    if (pairs.length === 0) return [];
    const rows = await executeRows<{ low: string; high: string }>(
      this.db,
      sql`select p.low, p.high from ${pairTable(pairs)}
        where not exists (select 1 from friendships f where f.user_low = p.low and f.user_high = p.high and f.status = 'accepted')`,
    );
    return rows.map((row) => [row.low, row.high]);
  }

  /** Ends these ordered pairs' friendships and requests (`system.friends.unlink`); what each was. */
  async unlink(pairs: readonly Pair[]): Promise<Array<{ pair: Pair; was: "pending" | "accepted" }>> {
    if (pairs.length === 0) return [];
    const deleted = await executeRows<PairRow & { status: "pending" | "accepted" }>(
      this.db,
      sql`delete from friendships as f using ${pairTable(pairs)}
        where f.user_low = p.low and f.user_high = p.high
        returning f.user_low, f.user_high, f.status`,
    );
    return deleted.map((row) => ({ pair: [row.user_low, row.user_high], was: row.status }));
  }

  /** Ends the pair's friendship or request; what it was, or null if there was nothing. */
  async remove(a: string, b: string): Promise<"pending" | "accepted" | null> {
    const [deleted] = await this.db.delete(friendships).where(isPair(a, b)).returning({ status: friendships.status });
    return deleted?.status ?? null;
  }
}
