/** `presence.*`: your own presence, your friends' presence, and the live feed. */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { ownViewOf } from "../engine/visibility.js";
import type { ChoicePatch } from "../engine/transitions.js";
import { callerEvents } from "../feed/caller-events.js";
import { handOverToFrames, trackedEvents } from "../feed/tracked-events.js";
import {
  lastSeenExceptionsInput,
  lastSeenLevelInput,
  messageInput,
  statusInput,
  untilInput,
  userIdInput,
  userIdsInput,
  visibleToInput,
} from "../inputs.js";
import { asTrpcError, checkUserIdsIn, protectedProcedure, router, type HeraldContext, type SessionUser } from "../trpc.js";
import type { PresenceState, VisiblePresence } from "../types.js";
import { previewFor, viewsFor } from "./friend-views.js";

const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "No friend with this id" });
const tooManyChanges = () => new TRPCError({ code: "TOO_MANY_REQUESTS", message: "Too many status changes; wait a few seconds" });

/**
 * A slot for one more subscription on the caller's socket, or TOO_MANY_REQUESTS. The slot is given
 * back the moment the subscription is stopped or ends in any other way: apps/server's subscription
 * host, which serves every `presence.onChange` over WebSocket, through `releaseOnForget` and the
 * feed's end; tRPC's adapter, were it to serve one, by aborting `signal` on `subscription.stop`.
 */
function takeSubscriptionSlot(ctx: HeraldContext, signal: AbortSignal | undefined): () => void {
  if (!ctx.frames) return () => {}; // server-side callers: no socket to protect
  const slot = ctx.app.subscriptionLimits.acquire(ctx.frames);
  if (!slot.ok) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: slot.reason });
  signal?.addEventListener("abort", slot.release, { once: true });
  return slot.release;
}

/** Refuses (BAD_REQUEST naming `field`) any of `ids` who is not the caller's friend. */
async function checkAllFriends(ctx: HeraldContext & { user: SessionUser }, field: string, ids: readonly string[]): Promise<void> {
  checkUserIdsIn(ctx.app, field, ids);
  if (ids.length === 0) return;
  const friends = new Set(await ctx.app.friendships.friendIdsOf(ctx.user.id));
  const strangers = ids.filter((id) => !friends.has(id));
  if (strangers.length > 0) {
    throw new TRPCError({ code: "BAD_REQUEST", message: `${field}: not your friend: ${strangers.slice(0, 5).join(", ")}` });
  }
}

/**
 * After a write that named friends (`ids`: an allow-list, last-seen exceptions), the caller's
 * own view. Unfriending deletes the friendship, then removes each from the other's lists.
 * Checking again after our write makes the check and the write one step: either that removal
 * comes after our write and undoes it, or this check sees the friendship gone and undoes it itself.
 */
async function ownViewAfterNaming(ctx: HeraldContext & { user: SessionUser }, ids: readonly string[], state: PresenceState) {
  if (ids.length === 0) return ownViewOf(state);
  const friendsNow = new Set(await ctx.app.friendships.friendIdsOf(ctx.user.id));
  const gone = ids.filter((id) => !friendsNow.has(id));
  return ownViewOf(gone.length > 0 ? await ctx.app.service.forgetViewers(ctx.user.id, gone) : state);
}

async function changeChoice(ctx: HeraldContext & { user: SessionUser }, patch: ChoicePatch) {
  const { limits, service } = ctx.app;
  const allowing = patch.visibleTo ?? [];
  await checkAllFriends(ctx, "visibleTo", allowing);
  if (typeof patch.until === "string" && patch.status === undefined && patch.message === undefined) {
    // `until` alone ends the current status: an `online` one has nothing to end (§9.1).
    if ((await service.loadState(ctx.user.id)).status === "online") {
      throw new TRPCError({ code: "BAD_REQUEST", message: "until: your status is online, which has nothing to end; set a status with it" });
    }
  }
  if (!limits.statusChangesPerUser.tryHit(ctx.user.id)) throw tooManyChanges();
  return ownViewAfterNaming(ctx, allowing, await service.changeChoice(ctx.user.id, patch));
}

const lastSeenPrivacyInput = z.object({ level: lastSeenLevelInput, exceptions: lastSeenExceptionsInput.optional() });

/** `presence.setLastSeenPrivacy` (§9.3): checked and written as `changeChoice` does an allow-list. */
async function changeLastSeenPrivacy(ctx: HeraldContext & { user: SessionUser }, input: z.output<typeof lastSeenPrivacyInput>) {
  const named = Object.keys(input.exceptions ?? {});
  await checkAllFriends(ctx, "exceptions", named);
  if (!ctx.app.limits.statusChangesPerUser.tryHit(ctx.user.id)) throw tooManyChanges();
  return ownViewAfterNaming(ctx, named, await ctx.app.service.changeLastSeenPrivacy(ctx.user.id, input.level, input.exceptions));
}

