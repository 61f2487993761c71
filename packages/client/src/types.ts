/**
 * The data the SDK hands out, all derived from the router's type: the SDK imports nothing from
 * the server packages but the `AppRouter` type, so no server code can reach a bundle that uses it.
 * Values both sides share (close codes, input limits) come from @herald/protocol, which has no I/O.
 */
import type { TRPCClient } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@herald/presence";

type Outputs = inferRouterOutputs<AppRouter>;

/** What you see of a friend (docs/protocol.md §1): `status` is never `invisible`. */
export type VisiblePresence = Outputs["presence"]["get"];
export type VisibleStatus = VisiblePresence["status"];
/** What you see of yourself: the chosen status (maybe `invisible`), message, allow-list, live connections. */
export type OwnPresence = Outputs["presence"]["me"];
export type ChosenStatus = OwnPresence["status"];
/** Who sees your exact last seen (docs/protocol.md §9.3): a level for every friend, and exceptions. */
export type LastSeenPrivacy = OwnPresence["lastSeenPrivacy"];
export type LastSeenLevel = LastSeenPrivacy["level"];
/** "See as" (§9.4): what one friend sees of you now, and why. */
export type Preview = Outputs["presence"]["preview"];
/** A friend with their live presence. */
export type Friend = Outputs["friends"]["list"][number];
/** Your pending friend requests, both ways. */
export type FriendRequests = Outputs["friends"]["requests"];
export type UserSummary = FriendRequests["incoming"][number];

type OnChangeYield = Outputs["presence"]["onChange"] extends AsyncIterable<infer T> ? T : never;
/** One `presence.onChange` event (docs/protocol.md §3.3), unwrapped from its `tracked()` envelope. */
export type PresenceEvent = OnChangeYield extends { data: infer D } ? D : OnChangeYield;

/** The typed tRPC client, for any procedure the convenience methods do not cover. */
export type HeraldTRPCClient = TRPCClient<AppRouter>;
