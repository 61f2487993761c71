/**
 * Wires the auto-away state machine (presence/auto-away.ts) to the page: input and visibility
 * events in, `presence.setStatus` out. The "this away was automatic" flag lives in localStorage
 * so the user's tabs agree: hiding tab A sets away, activity in tab B brings them back.
 */
import { useCallback, useEffect, useRef } from "react";
import { autoAwayReducer, INITIAL_AUTO_AWAY, type AutoAwayEvent, type AutoAwayState } from "../presence/auto-away";
import type { ChosenStatus } from "../presence/types";

const INPUT_EVENTS = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart", "scroll"] as const;
/** Input arrives in floods (pointermove); looking at it a few times a second is plenty. */
const INPUT_THROTTLE_MS = 250;

export interface AutoAwayOptions {
  userId: string;
  idleMs: number;
  /** The chosen status as the server knows it; undefined while loading. */
  chosen: ChosenStatus | undefined;
  setStatus(status: "away" | "online"): void;
}

/** Returns what to call when the user picks a status by hand, so auto-away stands down. */
export function useAutoAway({ userId, idleMs, chosen, setStatus }: AutoAwayOptions): (status: ChosenStatus) => void {
  const state = useRef<AutoAwayState>(INITIAL_AUTO_AWAY);
  const setStatusRef = useRef(setStatus);
  setStatusRef.current = setStatus;
  const flagKey = `herald.autoAway.${userId}`;

  const dispatch = useCallback(
    (event: AutoAwayEvent) => {
      const before = state.current;
      const { state: after, command } = autoAwayReducer(before, event);
      state.current = after;
      if (after.autoAway !== before.autoAway && event.type !== "shared-flag") writeFlag(flagKey, after.autoAway);
      if (command) setStatusRef.current(command);
    },
    [flagKey],
  );

  // A fresh page inherits the tabs' shared flag (e.g. reloading after auto-away).
  useEffect(() => {
    state.current = { ...INITIAL_AUTO_AWAY, autoAway: readFlag(flagKey), hidden: document.visibilityState === "hidden" };
    const onStorage = (event: StorageEvent) => {
      if (event.key === flagKey) dispatch({ type: "shared-flag", autoAway: event.newValue === "1" });
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, [flagKey, dispatch]);

  useEffect(() => {
    if (chosen) dispatch({ type: "status-known", status: chosen });
  }, [chosen, dispatch]);

  useEffect(() => {
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    let lastInput = 0;
    const restartIdleTimer = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => dispatch({ type: "idle" }), idleMs);
    };
    const onInput = () => {
      const now = Date.now();
      // Coming back from idle must count at once; otherwise a few looks a second will do.
      if (!state.current.idle && now - lastInput < INPUT_THROTTLE_MS) return;
      lastInput = now;
      restartIdleTimer();
      dispatch({ type: "activity" });
    };
    const onVisibility = () => {
      if (document.visibilityState === "hidden") {
        clearTimeout(idleTimer);
        dispatch({ type: "hidden" });
      } else {
        restartIdleTimer();
        dispatch({ type: "visible" });
      }
    };
    for (const type of INPUT_EVENTS) window.addEventListener(type, onInput, { capture: true, passive: true });
    document.addEventListener("visibilitychange", onVisibility);
    if (document.visibilityState === "visible") restartIdleTimer();
    return () => {
      clearTimeout(idleTimer);
      for (const type of INPUT_EVENTS) window.removeEventListener(type, onInput, { capture: true });
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [idleMs, dispatch]);

  return useCallback((status: ChosenStatus) => dispatch({ type: "status-chosen", status }), [dispatch]);
}

function readFlag(key: string): boolean {
  try {
    return localStorage.getItem(key) === "1";
  } catch {
    return false;
  }
}

function writeFlag(key: string, value: boolean): void {
  try {
    if (value) localStorage.setItem(key, "1");
    else localStorage.removeItem(key);
  } catch {
    // Private mode without storage: auto-away still works, just per tab.
  }
}
