/**
 * Provides the tRPC client and query cache for the current session. A new token (sign-in,
 * sign-out) means a new client, a new socket that authenticates with it, and an empty cache.
 */
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { createHeraldClient, type HeraldClient } from "./client";
import { createQueryClient } from "./query-client";
import { TRPCProvider } from "./react";

interface SessionClient {
  token: string | null;
  generation: number;
  client: HeraldClient;
  queryClient: QueryClient;
}

const HeraldClientContext = createContext<HeraldClient | null>(null);

/** The session's client: its WebSocket (null when signed out) and why that last dropped. */
export function useHeraldClient(): HeraldClient | null {
  return useContext(HeraldClientContext);
}

export function HeraldProviders(props: { token: string | null; onUnauthorized: () => void; children: ReactNode }) {
  const { token, children } = props;
  const onUnauthorized = useRef(props.onUnauthorized);
  onUnauthorized.current = props.onUnauthorized;
  // Bumped when the page comes back from the back/forward cache: the old socket was closed.
  const [generation, setGeneration] = useState(0);
  const [current, setCurrent] = useState<SessionClient | null>(null);

  useEffect(() => {
    const client = createHeraldClient(token, { onUnauthorized: () => onUnauthorized.current() });
    const queryClient = createQueryClient();
    setCurrent({ token, generation, client, queryClient });
    // Leaving the page ends this connection at once instead of whenever the browser gets round
    // to it; friends still see no flicker on a reload, thanks to the server's offline grace.
    const onPageHide = () => client.close();
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) setGeneration((n) => n + 1);
    };
    window.addEventListener("pagehide", onPageHide);
    window.addEventListener("pageshow", onPageShow);
    return () => {
      window.removeEventListener("pagehide", onPageHide);
      window.removeEventListener("pageshow", onPageShow);
      client.close();
      queryClient.clear();
    };
  }, [token, generation]);

  // Until the client for *this* token exists, render nothing rather than use the last one.
  if (!current || current.token !== token || current.generation !== generation) return null;
  return (
    <QueryClientProvider client={current.queryClient}>
      <TRPCProvider trpcClient={current.client.trpc} queryClient={current.queryClient}>
        <HeraldClientContext.Provider value={current.client}>{children}</HeraldClientContext.Provider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
