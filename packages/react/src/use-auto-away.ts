/**
 * Auto-away for a web page (docs/protocol.md §7.2): input and visibility events in,
 * `presence.setIdle` out for this page's connection, through the client's `autoAwayReducer`. The
 * server combines every tab and device of the user: friends see an `online` user as away only
 * while all of them are idle, and a status the user chose is never changed.
 */
import { useCallback, useEffect, useRef } from "react";
import { autoAwayReducer, INITIAL_AUTO_AWAY, type AutoAwayEvent, type AutoAwayState } from "@herald/client";
import { useHeraldClient } from "./client-context.js";
import { useClientValue } from "./use-client-value.js";

const INPUT_EVENTS = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart", "scroll"] as const;
/** Input arrives in floods (pointermove); looking at it a few times a second is plenty. */
const INPUT_THROTTLE_MS = 250;

export interface AutoAwayOptions {
  /** How long without input before the user counts as away. */
  idleMs: number;
}

/** Watches the page while mounted, and tells the server whether its user is idle here. */
export function useAutoAway({ idleMs }: AutoAwayOptions): void {
  const client = useHeraldClient();
  const connected = useClientValue((c) => c.getConnection().status === "connected");
  const state = useRef<AutoAwayState>({ ...INITIAL_AUTO_AWAY, hidden: document.visibilityState === "hidden" });

  const dispatch = useCallback(
    (event: AutoAwayEvent) => {
      const { state: after, command } = autoAwayReducer(state.current, event);
      state.current = after;
      if (command) client.setIdle(command === "idle").catch(() => dispatch({ type: "ask-failed" }));
    },
    [client],
  );

  // Each new connection starts active on the server: tell it if the user is away from this page.
  useEffect(() => {
    if (connected) dispatch({ type: "connected" });
  }, [connected, dispatch]);

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
}
