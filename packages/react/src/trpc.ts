/**
 * tRPC's React bindings for Herald's router (tRPC v11's TanStack Query integration): `useTRPC()`
 * gives `queryOptions`/`mutationOptions` for every procedure, to use with TanStack Query's own
 * `useQuery`/`useMutation`. HeraldProvider binds them to the client's tRPC client, so every call
 * travels on the client's one WebSocket. Only the router's *type* comes from the server side.
 */
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@herald/presence";

// Named, so the published .d.ts refers to `AppRouter` instead of spelling out the router's insides.
type HeraldTRPCContext = ReturnType<typeof createTRPCContext<AppRouter>>;

const context: HeraldTRPCContext = createTRPCContext<AppRouter>();

export const TRPCProvider: HeraldTRPCContext["TRPCProvider"] = context.TRPCProvider;
export const useTRPC: HeraldTRPCContext["useTRPC"] = context.useTRPC;
export const useTRPCClient: HeraldTRPCContext["useTRPCClient"] = context.useTRPCClient;
