/**
 * tRPC's React bindings for Herald's router (tRPC v11's TanStack Query integration): `useTRPC()`
 * gives `queryOptions`/`mutationOptions` for every procedure, to use with TanStack Query's own
 * `useQuery`/`useMutation`. HeraldProvider binds them to the client's tRPC client, so every call
 * travels on the client's one WebSocket. Only the router's *type* comes from the server side.
 */
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@herald/presence";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
