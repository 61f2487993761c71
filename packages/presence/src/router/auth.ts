/** `auth.*`: accounts and session tokens. */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { HashingBusyError } from "../auth/password.js";
import { addressKey } from "../auth/rate-limiter.js";
import { passwordInput, usernameInput } from "../inputs.js";
import { middleware, protectedProcedure, publicProcedure, router, type HeraldContext } from "../trpc.js";

const credentials = z.object({ username: usernameInput, password: passwordInput });

const tooMany = (message: string) => new TRPCError({ code: "TOO_MANY_REQUESTS", message });
const busy = () => tooMany("The server is busy checking passwords; try again in a moment");

const SIGN_IN_PATHS = new Set(["auth.signIn", "auth.signUp"]);

/**
 * With the host's identity (AUTH_MODE=jwt) there are no Herald accounts to make, sign in to or
 * sign out of: the host does all three, and its token is the session.
 */
const ownAccountsOnly = middleware(({ ctx, path, next }) => {
  if (ctx.app.identity === "jwt") {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `${path} is off: this Herald uses the sign-in of the app it is part of (AUTH_MODE=jwt). Send that app's token as the session token instead`,
    });
  }
  return next();
});

/**
 * One sign-in or sign-up per HTTP request: a batch of 100 guesses is refused as a whole rather
 * than checked (each attempt is also counted before hashing, so this is belt and braces).
 */
function refuseBatchedSignIns(ctx: HeraldContext, path: string): void {
  if (!ctx.app.limits.oneSignInPerRequest || !ctx.batchPaths) return;
  if (ctx.batchPaths.filter((p) => SIGN_IN_PATHS.has(p)).length > 1) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `${path}: send sign-ins and sign-ups one per request, not several in one batch`,
    });
  }
}

function waitMessage(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
  return `Too many failed sign-ins; try again in ${wait}`;
}

export const authRouter = router({
  signUp: publicProcedure
    .use(ownAccountsOnly)
    .input(credentials)
    .mutation(async ({ ctx, input }) => {
      refuseBatchedSignIns(ctx, "auth.signUp");
      // Per-address limits are for callers over the network; server-side callers (createCaller,
      // clientIp null) are the host's own code, not one shared "address" that throttles them all.
      const address = ctx.clientIp === null ? null : addressKey(ctx.clientIp);
      const { signUpsPerIp } = ctx.app.limits;
      if (address !== null && !signUpsPerIp.tryHit(address)) {
        throw tooMany("Too many sign-ups from this address; try again in a few minutes");
      }
      let passwordHash: string;
      try {
        passwordHash = await ctx.app.passwords.hash(input.password);
      } catch (error) {
        if (!(error instanceof HashingBusyError)) throw error;
        if (address !== null) signUpsPerIp.refund(address);
        throw busy();
      }
      const user = await ctx.app.accounts.create(input.username, passwordHash);
      if (!user) throw new TRPCError({ code: "CONFLICT", message: `The username "${input.username}" is taken` });
      return { token: ctx.app.tokens.sign(user.id), user };
    }),

  signIn: publicProcedure
    .use(ownAccountsOnly)
    .input(credentials)
    .mutation(async ({ ctx, input }) => {
      refuseBatchedSignIns(ctx, "auth.signIn");
      const { signInFailuresPerUsernameAndAddress: perPair, signInFailuresPerIp: perAddress } = ctx.app.limits;
      const address = ctx.clientIp === null ? null : addressKey(ctx.clientIp); // null: server-side (see signUp)
      const pair = `${input.username}\u0000${address ?? "server-side"}`;
      // Count the attempt before any lookup or hashing: concurrent guesses must not all slip past.
      const wait = perPair.begin(pair);
      if (wait > 0) throw tooMany(waitMessage(wait));
      if (address !== null && !perAddress.tryHit(address)) {
        perPair.cancelled(pair);
        throw tooMany("Too many failed sign-ins from this address; wait a few minutes and try again");
      }
      let outcome: "failed" | "succeeded" | "cancelled" = "cancelled";
      try {
        const user = await ctx.app.accounts.byUsername(input.username);
        let verdict;
        try {
          // Hash even for unknown users, so response time does not reveal which usernames exist.
          verdict = await ctx.app.passwords.verify(input.password, user?.passwordHash ?? null);
        } catch (error) {
          if (error instanceof HashingBusyError) throw busy();
          throw error;
        }
        if (!user?.passwordHash || !verdict.valid) {
          outcome = "failed";
          throw new TRPCError({ code: "UNAUTHORIZED", message: "Wrong username or password" });
        }
        outcome = "succeeded";
        if (verdict.needsRehash) await upgradeHash(ctx, user.id, user.passwordHash, input.password);
        // Found by this username, so it is theirs (host users, who have none, never get this far: no password).
        return { token: ctx.app.tokens.sign(user.id, user.tokenVersion), user: { id: user.id, username: input.username } };
      } finally {
        if (outcome === "failed") {
          perPair.failed(pair);
        } else {
          // Only failures count against the address; a success or an unchecked attempt is taken back.
          if (address !== null) perAddress.refund(address);
          if (outcome === "succeeded") perPair.succeeded(pair);
          else perPair.cancelled(pair);
        }
      }
    }),

  /**
   * Not in the router table of docs/protocol.md §3 (an extension): revokes every session token of the caller, on every
   * device; this server closes the user's sockets at once, others within a few seconds.
   */
  signOut: protectedProcedure.use(ownAccountsOnly).mutation(async ({ ctx }) => {
    await ctx.app.sessions.revokeAll(ctx.user.id);
    return { signedOut: true as const };
  }),

  me: protectedProcedure.query(async ({ ctx }) => {
    const user = await ctx.app.accounts.byId(ctx.user.id);
    if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "This account no longer exists" });
    return user;
  }),
});

/**
 * Replaces a hash made with older (cheaper) parameters by one with the current parameters, now
 * that we hold the password. Best effort: when hashing is busy or the write fails, the next
 * successful sign-in tries again. Only replaces the hash it checked (a concurrent password
 * change wins).
 */
async function upgradeHash(ctx: HeraldContext, userId: string, oldHash: string, password: string): Promise<void> {
  try {
    await ctx.app.accounts.replacePasswordHash(userId, oldHash, await ctx.app.passwords.hash(password));
  } catch (error) {
    if (!(error instanceof HashingBusyError)) ctx.app.log.warn({ err: error, userId }, "could not upgrade a password hash");
  }
}
