/**
 * How the durable facts change when a user's presence changes (rules 3, 5, 6), as pure
 * functions. The service persists what these return; nothing here does I/O.
 *
 * Whenever a change takes the user out of some viewers' sight — the last connection ends, or the
 * user hides from them while connected — those viewers get a `Fade`: they keep their last view
 * until the offline grace is over, and their last seen becomes the moment of the change, both at
 * once. So a disconnect and a hide look the same to them, down to when the offline view arrives.
 */
import type { LastSeenLevel } from "@herald/protocol";
import type { ChosenStatus, DurablePresence, Fade, LivePresence } from "../types.js";
import { inFade, latest, shownStatus } from "./visibility.js";

/**
 * The live facts viewers saw along with the chosen status, frozen into a fade (§9.2): the kinds of
 * device and whether every one was idle, just before the change that hid the user.
 */
export type SeenDevices = Pick<LivePresence, "devices" | "idle">;

const NO_DEVICES: SeenDevices = { devices: [], idle: false };

/** Who sees the chosen status of a connected user: `only` these, or every friend but `except`. */
interface Audience {
  only: string[] | null;
  except: string[];
}

function audienceOf(durable: DurablePresence): Audience {
  return durable.status === "invisible" ? { only: durable.visibleTo, except: [] } : { only: null, except: [] };
}

/** A fade for `audience`, showing what they saw of `before` (and `seen`) until `until`. */
function fadeOf(before: DurablePresence, seen: SeenDevices, audience: Audience, at: string, until: string): Fade {
  return {
    at,
    until,
    status: shownStatus(before.status, seen.idle),
    message: before.message,
    statusUntil: before.status === "invisible" ? null : before.statusUntil,
    devices: seen.devices,
    only: audience.only,
    except: audience.except,
  };
}

function withFade(durable: DurablePresence, fade: Fade): DurablePresence {
  if (fade.only?.length === 0) return durable;
  return { ...durable, fades: [...durable.fades, fade] };
}

/** `audience` stopped seeing the user at `at`: that is their last seen from now on. */
function lastSeenAt(durable: DurablePresence, audience: Audience, at: string): DurablePresence {
  if (audience.only === null) {
    // Last seen never moves backwards (a change made while fading may have shown a later moment).
    const lastSeen = latest(durable.lastSeen, at)!;
    const lastSeenBy = Object.fromEntries(Object.entries(durable.lastSeenBy).filter(([, seen]) => seen > lastSeen));
    return { ...durable, lastSeen, lastSeenBy };
  }
  const lastSeenBy = { ...durable.lastSeenBy };
  for (const viewerId of audience.only) lastSeenBy[viewerId] = latest(lastSeenBy[viewerId] ?? null, at)!;
  return { ...durable, lastSeenBy };
}

/**
 * The user's last connection ended at `at`. Whoever saw the user then keeps seeing them as they
 * were until `until` (the offline grace, rule 3) and then sees them offline, last seen `at`.
 * What the user changes meanwhile, with no connection, nobody sees (rule 5). `seen`: that last
 * connection's kind and idle flag, what viewers saw just before it ended.
 */
export function lastConnectionEnded(before: DurablePresence, at: string, until: string, seen: SeenDevices = NO_DEVICES): DurablePresence {
  const audience = audienceOf(before);
  const after = withFade(lastSeenAt(before, audience, at), fadeOf(before, seen, audience, at, until));
  return { ...after, lastDisconnectedAt: at };
}

/**
 * The live store settled the user offline; their last connection ended at `at`. Normally
 * `lastConnectionEnded` already recorded it. Connections of a server that died were never ended
 * there, so their users are recorded here, without a fade: their grace is long over.
 */
export function settledOffline(before: DurablePresence, at: string): DurablePresence {
  if (before.lastDisconnectedAt !== null && before.lastDisconnectedAt >= at) return before;
  return { ...lastSeenAt(before, audienceOf(before), at), lastDisconnectedAt: at };
}

export interface ChoicePatch {
  status?: ChosenStatus;
  message?: string | null;
  visibleTo?: string[];
  /**
   * When what this patch sets ends (docs/protocol.md §9.1): the status and/or message given with
   * it; with neither, the current status. Omitted or null: what is set has no end.
   */
  until?: string | null;
}

/**
 * The user changed status, message or allow-list at `at`. With no connection nobody sees the
 * user, so no last seen moves and nobody fades (rule 5: also not later). While connected, every
 * friend who could see the user a moment ago and no longer can fades until `until`, with `at` as
 * the last moment they saw them, and the devices they saw then (`seen`, the live facts).
 */
export function choiceChanged(
  before: DurablePresence,
  patch: ChoicePatch,
  connected: boolean,
  at: string,
  until: string,
  seen: SeenDevices = NO_DEVICES,
): DurablePresence {
  const status = patch.status ?? before.status;
  const message = patch.message === undefined ? before.message : patch.message;
  const after: DurablePresence = {
    ...before,
    status,
    message,
    ...endsOf(before, patch, status, message),
    visibleTo: patch.visibleTo ?? before.visibleTo,
  };
  if (!connected) return after;
  const lost = lostAudience(before, after);
  if (!lost) return after;
  return withFade(lastSeenAt(after, lost, at), fadeOf(before, seen, lost, at, until));
}

