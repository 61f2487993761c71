/**
 * Auto-away for a web page (docs/protocol.md §9.2): input and visibility events in,
 * `presence.setIdle` out, through the client's `autoAwayReducer`. Whether an away was automatic is
 * the server's to know, so every tab and device of the user agrees: hiding tab A sets away,
 * activity anywhere brings the user back, and nothing brings back a status the user chose.
 */
import { useCallback, useEffect, useRef } from "react";
import { autoAwayReducer, INITIAL_AUTO_AWAY, type AutoAwayEvent, type AutoAwayState, type ChosenStatus } from "@herald/client";
import { useHeraldClient } from "./client-context.js";
import { useClientValue } from "./use-client-value.js";

const INPUT_EVENTS = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart", "scroll"] as const;
/** Input arrives in floods (pointermove); looking at it a few times a second is plenty. */
const INPUT_THROTTLE_MS = 250;

export interface AutoAwayOptions {
  /** How long without input before the user counts as away. */
  idleMs: number;
}

/**
 * Watches the page while mounted. Returns what to call when the user picks a status by hand, so
 * auto-away stands down (a chosen away is the user's: coming back must not ask to undo it).
 */
export function useAutoAway({ idleMs }: AutoAwayOptions): (status: ChosenStatus) => void {
  const client = useHeraldClient();
  const chosen = useClientValue((c) => c.getOwnPresence()?.status);
  const state = useRef<AutoAwayState>({ ...INITIAL_AUTO_AWAY, hidden: document.visibilityState === "hidden" });

  const dispatch = useCallback(
    (event: AutoAwayEvent) => {
      const { state: after, command } = autoAwayReducer(state.current, event);
      state.current = after;
      // A failed "idle" is harmless (the next edge asks again); a failed "active" must be able to ask again.
      if (command === "idle") client.setIdle(true).catch(() => undefined);
      if (command === "active") client.setIdle(false).catch(() => dispatch({ type: "ask-failed" }));
    },
    [client],
  );

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
