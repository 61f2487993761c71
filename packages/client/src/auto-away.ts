/**
 * Auto-away, the page's half, as a pure state machine. The page reports edges — the user
 * stopped being present (no input for the idle time, or the tab hidden), or is present again —
 * and the server decides (`presence.setIdle`): idle turns `online` into an automatic `away`, and
 * active undoes only an automatic `away`. So this machine never needs to know whether an away
 * was automatic, and no device can undo dnd, invisible or a chosen away, whatever it sends.
 *
 * Commands fire only on edges, and "active" at most once per away the page learns of: a
 * present page that sees the user go away (another device idled) asks once, on its next input.
 */
import type { ChosenStatus } from "./types.js";

export interface AutoAwayState {
  /** The chosen status as last heard from the server; null until known. */
  chosen: ChosenStatus | null;
  /** No input for the idle time. */
  idle: boolean;
  /** The tab is in the background (or the screen is off). */
  hidden: boolean;
  /** This page already asked to come back from the current away. */
  askedBack: boolean;
}

export type AutoAwayEvent =
  | { type: "activity" }
  | { type: "idle" }
  | { type: "hidden" }
  | { type: "visible" }
  /** The server's view of the chosen status: `presence.me`, a `self` event, a mutation result. */
  | { type: "status-known"; status: ChosenStatus }
  /** The user picked a status by hand (here or through the picker). */
  | { type: "status-chosen"; status: ChosenStatus }
  /** Asking to come back failed (e.g. rate-limited): the next input may ask again. */
  | { type: "ask-failed" };

/** What to tell the server: `presence.setIdle({ idle: command === "idle" })`, or nothing. */
export type AutoAwayCommand = "idle" | "active" | null;

export interface AutoAwayResult {
  state: AutoAwayState;
  command: AutoAwayCommand;
}

export const INITIAL_AUTO_AWAY: AutoAwayState = { chosen: null, idle: false, hidden: false, askedBack: false };

const isPresent = (state: AutoAwayState): boolean => !state.idle && !state.hidden;

export function autoAwayReducer(state: AutoAwayState, event: AutoAwayEvent): AutoAwayResult {
  switch (event.type) {
    case "activity":
      return maybeReturn({ ...state, idle: false });
    case "visible":
      // Coming back to the tab is input too.
      return maybeReturn({ ...state, hidden: false, idle: false });
    case "idle":
      return isPresent(state) ? maybeLeave({ ...state, idle: true }) : unchanged({ ...state, idle: true });
    case "hidden":
      return isPresent(state) ? maybeLeave({ ...state, hidden: true }) : unchanged({ ...state, hidden: true });
    case "status-known": {
      const firstNews = state.chosen === null;
      const next: AutoAwayState = { ...state, chosen: event.status, askedBack: event.status === "away" && state.askedBack };
      // The first status a page learns is judged once, as if the user had just arrived
      // (a reload after auto-away) or just left (a page opened in a background tab).
      if (firstNews) return isPresent(next) ? maybeReturn(next) : maybeLeave(next);
      return unchanged(next);
    }
    case "status-chosen":
      // A chosen away is the user's: asking the server to undo it would do nothing.
      return unchanged({ ...state, chosen: event.status, askedBack: event.status === "away" });
    case "ask-failed":
      return unchanged({ ...state, askedBack: false });
  }
}

function maybeLeave(state: AutoAwayState): AutoAwayResult {
  if (state.chosen !== "online") return unchanged(state);
  return { state, command: "idle" };
}

function maybeReturn(state: AutoAwayState): AutoAwayResult {
  if (!isPresent(state) || state.chosen !== "away" || state.askedBack) return unchanged(state);
  return { state: { ...state, askedBack: true }, command: "active" };
}

function unchanged(state: AutoAwayState): AutoAwayResult {
  return { state, command: null };
}
