/**
 * docs/protocol.md §2 as pure functions: what a viewer sees of a user, given the user's full state.
 * No I/O here; this is the most tested code in Herald.
 */
import type { LastSeenLevel } from "@herald/protocol";
import type { ChosenStatus, Fade, LivePresence, OwnPresence, PresenceState, VisiblePresence } from "../types.js";
import { grantedLevel, lastSeenFields, levelFor, reciprocityCaps, type ViewContext } from "./last-seen.js";

export type { ViewContext } from "./last-seen.js";

const allowListCache = new WeakMap<string[], Set<string>>();

function allowList(visibleTo: string[]): Set<string> {
  let set = allowListCache.get(visibleTo);
  if (!set) {
    set = new Set(visibleTo);
    allowListCache.set(visibleTo, set);
  }
  return set;
}

/** Whether `viewerId` sees the user as they chose (rule 4), assuming the user is connected. */
export function canSeeChosenStatus(state: PresenceState, viewerId: string): boolean {
  return state.status !== "invisible" || allowList(state.visibleTo).has(viewerId);
}

/**
 * Rules 1, 3, 4, 5 and 6, and the last-seen level (§9.3): the presence of `state.userId` as seen
 * by the friend `viewerId`. With `why`, also says why, in words for the user (`presence.preview`,
 * §9.4): the one function that makes the real views explains them, so the two cannot disagree.
 * Without it (every real view) nothing is allocated for the reasons.
 */
export function viewOf(state: PresenceState, viewerId: string, context: ViewContext, why?: string[]): VisiblePresence {
  if (seesChosenStatus(state, viewerId)) {
    if (why) why.push(...(state.status === "invisible" ? ["you are invisible", "on your allow-list"] : ["you are connected"]));
    return chosenViewOf(state);
  }
  if (why) why.push(...hiddenReasons(state));
  const fade = fadeSeenBy(state, viewerId);
  if (fade) {
    why?.push("you just left their sight: they see you as you were until the offline grace is over");
    return fadeViewOf(state, fade);
  }
  const level = levelFor(state, viewerId, context);
  const lastSeen = lastSeenFor(state, viewerId);
  if (why) why.push(...lastSeenReasons(state, viewerId, context, level, lastSeen));
  return offlineViewOf(state, lastSeen, level, context.now);
}

/** Why a viewer does not see the chosen status. */
function hiddenReasons(state: PresenceState): string[] {
  if (state.connections > 0) return ["you are invisible", "not on your allow-list"];
  return state.status === "invisible" ? ["you are offline", "you are invisible"] : ["you are offline"];
}

const GRANTED_WORDS: Record<LastSeenLevel, { default: string; exception: string }> = {
  friends: { default: "your friends see your exact last seen", exception: "an exception: they see your exact last seen" },
  approximate: { default: "your last seen is approximate for everyone", exception: "an exception: they see your last seen approximately" },
  nobody: { default: "nobody sees your last seen", exception: "an exception: nobody sees your last seen" },
};

/** Why an offline view carries the last seen it does. */
function lastSeenReasons(
  state: PresenceState,
  viewerId: string,
  context: ViewContext,
  level: LastSeenLevel,
  lastSeen: string | null,
): string[] {
  const granted = grantedLevel(state, viewerId);
  const reasons = [Object.hasOwn(state.lastSeenExceptions, viewerId) ? GRANTED_WORDS[granted].exception : GRANTED_WORDS[granted].default];
  if (level !== granted && reciprocityCaps(context)) reasons.push("they hide their own last seen, so they see yours only approximately");
  if (lastSeen === null && level !== "nobody") reasons.push("they have never seen you online");
  return reasons;
}

/**
 * Whether `viewerId` sees the user connected, with the status they chose (rules 1 and 4). Only
 * a live connection shows the chosen status: during the grace after the last one ended, viewers
 * see what they saw when it ended (`fadeSeenBy`), whatever the user changes meanwhile.
 */
export function seesChosenStatus(state: PresenceState, viewerId: string): boolean {
  return state.connections > 0 && canSeeChosenStatus(state, viewerId);
}

/** The newest fade `viewerId` is in, for a viewer who does not `seesChosenStatus`. */
export function fadeSeenBy(state: PresenceState, viewerId: string): Fade | null {
  for (let i = state.fades.length - 1; i >= 0; i--) {
    const fade = state.fades[i]!;
    if (inFade(fade, viewerId)) return fade;
  }
  return null;
}