export const presenceRouter = router({
  // Every field optional: a device that sets only a message must not send a status it may hold
  // stale (another device changed it, or auto-away did), and re-apply it.
  setStatus: protectedProcedure
    .input(
      z.object({
        status: statusInput.optional(),
        message: messageInput.optional(),
        visibleTo: visibleToInput.optional(),
        until: untilInput.optional(),
      }),
    )
    .mutation(({ ctx, input }) => changeChoice(ctx, input)),

  setVisibility: protectedProcedure.input(z.object({ visibleTo: visibleToInput })).mutation(({ ctx, input }) => changeChoice(ctx, input)),

  /** Who sees your exact last seen (§9.3): a level for every friend, and exceptions (omitted: kept). */
  setLastSeenPrivacy: protectedProcedure.input(lastSeenPrivacyInput).mutation(({ ctx, input }) => changeLastSeenPrivacy(ctx, input)),

  /**
   * "See as" (§9.4): exactly what the friend `friendId` sees of you now (their `presence.get` of
   * you), and why. NOT_FOUND for anyone who is not your friend, as `presence.get` (rule 8).
   */
  preview: protectedProcedure.input(z.object({ friendId: userIdInput })).query(async ({ ctx, input }) => {
    checkUserIdsIn(ctx.app, "friendId", input.friendId);
    if (input.friendId === ctx.user.id || !(await ctx.app.friendships.areFriends(ctx.user.id, input.friendId))) throw notFound();
    return previewFor(ctx.app, ctx.user.id, input.friendId);
  }),

  /**
   * Auto-away (§7.2): the user is idle (no input, page hidden), or active again, on the device of
   * this WebSocket. Friends see an `online` user as `away` while every connection is idle; no
   * other status is ever changed. Idleness belongs to a connection, so a call without one (HTTP,
   * a server-side caller) is refused. Counts as a status change when it changes the flag.
   */
  setIdle: protectedProcedure.input(z.object({ idle: z.boolean() })).mutation(async ({ ctx, input }) => {
    const { limits, service } = ctx.app;
    const connection = ctx.connection;
    if (!connection) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: "setIdle: idleness is per connection; call it over the WebSocket of the device that went idle",
      });
    }
    if (connection.idle === input.idle) return ownViewOf(await service.loadState(ctx.user.id));
    if (!limits.statusChangesPerUser.tryHit(ctx.user.id)) throw tooManyChanges();
    await connection.setIdle(input.idle);
    return ownViewOf(await service.loadState(ctx.user.id));
  }),

  me: protectedProcedure.query(async ({ ctx }) => ownViewOf(await ctx.app.service.loadState(ctx.user.id))),

  get: protectedProcedure.input(z.object({ userId: userIdInput })).query(async ({ ctx, input }) => {
    checkUserIdsIn(ctx.app, "userId", input.userId);
    if (input.userId !== ctx.user.id && !(await ctx.app.friendships.areFriends(ctx.user.id, input.userId))) throw notFound();
    return (await viewsFor(ctx.app, ctx.user.id, [input.userId])).get(input.userId)!;
  }),

  getMany: protectedProcedure.input(z.object({ userIds: userIdsInput })).query(async ({ ctx, input }) => {
    checkUserIdsIn(ctx.app, "userIds", input.userIds);
    const friends = new Set(await ctx.app.friendships.friendIdsOf(ctx.user.id));
    friends.add(ctx.user.id);
    const wanted = [...new Set(input.userIds)].filter((id) => friends.has(id));
    const views = await viewsFor(ctx.app, ctx.user.id, wanted);
    const result: Record<string, VisiblePresence> = {};
    for (const id of wanted) result[id] = views.get(id)!;
    return result;
  }),

  heartbeat: protectedProcedure.mutation(({ ctx }) => {
    ctx.connection?.touch();
    return { ttlSeconds: ctx.app.settings.presenceTtlMs / 1000 };
  }),

  // The resolver passes on only what the feed needs: a generator keeps its arguments for its
  // whole life, and tRPC's call options (the raw input and its reader among them) would stay
  // alive with every idle subscription.
  onChange: protectedProcedure.input(z.object({ lastEventId: z.string().nullish() }).optional()).subscription(({ ctx, signal }) => {
    // Here, before the subscription is `started`: a refused subscribe is answered by its error
    // alone, and costs nothing (no feed, no slot).
    const releaseSlot = takeSubscriptionSlot(ctx, signal);
    if (ctx.hosted) ctx.hosted.releaseOnForget = releaseSlot; // the host may never run the generator
    return presenceEvents(ctx, signal, releaseSlot);
  }),
});

/** `presence.onChange`: the viewer's feed, for as long as the subscription lasts. */
async function* presenceEvents(ctx: HeraldContext & { user: SessionUser }, signal: AbortSignal | undefined, releaseSlot: () => void) {
  const { feeds } = ctx.app;
  const viewerId = ctx.user.id;
  const feed = feeds.acquire(viewerId);
  const release = () => {
    feeds.release(viewerId, feed);
    releaseSlot();
  };
  let handedOver = false;
  try {
    await feed.start();
    if (ctx.frames && ctx.hosted) {
      // The feed lives on without this generator (see HostedSubscription): it ends here.
      handOverToFrames(feed, ctx.frames, ctx.hosted, release);
      handedOver = true;
      return;
    }
    const until = signal ?? new AbortController().signal;
    yield* ctx.serverSide ? callerEvents(feed, until) : trackedEvents(feed, until);
  } catch (error) {
    throw asTrpcError(error);
  } finally {
    if (!handedOver) release();
  }
}
