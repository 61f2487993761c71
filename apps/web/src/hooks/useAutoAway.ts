/**
 * Wires the auto-away state machine (presence/auto-away.ts) to the page: input and visibility
 * events in, `presence.setIdle` out. Whether an away was automatic is the server's to know, so
 * every tab and device of the user agrees: hiding tab A sets away, activity anywhere brings the
 * user back, and nothing brings back a status the user chose.
 */
import { useCallback, useEffect, useRef } from "react";
import { autoAwayReducer, INITIAL_AUTO_AWAY, type AutoAwayEvent, type AutoAwayState } from "../presence/auto-away";
import type { ChosenStatus } from "../presence/types";

const INPUT_EVENTS = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart", "scroll"] as const;
/** Input arrives in floods (pointermove); looking at it a few times a second is plenty. */
const INPUT_THROTTLE_MS = 250;

export interface AutoAwayOptions {
  idleMs: number;
  /** The chosen status as the server knows it; undefined while loading. */
  chosen: ChosenStatus | undefined;
  /** Tells the server; resolves false when the call failed. */
  setIdle: (idle: boolean) => Promise<boolean>;
}

/** Returns what to call when the user picks a status by hand, so auto-away stands down. */
export function useAutoAway({ idleMs, chosen, setIdle }: AutoAwayOptions): (status: ChosenStatus) => void {
  const state = useRef<AutoAwayState>({ ...INITIAL_AUTO_AWAY, hidden: document.visibilityState === "hidden" });
  const setIdleRef = useRef(setIdle);
  setIdleRef.current = setIdle;

  const dispatch = useCallback((event: AutoAwayEvent) => {
    const { state: after, command } = autoAwayReducer(state.current, event);
    state.current = after;
    if (command === "idle") void setIdleRef.current(true);
    if (command === "active") {
      void setIdleRef.current(false).then((ok) => {
        if (!ok) dispatch({ type: "ask-failed" });
      });
    }
  }, []);

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
