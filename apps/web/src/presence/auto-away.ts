/**
 * Auto-away as a pure state machine. A user who chose `online` becomes `away` when they stop
 * being present (no input for the idle time, or the tab hidden) and `online` again when they
 * come back. It never touches a status the user picked by hand: `dnd`, `invisible`, or an
 * `away` they chose themselves.
 *
 * Commands fire only on edges (becoming absent, showing activity while auto-away), never on
 * status news from the server, so two tabs can never bounce a status back and forth.
 */
import type { ChosenStatus } from "./types";

export interface AutoAwayState {
  /** The chosen status as last heard from the server (or just commanded); null until known. */
  chosen: ChosenStatus | null;
  /** The current `away` was set by auto-away, not by the user. Shared by the user's tabs. */
  autoAway: boolean;
  /** No input for the idle time. */
  idle: boolean;
  /** The tab is in the background (or the screen is off). */
  hidden: boolean;
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
  /** Another tab of the same user set or cleared the shared auto-away flag. */
  | { type: "shared-flag"; autoAway: boolean };

/** What to ask the server for: `presence.setStatus({ status })`, or nothing. */
export type AutoAwayCommand = "away" | "online" | null;

export interface AutoAwayResult {
  state: AutoAwayState;
  command: AutoAwayCommand;
}

export const INITIAL_AUTO_AWAY: AutoAwayState = { chosen: null, autoAway: false, idle: false, hidden: false };

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
      const next: AutoAwayState = { ...state, chosen: event.status, autoAway: event.status === "away" && state.autoAway };
      // The first status a page learns is judged once, as if the user had just arrived
      // (a reload after auto-away) or just left (a page opened in a background tab).
      if (firstNews) return isPresent(next) ? maybeReturn(next) : maybeLeave(next);
      return unchanged(next);
    }
    case "status-chosen":
      return unchanged({ ...state, chosen: event.status, autoAway: false });
    case "shared-flag":
      return unchanged({ ...state, autoAway: event.autoAway });
  }
}

function maybeLeave(state: AutoAwayState): AutoAwayResult {
  if (state.chosen !== "online") return unchanged(state);
  return { state: { ...state, chosen: "away", autoAway: true }, command: "away" };
}

function maybeReturn(state: AutoAwayState): AutoAwayResult {
  if (!isPresent(state) || state.chosen !== "away" || !state.autoAway) return unchanged(state);
  return { state: { ...state, chosen: "online", autoAway: false }, command: "online" };
}

function unchanged(state: AutoAwayState): AutoAwayResult {
  return { state, command: null };
}
