/**
 * Signed in or not: picks the screen. Signed in, the screens get Herald (@herald/react) for that
 * session: one client (one WebSocket, which is this tab's presence) and one query cache, both made
 * anew for a new session, so nothing of one user is ever shown to the next.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { HeraldProvider } from "@herald/react";
import { useState } from "react";
import { AuthScreen } from "./components/AuthScreen";
import { HomeScreen } from "./components/HomeScreen";
import type { Session } from "./session/session-storage";
import { useSession } from "./session/useSession";

export function App({ idleMs }: { idleMs: number }) {
  const { session, endedBecause, signIn, signOut } = useSession();
  if (!session) return <SignedOut notice={endedBecause} onSignedIn={signIn} />;
  return <SignedIn key={session.token} session={session} idleMs={idleMs} onSignOut={signOut} />;
}

function SignedIn(props: { session: Session; idleMs: number; onSignOut: (reason?: string) => void }) {
  const [queryClient] = useState(() => new QueryClient());
  // The API is on the page's own origin (`pnpm dev` proxies it).
  const options = { url: window.location.origin, token: props.session.token, device: "web" } as const;
  return (
    <HeraldProvider options={options} queryClient={queryClient}>
      <HomeScreen session={props.session} idleMs={props.idleMs} onSignOut={props.onSignOut} />
    </HeraldProvider>
  );
}

function SignedOut(props: { notice: string | null; onSignedIn: (session: Session) => void }) {
  const [queryClient] = useState(() => new QueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <AuthScreen notice={props.notice} onSignedIn={props.onSignedIn} />
    </QueryClientProvider>
  );
}
