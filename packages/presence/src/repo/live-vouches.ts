/**
 * The `live_vouches` and `live_vouch_users` rows: each server's word that it is alive, and on who
 * is connected to it. All of their SQL is here.
 */
import { and, eq, ne, sql } from "drizzle-orm";
import { executeRows, liveVouches, liveVouchUsers, type Database, type LiveVouchRow } from "@herald/db";
import { textArrayLiteral } from "./text-array.js";

export class LiveVouchesRepo {
  constructor(private readonly db: Database) {}

  /** Moves the time of `serverId`'s word to `at`. False when it has no row (it then names nobody). */
  async touch(serverId: string, at: Date): Promise<boolean> {
    const updated = await this.db
      .update(liveVouches)
      .set({ vouchedAt: at })
      .where(eq(liveVouches.serverId, serverId))
      .returning({ serverId: liveVouches.serverId });
    return updated.length > 0;
  }

  /** A row for `serverId`, vouched at `at`, naming nobody yet. */
  async create(serverId: string, at: Date): Promise<void> {
    await this.db.insert(liveVouches).values({ serverId, vouchedAt: at }).onConflictDoNothing();
  }

  /** `serverId` now also vouches for these users (ids as one parameter: thousands in a connect storm). */
  async name(serverId: string, userIds: readonly string[]): Promise<void> {
    await executeRows(
      this.db,
      sql`insert into live_vouch_users (server_id, user_id) select ${serverId}, unnest(${textArrayLiteral(userIds)}::text[]) on conflict do nothing`,
    );
  }

  /** `serverId` no longer vouches for these users. */
  async unname(serverId: string, userIds: readonly string[]): Promise<void> {
    await executeRows(
      this.db,
      sql`delete from live_vouch_users where server_id = ${serverId} and user_id = any(${textArrayLiteral(userIds)}::text[])`,
    );
  }

  /** Every other server's word. */
  async others(serverId: string): Promise<LiveVouchRow[]> {
    return this.db.select().from(liveVouches).where(ne(liveVouches.serverId, serverId));
  }

  /** The users `serverId` vouches for. */
  async namedBy(serverId: string): Promise<string[]> {
    const rows = await this.db.select({ userId: liveVouchUsers.userId }).from(liveVouchUsers).where(eq(liveVouchUsers.serverId, serverId));
    return rows.map((row) => row.userId);
  }

  /** Removes a server's word and the users it names, unless it was vouched again since `vouchedAt` (given: a row read earlier). */
  async remove(serverId: string, vouchedAt?: Date): Promise<void> {
    const same = eq(liveVouches.serverId, serverId);
    await this.db.delete(liveVouches).where(vouchedAt ? and(same, eq(liveVouches.vouchedAt, vouchedAt)) : same);
  }
}
