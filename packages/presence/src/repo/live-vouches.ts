/** The `live_vouches` rows: every server's word on who is connected to it, and when it last gave it. All of their SQL is here. */
import { and, eq, ne } from "drizzle-orm";
import { liveVouches, type Database } from "@herald/db";

export interface Vouch {
  serverId: string;
  /** The last moment the server said these users were connected to it. */
  vouchedAt: Date;
  userIds: string[];
}

export class LiveVouchesRepo {
  constructor(private readonly db: Database) {}

  /** Moves the time of `serverId`'s word to `at`, keeping the users it named. False when it has no row. */
  async touch(serverId: string, at: Date): Promise<boolean> {
    const updated = await this.db
      .update(liveVouches)
      .set({ vouchedAt: at })
      .where(eq(liveVouches.serverId, serverId))
      .returning({ serverId: liveVouches.serverId });
    return updated.length > 0;
  }

  /** `serverId` vouches, at `at`, that `userIds` are connected to it. */
  async put(serverId: string, at: Date, userIds: readonly string[]): Promise<void> {
    const row = { vouchedAt: at, userIds: [...userIds] };
    await this.db
      .insert(liveVouches)
      .values({ serverId, ...row })
      .onConflictDoUpdate({ target: liveVouches.serverId, set: row });
  }

  /** Every other server's row. */
  async others(serverId: string): Promise<Vouch[]> {
    return this.db.select().from(liveVouches).where(ne(liveVouches.serverId, serverId));
  }

  /** Removes a row, unless it was vouched again since `vouchedAt` (given: a row read earlier). */
  async remove(serverId: string, vouchedAt?: Date): Promise<void> {
    const same = eq(liveVouches.serverId, serverId);
    await this.db.delete(liveVouches).where(vouchedAt ? and(same, eq(liveVouches.vouchedAt, vouchedAt)) : same);
  }
}