/**
 * When the status and message of `after` end (§9.1): `until` belongs to what the patch sets (a
 * status or message set without it has no end), or, with neither, to the current status. An
 * `online` status and an absent message have nothing to end.
 */
function endsOf(
  before: DurablePresence,
  patch: ChoicePatch,
  status: ChosenStatus,
  message: string | null,
): Pick<DurablePresence, "statusUntil" | "messageUntil"> {
  const until = patch.until ?? null;
  const setsStatus = patch.status !== undefined || (patch.until !== undefined && patch.message === undefined);
  const statusUntil = setsStatus ? until : before.statusUntil;
  const messageUntil = patch.message !== undefined ? until : before.messageUntil;
  return { statusUntil: status === "online" ? null : statusUntil, messageUntil: message === null ? null : messageUntil };
}

/**
 * Statuses and messages whose end is due by `now` end (§9.1): the status goes back to `online`,
 * the message clears. The same object when nothing is due (nothing to write). It is the user's
 * change made by the clock, so it fades exactly as that change would (it never hides anyone:
 * `online` is seen by every friend).
 */
export function choicesEnded(before: DurablePresence, now: string, connected: boolean, graceEnd: string): DurablePresence {
  const statusEnds = before.statusUntil !== null && before.statusUntil <= now;
  const messageEnds = before.messageUntil !== null && before.messageUntil <= now;
  if (!statusEnds && !messageEnds) return before;
  const patch: ChoicePatch = {};
  if (statusEnds) patch.status = "online";
  if (messageEnds) patch.message = null;
  // A patch of one of them leaves the other's end as it was.
  return choiceChanged(before, patch, connected, now, graceEnd);
}

/** The earliest end of a status or message still to come, or null. */
export function nextChoiceEnd(durable: DurablePresence): string | null {
  return earliest(durable.statusUntil, durable.messageUntil);
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/** Friends who saw `before`'s chosen status and do not see `after`'s; null: nobody. */
function lostAudience(before: DurablePresence, after: DurablePresence): Audience | null {
  if (after.status !== "invisible") return null;
  if (before.status !== "invisible") return { only: null, except: after.visibleTo };
  const stillAllowed = new Set(after.visibleTo);
  const removed = before.visibleTo.filter((id) => !stillAllowed.has(id));
  return removed.length > 0 ? { only: removed, except: [] } : null;
}

/** Fades over by `now` end: those viewers now see the user offline. */
export function fadesEnded(before: DurablePresence, now: string): DurablePresence {
  if (!before.fades.some((fade) => fade.until <= now)) return before;
  return { ...before, fades: before.fades.filter((fade) => fade.until > now) };
}

/** When the next fade ends, or null. */
export function nextFadeEnd(durable: DurablePresence): string | null {
  let next: string | null = null;
  for (const { until } of durable.fades) if (next === null || until < next) next = until;
  return next;
}

/**
 * The user chose who sees their last seen (§9.3): a default level, and exceptions (omitted: kept).
 * Nothing else moves: no last seen, no fade (a level only changes how the same moments are shown).
 * The same object when nothing changed (nothing to write, nothing to push).
 */
export function lastSeenPrivacyChanged(
  before: DurablePresence,
  level: LastSeenLevel,
  exceptions?: Record<string, LastSeenLevel>,
): DurablePresence {
  const nextExceptions = exceptions ?? before.lastSeenExceptions;
  if (level === before.lastSeenLevel && sameExceptions(nextExceptions, before.lastSeenExceptions)) return before;
  return { ...before, lastSeenLevel: level, lastSeenExceptions: nextExceptions };
}

function sameExceptions(a: Record<string, LastSeenLevel>, b: Record<string, LastSeenLevel>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && b[key] === a[key]);
}

/** Unfriending forgets what each remembered of the other, and any last-seen exception for the other (rule 11). */
export function forgetViewer(before: DurablePresence, viewerId: string): DurablePresence {
  const { [viewerId]: _forgotten, ...lastSeenBy } = before.lastSeenBy;
  const { [viewerId]: _exception, ...lastSeenExceptions } = before.lastSeenExceptions;
  return {
    ...before,
    visibleTo: before.visibleTo.filter((id) => id !== viewerId),
    lastSeenBy,
    lastSeenExceptions,
    fades: before.fades.map((fade) => withoutViewer(fade, viewerId)),
  };
}

/**
 * `viewerId` just became a friend: they never saw what any of the user's fades shows (a fade of
 * "every friend but …" was made before they were one), so they are in none of them and see the
 * user as friends outside the allow-list do once the grace is over (rules 5 and 6) — the same
 * whether the user hid or disconnected. The same object when no fade has them (nothing to write).
 */
export function befriended(before: DurablePresence, viewerId: string): DurablePresence {
  if (!before.fades.some((fade) => inFade(fade, viewerId))) return before;
  return { ...before, fades: before.fades.map((fade) => (inFade(fade, viewerId) ? withoutViewer(fade, viewerId) : fade)) };
}

function withoutViewer(fade: Fade, viewerId: string): Fade {
  return fade.only === null
    ? { ...fade, except: [...fade.except, viewerId] }
    : { ...fade, only: fade.only.filter((id) => id !== viewerId) };
}
