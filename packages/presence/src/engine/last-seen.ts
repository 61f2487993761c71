/**
 * Last-seen controls (docs/protocol.md §9.3) as pure functions: how exactly a viewer may see a
 * user's last seen, and what an approximate viewer sees instead of the instant. `viewOf`
 * (visibility.ts) applies them to every offline view it makes.
 */
import type { LastSeenBucket, LastSeenLevel } from "@herald/protocol";
import type { DurablePresence } from "../types.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The upper bound (inclusive, in days since the last seen) of each bucket but the last. */
const BUCKET_DAYS: ReadonlyArray<readonly [LastSeenBucket, number]> = [
  ["recently", 3],
  ["within a week", 7],
  ["within a month", 30],
];

/**
 * What a view is made with besides the user's state: when (buckets are relative to it) and who
 * looks (their own default level, for reciprocity).
 */
export interface ViewContext {
  /** When the view is made, in ms since the epoch. */
  now: number;
  /** The viewer's own default last-seen level (not their exceptions). */
  viewerLevel: LastSeenLevel;
  /** LAST_SEEN_RECIPROCITY: a viewer whose own level is not `friends` sees others' at most approximately. */
  reciprocity: boolean;
}

/** The context of a viewer whose state (or own level) is `viewer`, now. */
export function viewContext(viewer: Pick<DurablePresence, "lastSeenLevel">, reciprocity: boolean, now = Date.now()): ViewContext {
  return { now, viewerLevel: viewer.lastSeenLevel, reciprocity };
}

const LEVEL_ORDER: Record<LastSeenLevel, number> = { friends: 0, approximate: 1, nobody: 2 };

/** The level the owner of `durable` grants `viewerId`: their exception for them, else their default. */
export function grantedLevel(durable: Pick<DurablePresence, "lastSeenLevel" | "lastSeenExceptions">, viewerId: string): LastSeenLevel {
  return Object.hasOwn(durable.lastSeenExceptions, viewerId) ? durable.lastSeenExceptions[viewerId]! : durable.lastSeenLevel;
}

/** Whether reciprocity lowers what this viewer may see of anyone to `approximate` at most. */
export function reciprocityCaps(context: ViewContext): boolean {
  return context.reciprocity && context.viewerLevel !== "friends";
}

/** The level `viewerId` sees the last seen of `durable`'s owner at: granted, then capped by reciprocity. */
export function levelFor(
  durable: Pick<DurablePresence, "lastSeenLevel" | "lastSeenExceptions">,
  viewerId: string,
  context: ViewContext,
): LastSeenLevel {
  const granted = grantedLevel(durable, viewerId);
  return reciprocityCaps(context) && LEVEL_ORDER[granted] < LEVEL_ORDER.approximate ? "approximate" : granted;
}

/** The bucket of a last seen at `lastSeen`, seen at `now` (ms). A moment in the future counts as now. */
export function bucketOf(lastSeen: string, now: number): LastSeenBucket {
  const days = Math.max(0, now - Date.parse(lastSeen)) / DAY_MS;
  for (const [bucket, maxDays] of BUCKET_DAYS) if (days <= maxDays) return bucket;
  return "long ago";
}

/** The last-seen fields of an offline view at `level`: the instant, a bucket, or neither. */
export function lastSeenFields(
  lastSeen: string | null,
  level: LastSeenLevel,
  now: number,
): { lastSeen: string | null; lastSeenBucket: LastSeenBucket | null } {
  if (lastSeen === null || level === "nobody") return { lastSeen: null, lastSeenBucket: null };
  if (level === "approximate") return { lastSeen: null, lastSeenBucket: bucketOf(lastSeen, now) };
  return { lastSeen, lastSeenBucket: null };
}
