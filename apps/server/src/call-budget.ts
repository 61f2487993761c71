/**
 * How many calls one WebSocket may make (RATE_LIMITS): a burst of `CALL_BURST`, then
 * `CALLS_PER_SECOND`. Why: every call costs the server's one thread something (a database read,
 * on PGlite run on that thread), and a socket can send calls as fast as the network carries them —
 * one 64 KiB frame holds a thousand — so without a budget one client stalls everyone for seconds.
 * Calls past the budget are answered `TOO_MANY_REQUESTS` at once, without running, and the socket
 * stays open (a client that queued calls while reconnecting sends them in one frame). Refused
 * calls are owed: a socket that runs `CALL_BURST` calls past its budget is closed (1008) instead,
 * since answering a flood call by call would cost the thread almost as much as serving it.
 *
 * The budget lives in two fields of the socket (no timer or closure per connection), refilled
 * when the socket next sends. Keep-alive `PING`/`PONG` messages cost nothing.
 */
import { TRPCError } from "@trpc/server/unstable-core-do-not-import";
import type { HeraldSocket } from "./herald-socket.js";
import { answerWithError } from "./subscription-host.js";

export const CALL_BURST = 50;
export const CALLS_PER_SECOND = 20;
/** The close code of a socket that ran `CALL_BURST` calls past its budget (policy violation). */
export const CLOSE_CALL_FLOOD = 1008;

const REFUSAL = `Too many calls on this connection: at most ${CALL_BURST} at once, then ${CALLS_PER_SECOND} a second`;

/** The socket's side of the budget. */
export interface CallBudgetHolder {
  /** Calls it may still make now (refilled by `CALLS_PER_SECOND`, up to `CALL_BURST`); below 0, calls refused and owed. */
  callAllowance: number;
  /** When the allowance was last refilled (`Date.now()`). */
  allowanceAt: number;
}

const OPEN_BRACKET = 0x5b;

/**
 * The message with the calls the budget allows: `data` itself when it allows all of them, null
 * when none (each refused call is answered here, or the socket closed), or the message with only
 * the allowed ones.
 */
export function spendCallBudget(socket: HeraldSocket, data: Buffer, now = Date.now()): Buffer | null {
  if (isKeepAlive(data)) return data;
  socket.callAllowance = Math.min(CALL_BURST, socket.callAllowance + ((now - socket.allowanceAt) * CALLS_PER_SECOND) / 1000);
  socket.allowanceAt = now;
  const batch = firstByteIsBracket(data) ? parseArray(data) : null;
  const calls = batch?.length ?? 1;
  const allowed = Math.min(calls, Math.max(0, Math.floor(socket.callAllowance)));
  socket.callAllowance -= calls;
  if (allowed === calls) return data;
  if (socket.callAllowance < -CALL_BURST) {
    socket.close(CLOSE_CALL_FLOOD, `too many calls: more than ${CALL_BURST} past the limit of ${CALLS_PER_SECOND} a second`);
    return null;
  }
  const messages = batch ?? [parseOrNull(data)];
  // Stopping a subscription and sending connectionParams are never refused: a refused stop would
  // leave its feed running (the client does not wait for an answer) and holding a slot.
  const passed: unknown[] = [];
  const refused: unknown[] = [];
  messages.forEach((message, i) => (i < allowed || isAlwaysAllowed(message) ? passed : refused).push(message));
  refuse(socket, refused);
  if (passed.length === 0) return null;
  return batch === null ? data : Buffer.from(JSON.stringify(passed));
}

function isAlwaysAllowed(message: unknown): boolean {
  const method = typeof message === "object" && message !== null ? (message as { method?: unknown }).method : undefined;
  return method === "subscription.stop" || method === "connectionParams";
}

/** Answers each call among `messages` TOO_MANY_REQUESTS (at most `CALL_BURST` of them: more closes the socket). */
function refuse(socket: HeraldSocket, messages: readonly unknown[]): void {
  const error = new TRPCError({ code: "TOO_MANY_REQUESTS", message: REFUSAL });
  for (const message of messages) {
    if (typeof message !== "object" || message === null) continue; // not a call: nothing to answer
    const { id, jsonrpc, params } = message as { id?: unknown; jsonrpc?: unknown; params?: { path?: unknown } };
    if (typeof id !== "string" && typeof id !== "number") continue;
    const path = typeof params?.path === "string" ? params.path : undefined;
    answerWithError(socket, { id, jsonrpc: jsonrpc === "2.0" ? "2.0" : undefined }, error, {
      type: "unknown",
      path,
      input: undefined,
      ctx: undefined,
    });
  }
}

function firstByteIsBracket(data: Buffer): boolean {
  for (const byte of data) {
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return byte === OPEN_BRACKET;
  }
  return false;
}

function parseArray(data: Buffer): unknown[] | null {
  const parsed = parseOrNull(data);
  return Array.isArray(parsed) ? (parsed as unknown[]) : null;
}

function parseOrNull(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString("utf8"));
  } catch {
    return null;
  }
}

function isKeepAlive(data: Buffer): boolean {
  return data.length === 4 && (data.toString("latin1") === "PING" || data.toString("latin1") === "PONG");
}
