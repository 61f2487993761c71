/**
 * HeraldProvider: gives the hooks below it a HeraldClient, and binds tRPC's TanStack Query
 * integration (`useTRPC`) to that client's tRPC client, so queries and mutations share its socket.
 *
 * Give it a `client` you made (you own it: the provider never closes it), or the `options` to
 * make one (the provider owns that one: see use-owned-client.ts). And a QueryClient: one per
 * signed-in user, so nothing cached for one user is shown to the next.
 */
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { HeraldClient, HeraldClientOptions } from "@herald/client";
import { HeraldClientContext } from "./client-context.js";
import { TRPCProvider } from "./trpc.js";
import { useOwnedClient } from "./use-owned-client.js";

interface CommonProps {
  queryClient: QueryClient;
  children?: ReactNode;
  /** Rendered in place of `children` until a client made from `options` exists (one effect later). */
  fallback?: ReactNode;
}

interface WithClient {
  /** A client you made, and will close yourself. */
  client: HeraldClient;
  options?: undefined;
}

interface WithOptions {
  /** What `createHeraldClient` takes: the provider makes the client, and closes it on unmount. */
  options: HeraldClientOptions;
  client?: undefined;
}

export type HeraldProviderProps = CommonProps & (WithClient | WithOptions);

export function HeraldProvider(props: HeraldProviderProps) {
  const { queryClient, children, fallback = null } = props;
  const owned = useOwnedClient(props.client ? null : props.options);
  const client = props.client ?? owned;
  return (
    <QueryClientProvider client={queryClient}>
      {client ? (
        <TRPCProvider trpcClient={client.trpc} queryClient={queryClient}>
          <HeraldClientContext.Provider value={client}>{children}</HeraldClientContext.Provider>
        </TRPCProvider>
      ) : (
        fallback
      )}
    </QueryClientProvider>
  );
}
