/** `friends.*`: requests, acceptance, unfriending, and the friend list with presence. */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { HeraldApp } from "../app.js";
import { userIdInput, usernameInput } from "../inputs.js";
import type { AccountsRepo } from "../repo/accounts.js";
import { checkUserIdsIn, protectedProcedure, router } from "../trpc.js";
import { viewsFor } from "./friend-views.js";

const byUserId = z.object({ userId: userIdInput });
const noRequest = () => new TRPCError({ code: "NOT_FOUND", message: "No pending friend request from this user" });

/**
 * `friends.request` names the other user by username (Herald's accounts) or by id (the host's
 * users, who have no username): exactly one of the two.
 */
const requestInput = z
  .object({ username: usernameInput.optional(), userId: userIdInput.optional() })
  .refine((input) => (input.username === undefined) !== (input.userId === undefined), {
    path: ["username"],
    message: "give either a username or a userId",
  });

/**
 * With FRIENDS=host the host's backend is the only source of friendships (`system.friends.*`):
 * users may still read theirs, but not make or end any.
 */
const userManagedFriendships = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.app.friendSource === "host") {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "Friendships are managed by the app you signed in with here (FRIENDS=host): make or end them there",
    });
  }
  return next();
});

export const friendsRouter = router({
  request: userManagedFriendships.input(requestInput).mutation(async ({ ctx, input }) => {
    const { accounts, limits } = ctx.app;
    if (input.userId !== undefined) checkUserIdsIn(ctx.app, "userId", input.userId);
    // Counted before the lookup, whatever the answer: NOT_FOUND tells whether a username exists,
    // so unknown names must cost as much as real ones, and while limited every name gets the same answer.
    if (!limits.friendRequestsPerUser.tryHit(ctx.user.id)) {
      throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "Too many friend requests; slow down" });
    }
    const field = input.userId === undefined ? "username" : "userId";
    const targetId =
      input.userId === undefined ? await accounts.idByUsername(input.username!) : await knownId(ctx.app.accounts, input.userId);
    if (!targetId) {
      throw new TRPCError({
        code: "NOT_FOUND",
        message: input.userId === undefined ? `No user named "${input.username}"` : "No user with this id",
      });
    }
    if (targetId === ctx.user.id) throw new TRPCError({ code: "BAD_REQUEST", message: `${field}: you cannot befriend yourself` });
    return { status: await requestOrAcceptTheirs(ctx.app, ctx.user.id, targetId) };
  }),

  accept: userManagedFriendships.input(byUserId).mutation(async ({ ctx, input }) => {
    const { friendships } = ctx.app;
    checkUserIdsIn(ctx.app, "userId", input.userId);
    const existing = await friendships.find(ctx.user.id, input.userId);
    if (existing?.status === "accepted") return { status: "accepted" as const };
    if (!existing || existing.requesterId !== input.userId) throw noRequest();
    // Not accepted here: cancelled meanwhile (NOT_FOUND), or accepted by another of our devices at the same moment.
    if (!(await acceptRequest(ctx.app, input.userId, ctx.user.id)) && !(await friendships.areFriends(ctx.user.id, input.userId))) {
      throw noRequest();
    }
    return { status: "accepted" as const };
  }),

  remove: userManagedFriendships.input(byUserId).mutation(async ({ ctx, input }) => {
    const { friendships, service } = ctx.app;
    checkUserIdsIn(ctx.app, "userId", input.userId);
    const was = await friendships.remove(ctx.user.id, input.userId);
    if (was === "accepted") {
      // Stop the live feeds first (rule 11: at once), then tidy the allow-lists.
      await service.announceUnfriended([[ctx.user.id, input.userId]]);
      await service.forgetEachOther(ctx.user.id, input.userId);
    } else if (was === "pending") {
      await service.publishRequestsChanged(ctx.user.id, input.userId); // declined or cancelled
    }
    return { removed: was !== null };
  }),

  list: protectedProcedure.query(async ({ ctx }) => {
    const friends = (await ctx.app.friendships.relationsOf(ctx.user.id)).filter((r) => r.status === "accepted");
    const views = await viewsFor(
      ctx.app,
      ctx.user.id,
      friends.map((f) => f.id),
    );
    return friends.map((friend) => ({ id: friend.id, username: friend.username, presence: views.get(friend.id)! }));
  }),

  requests: protectedProcedure.query(({ ctx }) => ctx.app.friendships.pendingOf(ctx.user.id)),
});

/**
 * Asks `targetId`, or accepts their request if they asked first (asking back is accepting). Each
 * step is a compare-and-set on the pair's one row; when one finds the row changed since it was
 * read (both asked at the same moment, or they cancelled as we accepted), the choice is made
 * again on the row as it is now, so two people asking each other at once end up friends.
 */
async function requestOrAcceptTheirs(app: HeraldApp, userId: string, targetId: string): Promise<"pending" | "accepted"> {
  const { friendships, service } = app;
  for (let attempt = 1; ; attempt++) {
    const existing = await friendships.find(userId, targetId);
    if (existing?.status === "accepted") return "accepted";
    if (existing?.requesterId === userId) return "pending";
    if (existing) {
      if (await acceptRequest(app, targetId, userId)) return "accepted";
    } else if (await friendships.request(userId, targetId)) {
      await service.publishRequestsChanged(userId, targetId);
      return "pending";
    }
    if (attempt === 3) {
      throw new TRPCError({ code: "CONFLICT", message: "This friend request changed while it was being made; try again" });
    }
  }
}

/**
 * Turns `requesterId`'s pending request to `accepterId` into a friendship and announces it
 * (`PresenceService.befriend`); false (and nothing done) if there was no such request.
 */
async function acceptRequest(app: HeraldApp, requesterId: string, accepterId: string): Promise<boolean> {
  const pair = [accepterId, requesterId] as const;
  const accept = async () => ({ added: (await app.friendships.accept(requesterId, accepterId)) ? [pair] : [] });
  if ((await app.service.befriend([pair], accept)).added.length === 0) return false;
  await app.service.publishRequestsChanged(accepterId, requesterId);
  return true;
}

async function knownId(accounts: AccountsRepo, userId: string): Promise<string | undefined> {
  return (await accounts.byId(userId))?.id;
}
