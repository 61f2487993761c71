/**
 * The session, shared by every tab of this browser: signing in or out in one tab does the
 * same in the others (the `storage` event), so tabs never run as two different users.
 */
import { useCallback, useEffect, useState } from "react";
import { loadSession, saveSession, SESSION_STORAGE_KEY, type Session } from "./session-storage";

/** Shown on the sign-in screen when the server refused our token (expired, revoked, forged). */
export const SESSION_ENDED = "Your session has ended. Please sign in again.";

export interface SessionControls {
  session: Session | null;
  /** Why the last session ended, when the user did not end it themselves. */
  endedBecause: string | null;
  signIn: (session: Session) => void;
  signOut: (reason?: string) => void;
}

export function useSession(): SessionControls {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [endedBecause, setEndedBecause] = useState<string | null>(null);

  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key === SESSION_STORAGE_KEY || event.key === null) setSession(loadSession());
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, []);

  const signIn = useCallback((next: Session) => {
    saveSession(next);
    setEndedBecause(null);
    setSession(next);
  }, []);

  const signOut = useCallback((reason?: string) => {
    saveSession(null);
    setEndedBecause(reason ?? null);
    setSession(null);
  }, []);

  return { session, endedBecause, signIn, signOut };
}
