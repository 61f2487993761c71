/** Friendship queries. A pair is stored once, ordered, with who asked (see the schema). */
import { and, eq, or, sql } from "drizzle-orm";
import { friendships, users, type Database, type FriendshipRow } from "@herald/db";

export function orderedPair(a: string, b: string): { userLow: string; userHigh: string } {
  return a < b ? { userLow: a, userHigh: b } : { userLow: b, userHigh: a };
}

export function otherUser(row: Pick<FriendshipRow, "userLow" | "userHigh">, me: string): string {
  return row.userLow === me ? row.userHigh : row.userLow;
}

const involves = (userId: string) => or(eq(friendships.userLow, userId), eq(friendships.userHigh, userId));

export async function findFriendship(db: Database, a: string, b: string): Promise<FriendshipRow | undefined> {
  const pair = orderedPair(a, b);
  const [row] = await db
    .select()
    .from(friendships)
    .where(and(eq(friendships.userLow, pair.userLow), eq(friendships.userHigh, pair.userHigh)));
  return row;
}

export async function friendIdsOf(db: Database, userId: string): Promise<string[]> {
  const rows = await db
    .select({ userLow: friendships.userLow, userHigh: friendships.userHigh })
    .from(friendships)
    .where(and(involves(userId), eq(friendships.status, "accepted")));
  return rows.map((row) => otherUser(row, userId));
}

export async function areFriends(db: Database, a: string, b: string): Promise<boolean> {
  const row = await findFriendship(db, a, b);
  return row?.status === "accepted";
}

export interface FriendSummary {
  id: string;
  username: string;
}

/** Friends (accepted) and requests (pending) with usernames, in one query. */
export async function relationsOf(
  db: Database,
  userId: string,
): Promise<Array<FriendSummary & { status: "pending" | "accepted"; requesterId: string }>> {
  const otherId = sql<string>`case when ${friendships.userLow} = ${userId} then ${friendships.userHigh} else ${friendships.userLow} end`;
  return db
    .select({ id: users.id, username: users.username, status: friendships.status, requesterId: friendships.requesterId })
    .from(friendships)
    .innerJoin(users, eq(users.id, otherId))
    .where(involves(userId))
    .orderBy(users.username);
}
