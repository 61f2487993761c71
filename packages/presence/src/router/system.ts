/**
 * `system.*`: the host backend's API (docs/protocol.md §3.4) — provisioning the host's users, its
 * friend graph, and whether a user can be reached right now. Only `systemProcedure` callers get
 * here: the host's code in-process, or HTTP with HERALD_SERVICE_TOKEN; never a user.
 */
import { LIMITS } from "@herald/protocol";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { displayNameInput, userIdInput } from "../inputs.js";
import { orderedPair, type Pair } from "../repo/friendships.js";
import { checkUserIds, router, systemProcedure, type HeraldContext } from "../trpc.js";

const { maxItems } = LIMITS.system;
const atMost = (what: string) => `must list at most ${maxItems} ${what}`;

const pairsInput = z.object({
  pairs: z.array(z.tuple([userIdInput, userIdInput])).max(maxItems, atMost("pairs")),
});

/** The pairs, their ids checked, each ordered as stored, each once; BAD_REQUEST for a user paired with themselves. */
function orderedPairs(ctx: HeraldContext, pairs: ReadonlyArray<readonly [string, string]>): Pair[] {
  checkUserIds(
    ctx.app,
    pairs.flatMap(([a, b], index) => [
      { path: ["pairs", index, 0], id: a },
      { path: ["pairs", index, 1], id: b },
    ]),
  );
  const self = pairs.findIndex(([a, b]) => a === b);
  if (self !== -1) throw new TRPCError({ code: "BAD_REQUEST", message: `pairs.${self}: a user cannot be their own friend` });
  const unique = new Map<string, Pair>();
  for (const [a, b] of pairs) {
    const { userLow, userHigh } = orderedPair(a, b);
    unique.set(JSON.stringify([userLow, userHigh]), [userLow, userHigh]);
  }
  return [...unique.values()];
}

export const systemRouter = router({
  users: router({
    /**
     * Provisions the host's users (or renames them): before their first token, so that the
     * friend graph can name them. With Herald's own accounts there are no host users to make.
     */
    upsert: systemProcedure
      .input(
        z.object({
          users: z.array(z.object({ id: userIdInput, name: displayNameInput })).max(maxItems, atMost("users")),
        }),
      )
      .mutation(async ({ ctx, input }) => {
        if (ctx.app.identity !== "jwt") {
          throw new TRPCError({
            code: "PRECONDITION_FAILED",
            message: "system.users.upsert provisions the host app's users: it needs AUTH_MODE=jwt (here users sign up with Herald)",
          });
        }
        checkUserIds(
          ctx.app,
          input.users.map(({ id }, index) => ({ path: ["users", index, "id"], id })),
        );
        // One row per id (the last name given wins): an upsert may not touch a row twice.
        const byId = new Map(input.users.map((user) => [user.id, user]));
        await ctx.app.accounts.provisionHostUsers([...byId.values()]);
        return { upserted: byId.size };
      }),
  }),

  friends: router({
    /** Makes these pairs friends; idempotent. Both users of every pair must exist, or nothing changes. */
    link: systemProcedure.input(pairsInput).mutation(async ({ ctx, input }) => {
      const pairs = orderedPairs(ctx, input.pairs);
      const ids = [...new Set(pairs.flat())];
      const known = await ctx.app.accounts.existing(ids);
      const unknown = ids.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: `pairs: no user with id ${unknown
            .slice(0, 5)
            .map((id) => JSON.stringify(id))
            .join(", ")}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""} (provision them with system.users.upsert first)`,
        });
      }
      return { changed: await ctx.app.hostGraph.link(pairs) };
    }),

    /** Ends these pairs' friendships (and any request between them); idempotent. */
    unlink: systemProcedure.input(pairsInput).mutation(async ({ ctx, input }) => ({
      changed: await ctx.app.hostGraph.unlink(orderedPairs(ctx, input.pairs)),
    })),
  }),

  presence: router({
    /**
     * Whether each user has a live connection right now — invisible or not. The one answer that
     * tells an invisible user's connection (SECURITY.md says why that is safe): the host's
     * backend asks it to choose between an in-app notification and a push, and it never reaches
     * another user. Unknown ids answer false.
     */
    reachable: systemProcedure
      .input(z.object({ userIds: z.array(userIdInput).max(maxItems, atMost("ids")) }))
      .query(async ({ ctx, input }) => {
        checkUserIds(
          ctx.app,
          input.userIds.map((id, index) => ({ path: ["userIds", index], id })),
        );
        const live = await ctx.app.service.liveConnections(input.userIds);
        return Object.fromEntries(input.userIds.map((id) => [id, (live.get(id) ?? 0) > 0]));
      }),
  }),
});
