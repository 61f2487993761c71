/**
 * Auto-away, the page's half, as a pure state machine (docs/protocol.md §7.2). The page reports
 * whether its user is present on *this connection* — no input for the idle time, or the tab
 * hidden, is idle — and the server combines every connection of the user: friends see a chosen
 * `online` as `away` only while all of them are idle, and no other status is ever changed. So
 * this machine needs to know nothing about statuses or the user's other devices.
 *
 * Commands fire only when what the server holds for this connection differs from the truth: on
 * an edge, and after a reconnect (a new connection starts active on the server).
 */
export interface AutoAwayState {
  /** No input for the idle time. */
  idle: boolean;
  /** The tab is in the background (or the screen is off). */
  hidden: boolean;
  /** What the server holds for this connection: idle or not; null when unknown (a call failed). */
  reported: boolean | null;
}

export type AutoAwayEvent =
  | { type: "activity" }
  | { type: "idle" }
  | { type: "hidden" }
  | { type: "visible" }
  /** A new connection was accepted: the server counts it active until told otherwise. */
  | { type: "connected" }
  /** Telling the server failed (e.g. rate-limited): the next event tells it again. */
  | { type: "ask-failed" };

/** What to tell the server: `presence.setIdle({ idle: command === "idle" })`, or nothing. */
export type AutoAwayCommand = "idle" | "active" | null;

export interface AutoAwayResult {
  state: AutoAwayState;
  command: AutoAwayCommand;
}

export const INITIAL_AUTO_AWAY: AutoAwayState = { idle: false, hidden: false, reported: false };

export function autoAwayReducer(state: AutoAwayState, event: AutoAwayEvent): AutoAwayResult {
  switch (event.type) {
    case "activity":
      return report({ ...state, idle: false });
    case "visible":
      // Coming back to the tab is input too.
      return report({ ...state, hidden: false, idle: false });
    case "idle":
      return report({ ...state, idle: true });
    case "hidden":
      return report({ ...state, hidden: true });
    case "connected":
      return report({ ...state, reported: false });
    case "ask-failed":
      return { state: { ...state, reported: null }, command: null };
  }
}

function report(state: AutoAwayState): AutoAwayResult {
  const away = state.idle || state.hidden;
  if (state.reported === away) return { state, command: null };
  return { state: { ...state, reported: away }, command: away ? "idle" : "active" };
}
