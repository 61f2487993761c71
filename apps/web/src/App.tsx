/** Signed in or not: picks the screen, and gives it a tRPC client for that session. */
import { useCallback } from "react";
import { AuthScreen } from "./components/AuthScreen";
import { HomeScreen } from "./components/HomeScreen";
import { SESSION_ENDED, useSession } from "./session/useSession";
import { HeraldProviders } from "./trpc/HeraldProviders";

export function App({ idleMs }: { idleMs: number }) {
  const { session, endedBecause, signIn, signOut } = useSession();
  const onUnauthorized = useCallback(() => signOut(SESSION_ENDED), [signOut]);
  return (
    <HeraldProviders token={session?.token ?? null} onUnauthorized={onUnauthorized}>
      {session ? (
        <HomeScreen key={session.user.id} session={session} idleMs={idleMs} onSignOut={signOut} />
      ) : (
        <AuthScreen notice={endedBecause} onSignedIn={signIn} />
      )}
    </HeraldProviders>
  );
}
