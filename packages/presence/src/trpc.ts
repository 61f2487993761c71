/**
 * tRPC setup: the context, and the two kinds of procedure. Input errors name the field:
 * the message reads `username: Too small: …` and `data.zodError` holds the flattened issues.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { z, ZodError } from "zod";
import type { HeraldApp } from "./app.js";
import { userIdInput } from "./inputs.js";
import type { FrameSocket } from "./feed/frame-sink.js";
import type { ConnectionHandle } from "./service/connections.js";
import { isStoreUnavailable } from "./store/unavailable.js";

export interface SessionUser {
  id: string;
}

export interface HeraldContext {
  app: HeraldApp;
  user: SessionUser | null;
  /** The live WebSocket this call came over, if any (heartbeats refresh it). */
  connection: ConnectionHandle | null;
  /** That WebSocket, for subscriptions that write their own frames (see feed/frame-sink.ts). */
  frames: FrameSocket | null;
  /** For per-address abuse limits; null for server-side callers. */
  clientIp: string | null;
  /** Set by `createCaller`: the user id is the caller's word, not a verified token's, so it is checked. */
  serverSide?: boolean;
  /** The paths of every call in this HTTP request when it was a batch (abuse limits count sign-ins in it). */
  batchPaths?: readonly string[] | undefined;
}

function describeZodError(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "input"}: ${issue.message}`).join("; ");
}

const t = initTRPC.context<HeraldContext>().create({
  // Subscriptions are for WebSocket connections only, which are authenticated, counted and
  // capped per user; a stream over plain HTTP (SSE) would bypass all of that.
  sse: { enabled: false },
  errorFormatter({ shape, error }) {
    const zodError = error.code === "BAD_REQUEST" && error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      // Internal errors may quote SQL or hostnames: log them (the server's onError), never show them.
      message: zodError
        ? describeZodError(zodError)
        : error.code === "INTERNAL_SERVER_ERROR"
          ? "Something went wrong on our side; please try again"
          : shape.message,
      data: { ...shape.data, zodError: zodError ? z.flattenError(zodError) : null, stack: undefined },
    };
  },
});

/**
 * The tRPC face of errors from below (the store knows nothing of tRPC): a live store that cannot
 * be reached is SERVICE_UNAVAILABLE, not an internal error. Subscriptions, whose errors surface
 * while iterating rather than from the resolver, use it directly.
 */
export function asTrpcError(error: unknown): unknown {
  if (!isStoreUnavailable(error)) return error;
  return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: error.message, cause: error });
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && isStoreUnavailable(result.error.cause)) throw asTrpcError(result.error.cause);
  return result;
});

export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first: a valid session token is required" });
  if (ctx.serverSide) await checkServerSideUser(ctx.app, ctx.user.id);
  ctx.connection?.touch();
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/**
 * A server-side caller names its user by id: a malformed one is BAD_REQUEST and an unknown one
 * NOT_FOUND, before any query could fail on it (and leak SQL in an internal error).
 */
async function checkServerSideUser(app: HeraldApp, userId: string): Promise<void> {
  const parsed = userIdInput.safeParse(userId);
  if (!parsed.success)
    throw new TRPCError({ code: "BAD_REQUEST", message: `userId: ${parsed.error.issues[0]?.message ?? "must be a uuid"}` });
  if (!(await app.accounts.byId(userId))) throw new TRPCError({ code: "NOT_FOUND", message: "No user with this id" });
}
