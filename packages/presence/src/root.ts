/** The whole API: `appRouter` composes the areas; clients import only its type. */
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { HeraldApp } from "./app.js";
import { authRouter } from "./router/auth.js";
import { friendsRouter } from "./router/friends.js";
import { presenceRouter } from "./router/presence.js";
import { createCallerFactory, router } from "./trpc.js";

export const appRouter = router({
  auth: authRouter,
  friends: friendsRouter,
  presence: presenceRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

const callerFactory = createCallerFactory(appRouter);

/** The router without a network, acting as the given user (e.g. admin tools, jobs, tests). */
export function createCaller(app: HeraldApp, userId: string | null) {
  return callerFactory({ app, user: userId ? { id: userId } : null, connection: null, frames: null, clientIp: null, serverSide: true });
}