/** Whether `fade` is shown to `viewerId`: every friend but `except`, or `only` these. */
export function inFade(fade: Fade, viewerId: string): boolean {
  return fade.only === null ? !fade.except.includes(viewerId) : fade.only.includes(viewerId);
}

/** What a viewer in `fade` sees: what they saw when the user vanished for them. */
export function fadeViewOf(state: PresenceState, fade: Fade): VisiblePresence {
  return {
    userId: state.userId,
    status: fade.status,
    message: fade.message,
    lastSeen: null,
    until: fade.statusUntil ?? null,
    devices: fade.devices ?? [],
    lastSeenBucket: null,
  };
}

/**
 * The status a viewer who sees the chosen status is shown (§7.2, §9.2): invisible shows as
 * `online` (rule 4), and a chosen `online` shows as `away` while every connection is idle —
 * auto-away. Idleness never changes any other status: a manual choice beats an automatic one.
 */
export function shownStatus(status: ChosenStatus, idle: boolean): Exclude<VisiblePresence["status"], "offline"> {
  if (status === "invisible") return "online";
  return status === "online" && idle ? "away" : status;
}

/** What a viewer who `seesChosenStatus` sees: the shown status and the kinds of device. */
export function chosenViewOf(state: PresenceState): VisiblePresence {
  return {
    userId: state.userId,
    status: shownStatus(state.status, state.idle),
    message: state.message,
    lastSeen: null,
    until: state.status === "invisible" ? null : state.statusUntil,
    devices: state.devices,
    lastSeenBucket: null,
  };
}

/** What any other viewer sees, given the `lastSeenFor` that viewer and the level they see it at, at `now` (ms). */
export function offlineViewOf(state: PresenceState, lastSeen: string | null, level: LastSeenLevel, now: number): VisiblePresence {
  // Offline views never carry the message: a message edited while invisible must not leak.
  const shown = lastSeenFields(lastSeen, level, now);
  return {
    userId: state.userId,
    status: "offline",
    message: null,
    lastSeen: shown.lastSeen,
    until: null,
    devices: [],
    lastSeenBucket: shown.lastSeenBucket,
  };
}

/** Rule 6: the last moment this viewer could see the user. */
export function lastSeenFor(state: PresenceState, viewerId: string): string | null {
  return latest(state.lastSeen, state.lastSeenBy[viewerId] ?? null);
}

export function ownViewOf(state: PresenceState): OwnPresence {
  return {
    status: state.status,
    message: state.message,
    visibleTo: state.visibleTo,
    connections: state.connections,
    lastSeen: state.online ? null : state.lastDisconnectedAt,
    until: state.statusUntil,
    messageUntil: state.messageUntil,
    devices: state.devices,
    idle: state.idle,
    lastSeenPrivacy: { level: state.lastSeenLevel, exceptions: state.lastSeenExceptions },
  };
}

export function sameVisiblePresence(a: VisiblePresence, b: VisiblePresence): boolean {
  return (
    a.userId === b.userId &&
    a.status === b.status &&
    a.message === b.message &&
    a.lastSeen === b.lastSeen &&
    a.until === b.until &&
    a.lastSeenBucket === b.lastSeenBucket &&
    sameList(a.devices, b.devices)
  );
}

export function sameOwnPresence(a: OwnPresence, b: OwnPresence): boolean {
  return (
    a.status === b.status &&
    a.message === b.message &&
    a.connections === b.connections &&
    a.lastSeen === b.lastSeen &&
    a.until === b.until &&
    a.messageUntil === b.messageUntil &&
    a.idle === b.idle &&
    sameList(a.devices, b.devices) &&
    sameList(a.visibleTo, b.visibleTo) &&
    a.lastSeenPrivacy.level === b.lastSeenPrivacy.level &&
    JSON.stringify(a.lastSeenPrivacy.exceptions) === JSON.stringify(b.lastSeenPrivacy.exceptions)
  );
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** The live facts a viewer's view depends on (`devices`, `idle`) are the same in both. */
export function sameDevicesAndIdle(a: Pick<LivePresence, "devices" | "idle">, b: Pick<LivePresence, "devices" | "idle">): boolean {
  return a.idle === b.idle && sameList(a.devices, b.devices);
}

export function latest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}
