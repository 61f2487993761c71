/**
 * Herald's durable facts. PostgreSQL is the source of truth for everything here;
 * live facts (connections, heartbeats) live in the presence store instead.
 */
import { CHOSEN_STATUSES, LAST_SEEN_LEVELS, type DeviceKind, type LastSeenLevel, type VisibleStatus } from "@herald/protocol";
import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const chosenStatus = pgEnum("chosen_status", CHOSEN_STATUSES);
export const lastSeenLevel = pgEnum("last_seen_level", LAST_SEEN_LEVELS);
export const friendshipStatus = pgEnum("friendship_status", ["pending", "accepted"]);

/**
 * User ids are text: Herald's own accounts get a random UUID (as text), and with the host's
 * identity (`AUTH_MODE=jwt`) a user's id is the host's `sub`, whatever its shape. So every id a
 * client or the host sees is the one stored here, with no mapping between two kinds of id.
 * Ids are ASCII (checked on input), so the "C" ordering the friendship pairs use is JavaScript's.
 */
export const users = pgTable("users", {
  id: text()
    .primaryKey()
    .default(sql`gen_random_uuid()::text`),
  /** Herald's own accounts only; null for the host's users, who sign in with the host. */
  username: text().unique(),
  /** Herald's own accounts only. */
  passwordHash: text(),
  /** The host's users: the name the host gives them (`AUTH_NAME_CLAIM`, `system.users.upsert`). */
  displayName: text(),
  /** Session tokens carry the version they were signed under; `auth.signOut` bumps it, revoking them all. */
  tokenVersion: integer().notNull().default(0),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * One row per pair: the two ids are stored ordered (userLow < userHigh) so that
 * "A asked B" and "B asked A" can never both exist.
 */
export const friendships = pgTable(
  "friendships",
  {
    userLow: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    userHigh: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    requesterId: text().notNull(),
    status: friendshipStatus().notNull().default("pending"),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userLow, t.userHigh] }),
    index().on(t.userHigh),
    // Byte order ("C"), whatever the database's collation: the order JavaScript's `<` gives ASCII ids.
    check("friendships_ordered_pair", sql`${t.userLow} collate "C" < ${t.userHigh} collate "C"`),
    check("friendships_requester_in_pair", sql`${t.requesterId} in (${t.userLow}, ${t.userHigh})`),
  ],
);

/**
 * A user's chosen presence and what each class of friend last saw of them.
 * `lastSeen` is what friends outside the allow-list last saw (rule 5 freezes it when the
 * user goes invisible); `lastSeenBy` holds a later moment for allow-listed friends who
 * kept seeing the user while invisible. `lastDisconnectedAt` is the user's own truth.
 */
export const userPresence = pgTable(
  "user_presence",
  {
    userId: text()
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    status: chosenStatus().notNull().default("online"),
    /** Chosen: auto-away is live, never stored (docs/protocol.md §7.2). */
    message: text(),
    /** When `status` ends by itself (back to `online`); null: no end (docs/protocol.md §9.1). */
    statusUntil: timestamp({ withTimezone: true }),
    /** When `message` clears by itself; null: no end. */
    messageUntil: timestamp({ withTimezone: true }),
    visibleTo: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    lastSeen: timestamp({ withTimezone: true }),
    lastSeenBy: jsonb().$type<Record<string, string>>().notNull().default({}),
    lastDisconnectedAt: timestamp({ withTimezone: true }),
    /** Who sees the exact last-seen time (docs/protocol.md §9.3), and per-friend exceptions to it. */
    lastSeenLevel: lastSeenLevel().notNull().default("friends"),
    lastSeenExceptions: jsonb().$type<Record<string, LastSeenLevel>>().notNull().default({}),
    /**
     * Friends who just lost sight of the user and still see what they saw, until the offline grace
     * is over (rule 5: hiding looks like disconnecting, timing included). Shaped as `Fade[]` of
     * @herald/presence; short-lived, removed when they end.
     */
    fades: jsonb().$type<StoredFade[]>().notNull().default([]),
    /**
     * +1 on every write: writers compare-and-set on it (optimistic concurrency, one statement per
     * change), and the live store records the newest one published, so a server knows when the
     * row it remembers is still current without reading it again.
     */
    revision: integer().notNull().default(0),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Every server looks for statuses and messages that are due to end (docs/protocol.md §9.1).
    index("user_presence_status_until_idx")
      .on(t.statusUntil)
      .where(sql`${t.statusUntil} is not null`),
    index("user_presence_message_until_idx")
      .on(t.messageUntil)
      .where(sql`${t.messageUntil} is not null`),
  ],
);

/** One fade (see `fades`; @herald/presence calls it `Fade`): its shape, stored as it is used. */
export interface StoredFade {
  /** When the user vanished for these viewers: their last-seen moment. */
  at: string;
  /** When the fade ends: `at` + the offline grace. */
  until: string;
  /** What they keep seeing until then. */
  status: Exclude<VisibleStatus, "offline">;
  message: string | null;
  /** The status's end and the devices they saw (absent in fades stored before these existed). */
  statusUntil?: string | null;
  devices?: DeviceKind[];
  /** Exactly these viewers; null: every friend but `except`. */
  only: string[] | null;
  except: string[];
}

export type UserRow = typeof users.$inferSelect;
export type FriendshipRow = typeof friendships.$inferSelect;
export type UserPresenceRow = typeof userPresence.$inferSelect;
export type LiveVouchRow = typeof liveVouches.$inferSelect;
export type { ChosenStatus } from "@herald/protocol";

/**
 * What a server whose live store dies with its process (the in-memory store: no Redis) vouches for
 * at every sweep: that it is alive (`vouchedAt`), and who is connected to it (`live_vouch_users`,
 * written as they come and go). A crash takes the live store along, and nobody else knows these
 * users were online; the next server to start settles them offline, last seen `vouchedAt` (rule 7).
 * A server that stops cleanly records last seen itself and removes its row. Servers on Redis write
 * none: the reaper there finds what a dead server left.
 */
export const liveVouches = pgTable("live_vouches", {
  /** A random id per server process. */
  serverId: text().primaryKey(),
  vouchedAt: timestamp({ withTimezone: true }).notNull(),
});

/** The users a server vouches are connected to it (see `liveVouches`); they go with its row. */
export const liveVouchUsers = pgTable(
  "live_vouch_users",
  {
    serverId: text()
      .notNull()
      .references(() => liveVouches.serverId, { onDelete: "cascade" }),
    userId: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.serverId, t.userId] })],
);
