/** `friends.*`: requests, acceptance, unfriending, and the friend list with presence. */
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { friendships, users } from "@herald/db";
import { z } from "zod";
import { viewOf } from "../engine/visibility.js";
import { userIdInput, usernameInput } from "../inputs.js";
import { findFriendship, orderedPair, relationsOf } from "../service/friends-repo.js";
import { protectedProcedure, router } from "../trpc.js";

const byUserId = z.object({ userId: userIdInput });
const noRequest = () => new TRPCError({ code: "NOT_FOUND", message: "No pending friend request from this user" });

export const friendsRouter = router({
  request: protectedProcedure.input(z.object({ username: usernameInput })).mutation(async ({ ctx, input }) => {
    const { db, service, limits } = ctx.app;
    // Counted before the lookup, whatever the answer: NOT_FOUND tells whether a username exists,
    // so unknown names must cost as much as real ones, and while limited every name gets the same answer.
    if (!limits.friendRequestsPerUser.tryHit(ctx.user.id)) {
      throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "Too many friend requests; slow down" });
    }
    const [target] = await db.select({ id: users.id }).from(users).where(eq(users.username, input.username));
    if (!target) throw new TRPCError({ code: "NOT_FOUND", message: `No user named "${input.username}"` });
    if (target.id === ctx.user.id) throw new TRPCError({ code: "BAD_REQUEST", message: "username: you cannot befriend yourself" });
    const existing = await findFriendship(db, ctx.user.id, target.id);
    if (existing?.status === "accepted") return { status: "accepted" as const };
    if (existing?.requesterId === ctx.user.id) return { status: "pending" as const };
    if (existing) {
      // They asked first: asking back is accepting.
      await accept(db, existing.requesterId, ctx.user.id);
      await service.publishFriendship(ctx.user.id, target.id, "friend_added");
      return { status: "accepted" as const };
    }
    await db
      .insert(friendships)
      .values({ ...orderedPair(ctx.user.id, target.id), requesterId: ctx.user.id })
      .onConflictDoNothing();
    return { status: "pending" as const };
  }),

  accept: protectedProcedure.input(byUserId).mutation(async ({ ctx, input }) => {
    const { db, service } = ctx.app;
    const existing = await findFriendship(db, ctx.user.id, input.userId);
    if (existing?.status === "accepted") return { status: "accepted" as const };
    if (!existing || existing.requesterId !== input.userId) throw noRequest();
    if (!(await accept(db, input.userId, ctx.user.id))) throw noRequest();
    await service.publishFriendship(ctx.user.id, input.userId, "friend_added");
    return { status: "accepted" as const };
  }),

  remove: protectedProcedure.input(byUserId).mutation(async ({ ctx, input }) => {
    const { db, service } = ctx.app;
    const pair = orderedPair(ctx.user.id, input.userId);
    const deleted = await db
      .delete(friendships)
      .where(and(eq(friendships.userLow, pair.userLow), eq(friendships.userHigh, pair.userHigh)))
      .returning({ status: friendships.status });
    if (deleted[0]?.status === "accepted") {
      // Stop the live feeds first (rule 11: at once), then tidy the allow-lists.
      await service.publishFriendship(ctx.user.id, input.userId, "friend_removed");
      await service.forgetEachOther(ctx.user.id, input.userId);
    }
    return { removed: deleted.length > 0 };
  }),

  list: protectedProcedure.query(async ({ ctx }) => {
    const friends = (await relationsOf(ctx.app.db, ctx.user.id)).filter((r) => r.status === "accepted");
    const states = await ctx.app.service.loadStates(friends.map((f) => f.id));
    return friends.map((friend) => ({
      id: friend.id,
      username: friend.username,
      presence: viewOf(states.get(friend.id)!, ctx.user.id),
    }));
  }),

  requests: protectedProcedure.query(async ({ ctx }) => {
    const pending = (await relationsOf(ctx.app.db, ctx.user.id)).filter((r) => r.status === "pending");
    const summary = ({ id, username }: { id: string; username: string }) => ({ id, username });
    return {
      incoming: pending.filter((r) => r.requesterId !== ctx.user.id).map(summary),
      outgoing: pending.filter((r) => r.requesterId === ctx.user.id).map(summary),
    };
  }),
});

/** Turns the pending request from `requesterId` to `addresseeId` into a friendship. */
async function accept(db: Parameters<typeof findFriendship>[0], requesterId: string, addresseeId: string): Promise<boolean> {
  const pair = orderedPair(requesterId, addresseeId);
  const updated = await db
    .update(friendships)
    .set({ status: "accepted", updatedAt: new Date() })
    .where(
      and(
        eq(friendships.userLow, pair.userLow),
        eq(friendships.userHigh, pair.userHigh),
        eq(friendships.requesterId, requesterId),
        eq(friendships.status, "pending"),
      ),
    )
    .returning({ status: friendships.status });
  return updated.length > 0;
}
