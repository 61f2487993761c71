/**
 * Presence timing, in one place: the defaults, their bounds, what is derived from them and the
 * relationships that must hold between them (as Phoenix Tracker's `Shard.init` checks that its
 * down period outlasts its broadcast period). One unit throughout: milliseconds.
 *
 * `apps/server/src/env.ts` takes its defaults and bounds from here. The stores are built with
 * these settings (`presenceTtlMs` sets their expiries, `offlineGraceMs` when they settle an
 * orphaned grace), and `createHeraldApp` takes them from its store and checks them once, so the
 * server's timers and the store's expiries can never disagree.
 */

import { DEFAULT_PRESENCE_TTL_SECONDS } from "@herald/protocol";

export interface PresenceSettings {
  /** A connection not heard from for this long is dead (rule 7); its store entry expires then. */
  presenceTtlMs: number;
  /** How long a user whose last connection ended still looks online (rule 3). */
  offlineGraceMs: number;
}

export const PRESENCE_DEFAULTS: Readonly<PresenceSettings> = Object.freeze({
  presenceTtlMs: DEFAULT_PRESENCE_TTL_SECONDS * 1000,
  offlineGraceMs: 5_000,
});

/** What a deployment may choose (env.ts enforces these in its own units). */
export const PRESENCE_BOUNDS = {
  presenceTtlMs: { max: 86_400_000 },
  offlineGraceMs: { min: 0, max: 600_000 },
} as const;

/** The sweep refreshes a server's live connections this many times per TTL... */
const SWEEPS_PER_TTL = 4;
/** ...but not more often than this (tests with short TTLs stay cheap), nor less often than that. */
const MIN_SWEEP_INTERVAL_MS = 100;
const MAX_SWEEP_INTERVAL_MS = 5_000;
/** WebSocket pings go out this many times per TTL, so an idle healthy client is heard from in time. */
const PINGS_PER_TTL = 3;
const MIN_PING_MS = 250;
const MAX_PING_MS = 30_000;
const MAX_PONG_WAIT_MS = 10_000;

/** The settings, checked, with what follows from them. */
export interface PresenceTiming extends Readonly<PresenceSettings> {
  /** How often a server refreshes its live connections in the store, ends silent ones and reaps. */
  readonly sweepIntervalMs: number;
  /** The WebSocket keep-alive: pings well inside the TTL, and how long a pong may take. */
  readonly keepAlive: { readonly pingMs: number; readonly pongWaitMs: number };
}

export interface SettingProblem {
  setting: keyof PresenceSettings;
  message: string;
}

/** The given settings, the defaults for the rest (nothing checked: stores take what tests give them). */
export function withPresenceDefaults(settings: Partial<PresenceSettings> = {}): PresenceSettings {
  return {
    presenceTtlMs: settings.presenceTtlMs ?? PRESENCE_DEFAULTS.presenceTtlMs,
    offlineGraceMs: settings.offlineGraceMs ?? PRESENCE_DEFAULTS.offlineGraceMs,
  };
}

/** Everything wrong with these settings, each naming the setting; empty when they hold together. */
export function presenceSettingsProblems(settings: PresenceSettings): SettingProblem[] {
  const { presenceTtlMs, offlineGraceMs } = settings;
  const problems: SettingProblem[] = [];
  if (!(Number.isFinite(presenceTtlMs) && presenceTtlMs > 0 && presenceTtlMs <= PRESENCE_BOUNDS.presenceTtlMs.max)) {
    problems.push({ setting: "presenceTtlMs", message: `must be above 0 and at most ${PRESENCE_BOUNDS.presenceTtlMs.max} ms` });
  } else {
    // A live connection must be refreshed in the store, and a healthy idle client pinged,
    // before the TTL runs out; the derived intervals are clamped, so short TTLs can break this.
    const { sweepIntervalMs, keepAlive } = derive(presenceTtlMs);
    if (sweepIntervalMs >= presenceTtlMs) {
      problems.push({
        setting: "presenceTtlMs",
        message: `must be longer than the sweep interval (${sweepIntervalMs} ms): live connections would expire between refreshes`,
      });
    }
    if (keepAlive.pingMs >= presenceTtlMs) {
      problems.push({
        setting: "presenceTtlMs",
        message: `must be longer than the WebSocket ping interval (${keepAlive.pingMs} ms): idle clients would be dropped between pings`,
      });
    }
  }
  const { min, max } = PRESENCE_BOUNDS.offlineGraceMs;
  if (!(Number.isInteger(offlineGraceMs) && offlineGraceMs >= min && offlineGraceMs <= max)) {
    problems.push({ setting: "offlineGraceMs", message: `must be a whole number of ms from ${min} to ${max}` });
  }
  return problems;
}

/** Defaults filled in, relationships checked (throws RangeError naming each problem), intervals derived. */
export function resolvePresenceSettings(settings: Partial<PresenceSettings> = {}): PresenceTiming {
  const full = withPresenceDefaults(settings);
  const problems = presenceSettingsProblems(full);
  if (problems.length > 0) {
    throw new RangeError(`invalid presence settings: ${problems.map((p) => `${p.setting} ${p.message}`).join("; ")}`);
  }
  return Object.freeze({ ...full, ...derive(full.presenceTtlMs) });
}

function derive(presenceTtlMs: number): Pick<PresenceTiming, "sweepIntervalMs" | "keepAlive"> {
  const perTtl = presenceTtlMs / PINGS_PER_TTL;
  return {
    sweepIntervalMs: clamp(presenceTtlMs / SWEEPS_PER_TTL, MIN_SWEEP_INTERVAL_MS, MAX_SWEEP_INTERVAL_MS),
    keepAlive: Object.freeze({ pingMs: clamp(perTtl, MIN_PING_MS, MAX_PING_MS), pongWaitMs: clamp(perTtl, MIN_PING_MS, MAX_PONG_WAIT_MS) }),
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * The other defaults env.ts shares with `createHeraldApp`. Session lifetimes are in seconds, as
 * everywhere they travel: tokens carry their `exp` in seconds.
 */
export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Status changes a user may make per 10 s (`STATUS_RATE_LIMIT`). */
export const STATUS_RATE_LIMIT = 10;
