/** Reads and writes the durable half of presence (`user_presence`). */
import { inArray, eq } from "drizzle-orm";
import { userPresence, type Database, type UserPresenceRow } from "@herald/db";
import { DEFAULT_DURABLE_PRESENCE, type DurablePresence } from "../types.js";

function toDurable(row: UserPresenceRow): DurablePresence {
  return {
    status: row.status,
    message: row.message,
    visibleTo: row.visibleTo,
    lastSeen: row.lastSeen?.toISOString() ?? null,
    lastSeenBy: row.lastSeenBy,
    lastDisconnectedAt: row.lastDisconnectedAt?.toISOString() ?? null,
  };
}

function toRow(durable: DurablePresence) {
  return {
    status: durable.status,
    message: durable.message,
    visibleTo: durable.visibleTo,
    lastSeen: durable.lastSeen ? new Date(durable.lastSeen) : null,
    lastSeenBy: durable.lastSeenBy,
    lastDisconnectedAt: durable.lastDisconnectedAt ? new Date(durable.lastDisconnectedAt) : null,
    updatedAt: new Date(),
  };
}

export async function loadDurable(db: Database, userIds: readonly string[]): Promise<Map<string, DurablePresence>> {
  const result = new Map<string, DurablePresence>();
  if (userIds.length === 0) return result;
  const rows = await db.select().from(userPresence).where(inArray(userPresence.userId, [...userIds]));
  for (const row of rows) result.set(row.userId, toDurable(row));
  return result;
}

export async function createDurable(db: Database, userId: string): Promise<void> {
  await db.insert(userPresence).values({ userId }).onConflictDoNothing();
}

/**
 * Read-modify-write of one user's durable presence under a row lock, so that concurrent
 * changes (two devices, two servers, a reaper) never lose each other's writes.
 */
export async function updateDurable(
  db: Database,
  userId: string,
  change: (before: DurablePresence) => DurablePresence,
): Promise<DurablePresence> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(userPresence).where(eq(userPresence.userId, userId)).for("update");
    const before = row ? toDurable(row) : { ...DEFAULT_DURABLE_PRESENCE };
    const after = change(before);
    await tx
      .insert(userPresence)
      .values({ userId, ...toRow(after) })
      .onConflictDoUpdate({ target: userPresence.userId, set: toRow(after) });
    return after;
  });
}
