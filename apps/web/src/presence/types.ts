/**
 * The shapes the app works with, all derived from the router's type: the web app imports
 * nothing from the server packages but the `AppRouter` type, so no server code can reach the bundle.
 * (Values both sides share — close codes, input limits — come from @herald/protocol, which has no I/O.)
 */
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@herald/presence";

type Outputs = inferRouterOutputs<AppRouter>;

export type VisiblePresence = Outputs["presence"]["get"];
export type VisibleStatus = VisiblePresence["status"];
export type OwnPresence = Outputs["presence"]["me"];
export type ChosenStatus = OwnPresence["status"];
export type Friend = Outputs["friends"]["list"][number];
export type FriendRequests = Outputs["friends"]["requests"];
export type UserSummary = FriendRequests["incoming"][number];

type OnChangeYield = Outputs["presence"]["onChange"] extends AsyncIterable<infer T> ? T : never;
/** `presence.onChange` yields `tracked()` events; the client unwraps them to `{ id, data }`. */
export type PresenceEvent = OnChangeYield extends { data: infer D } ? D : OnChangeYield;
