/** `auth.*`: accounts and session tokens. */
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { users } from "@herald/db";
import { z } from "zod";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../auth/password.js";
import { passwordInput, usernameInput } from "../inputs.js";
import { createDurable } from "../service/presence-repo.js";
import { protectedProcedure, publicProcedure, router } from "../trpc.js";

const credentials = z.object({ username: usernameInput, password: passwordInput });

function isUniqueViolation(error: unknown): boolean {
  for (let e = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

const tooMany = (message: string) => new TRPCError({ code: "TOO_MANY_REQUESTS", message });

export const authRouter = router({
  signUp: publicProcedure.input(credentials).mutation(async ({ ctx, input }) => {
    if (!ctx.app.limits.signUpsPerIp.tryHit(ctx.clientIp ?? "local")) {
      throw tooMany("Too many sign-ups from this address; try again in a few minutes");
    }
    const passwordHash = await hashPassword(input.password);
    try {
      const [user] = await ctx.app.db
        .insert(users)
        .values({ username: input.username, passwordHash })
        .returning({ id: users.id, username: users.username });
      await createDurable(ctx.app.db, user!.id);
      return { token: ctx.app.tokens.sign(user!.id), user: user! };
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new TRPCError({ code: "CONFLICT", message: `The username "${input.username}" is taken` });
      }
      throw error;
    }
  }),

  signIn: publicProcedure.input(credentials).mutation(async ({ ctx, input }) => {
    const { signInFailuresPerUsername, signInFailuresPerIp } = ctx.app.limits;
    const ip = ctx.clientIp ?? "local";
    if (signInFailuresPerUsername.isLimited(input.username) || signInFailuresPerIp.isLimited(ip)) {
      throw tooMany("Too many failed sign-ins; wait a few minutes and try again");
    }
    const [user] = await ctx.app.db.select().from(users).where(eq(users.username, input.username));
    // Hash even for unknown users, so response time does not reveal which usernames exist.
    const valid = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !valid) {
      signInFailuresPerUsername.tryHit(input.username);
      signInFailuresPerIp.tryHit(ip);
      throw new TRPCError({ code: "UNAUTHORIZED", message: "Wrong username or password" });
    }
    signInFailuresPerUsername.reset(input.username);
    return { token: ctx.app.tokens.sign(user.id, user.tokenVersion), user: { id: user.id, username: user.username } };
  }),

  /**
   * Not in SPEC's table (an extension): revokes every session token of the caller, on every
   * device; this server closes the user's sockets at once, others within a few seconds.
   */
  signOut: protectedProcedure.mutation(async ({ ctx }) => {
    await ctx.app.sessions.revokeAll(ctx.user.id);
    return { signedOut: true as const };
  }),

  me: protectedProcedure.query(async ({ ctx }) => {
    const [user] = await ctx.app.db
      .select({ id: users.id, username: users.username })
      .from(users)
      .where(eq(users.id, ctx.user.id));
    if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "This account no longer exists" });
    return user;
  }),
});
