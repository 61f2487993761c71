/** The whole API: `appRouter` composes the areas; clients import only its type. */
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { HeraldApp } from "./app.js";
import { authRouter } from "./router/auth.js";
import { friendsRouter } from "./router/friends.js";
import { presenceRouter } from "./router/presence.js";
import { systemRouter } from "./router/system.js";
import { createCallerFactory, router } from "./trpc.js";

export const appRouter = router({
  auth: authRouter,
  friends: friendsRouter,
  presence: presenceRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

const callerFactory = createCallerFactory(appRouter);

/** The router without a network, acting as the given user (e.g. admin tools, jobs, tests). */
export function createCaller(app: HeraldApp, userId: string | null) {
  return callerFactory({ app, user: userId ? { id: userId } : null, connection: null, frames: null, clientIp: null, serverSide: true });
}

/**
 * The router without a network, as the host's backend: `system.*` (users, friend graph,
 * reachability), and nothing that acts as a user. The in-process twin of HERALD_SERVICE_TOKEN.
 */
export function createSystemCaller(app: HeraldApp) {
  return callerFactory({ app, user: null, system: true, connection: null, frames: null, clientIp: null, serverSide: true });
}
