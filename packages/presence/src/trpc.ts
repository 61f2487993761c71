/**
 * tRPC setup: the context, and the two kinds of procedure. Input errors name the field:
 * the message reads `username: Too small: …` and `data.zodError` holds the flattened issues.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { z, ZodError } from "zod";
import type { HeraldApp } from "./app.js";
import { userIdProblem } from "./identity/user-ids.js";
import type { FrameSocket, HostedSubscription } from "./feed/frame-writer.js";
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
  /** That WebSocket, for subscriptions that write their own frames (see feed/frame-writer.ts). */
  frames: FrameSocket | null;
  /**
   * This subscription on `frames`, when the server's subscription host serves the call and knows
   * its address: the feed then writes every event itself, the snapshot too.
   */
  hosted?: HostedSubscription;
  /** For per-address abuse limits; null for server-side callers. */
  clientIp: string | null;
  /**
   * Why this WebSocket was refused before any user was looked at (its `connectionParams` are
   * invalid): every call answers BAD_REQUEST with it, until the server closes the socket.
   */
  refusal?: string;
  /**
   * Set on a WebSocket's context when its session ends (signed out, expired, revoked) and the
   * socket is about to close: calls made from then on answer UNAUTHORIZED; calls already running finish.
   */
  sessionEnded?: boolean;
  /** Set by `createCaller`: the user id is the caller's word, not a verified token's, so it is checked. */
  serverSide?: boolean;
  /**
   * The host's backend: `createSystemCaller`, or HTTP with HERALD_SERVICE_TOKEN. It may call
   * `system.*` and nothing that acts as a user (`user` is null).
   */
  system?: boolean;
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
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;
/**
 * A live store that cannot be reached answers SERVICE_UNAVAILABLE (`asTrpcError`), whichever
 * procedure met it: every procedure's first (outermost) middleware passes its result through this.
 */
function storeFailureAnswered<Result extends { ok: boolean; error?: { cause?: unknown } }>(result: Result): Result {
  if (!result.ok && isStoreUnavailable(result.error?.cause)) throw asTrpcError(result.error?.cause);
  return result;
}

export const publicProcedure = t.procedure.use(async ({ next }) => storeFailureAnswered(await next()));

/**
 * What `next` gets once `ctx.user` is checked: no `ctx` at run time (tRPC then passes the context on
 * as it is), and to the type checker a context whose user is not null.
 */
const userIsKnown = Object.freeze({}) as { ctx: { user: SessionUser } };

/**
 * One middleware, not `publicProcedure.use(…)`: tRPC copies its call options (and, for a `ctx`
 * given to `next`, the whole context) at every middleware level, ~7 % of the server's CPU at
 * 3,000 status changes/s when it still did so through a slow helper (patches/README.md). The
 * user is already in `ctx`; `next` is told only its narrower type (`userIsKnown`), so nothing is
 * copied for it.
 */
export const protectedProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (ctx.refusal) throw new TRPCError({ code: "BAD_REQUEST", message: ctx.refusal });
  if (!ctx.user || ctx.sessionEnded) {
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: ctx.system
        ? "This procedure acts as a user: the service credential cannot call it (system.* is the host's API)"
        : "Sign in first: a valid session token is required",
    });
  }
  if (ctx.serverSide) await checkServerSideUser(ctx.app, ctx.user.id);
  ctx.connection?.touch();
  return storeFailureAnswered(await next(userIsKnown));
});

/**
 * `system.*`: the host's backend only — in-process (`createSystemCaller`) or over HTTP with
 * `Authorization: Bearer $HERALD_SERVICE_TOKEN`. A user's token never opens it, over any transport.
 */
export const systemProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (ctx.system) return storeFailureAnswered(await next());
  if (ctx.user) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "system.* is the host backend's API: call it with HERALD_SERVICE_TOKEN, never a user's token",
    });
  }
  throw new TRPCError({
    code: "UNAUTHORIZED",
    message: ctx.app.serviceToken.configured
      ? "system.* needs the service credential: Authorization: Bearer $HERALD_SERVICE_TOKEN"
      : "system.* is off over HTTP: this server has no HERALD_SERVICE_TOKEN (in-process callers use createSystemCaller)",
  });
});

/**
 * A server-side caller names its user by id: a malformed one is BAD_REQUEST and an unknown one
 * NOT_FOUND, before any query could fail on it (and leak SQL in an internal error).
 */
async function checkServerSideUser(app: HeraldApp, userId: string): Promise<void> {
  checkUserIds(app, [{ path: ["userId"], id: userId }]);
  if (!(await app.accounts.byId(userId))) throw new TRPCError({ code: "NOT_FOUND", message: "No user with this id" });
}

/** Where an id sits in a procedure's input (`["visibleTo", 3]`), and the id. */
export interface IdAt {
  path: Array<string | number>;
  id: string;
}

/** Five bad ids say what is wrong; a thousand would only make the message long. */
const MAX_ID_ISSUES = 5;

/**
 * Holds ids to this deployment's kind (UUIDs, or the host's ids; identity/user-ids.ts): the input
 * schemas cannot, not knowing the deployment. Answers BAD_REQUEST exactly as a schema would, each
 * bad id named by its field (`visibleTo.3: must be a user id (uuid)`).
 */
export function checkUserIds(app: HeraldApp, ids: Iterable<IdAt>): void {
  const issues: ConstructorParameters<typeof ZodError>[0] = [];
  for (const { path, id } of ids) {
    const problem = userIdProblem(app.userIds, id);
    if (problem) issues.push({ code: "custom", path, message: problem, input: id });
    if (issues.length >= MAX_ID_ISSUES) break;
  }
  if (issues.length === 0) return;
  const cause = new ZodError(issues);
  throw new TRPCError({ code: "BAD_REQUEST", message: describeZodError(cause), cause });
}

/** `checkUserIds` for one field: a single id, or an array of them. */
export function checkUserIdsIn(app: HeraldApp, field: string, ids: string | readonly string[]): void {
  checkUserIds(app, typeof ids === "string" ? [{ path: [field], id: ids }] : ids.map((id, index) => ({ path: [field, index], id })));
}
