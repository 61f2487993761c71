/** The typed tRPC hooks for React. Only the router's *type* comes from the server side. */
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@herald/presence";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
