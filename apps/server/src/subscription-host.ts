/**
 * Serves `presence.onChange` subscriptions over WebSocket beside tRPC's adapter.
 *
 * Why: the adapter keeps ~13 KiB per subscription alive for the subscription's whole life (an
 * iterator resource, a promise race per event, its async frames), though every frame of a
 * `presence.onChange` subscription is written by the feed itself (feed/frame-writer.ts). At tens of
 * thousands of idle subscribers that is most of the server's memory.
 *
 * How: sockets are `HeraldSocket`s (herald-socket.ts), which hand every text message to the host
 * before the adapter hears it. The host takes the `subscription` messages for `presence.onChange` and the
 * `subscription.stop` messages for the ones it serves; everything else reaches the adapter as
 * sent (a batch loses only the calls the host took). It runs the procedure from the router —
 * the same middlewares, input parser and resolver as every other transport — through tRPC's
 * `callProcedure`, with the subscription (`HostedSubscription`: its JSON-RPC address, and how it
 * ends) in the context, so the feed writes every event itself from the snapshot on, and outlives
 * the call. The host answers as the adapter would, byte for byte: `started`, then the feed's
 * frames, then `stopped` (or the error, shaped by the router's formatter).
 */
import { appRouter, type HeraldContext } from "@herald/presence";
import type { HostedSubscription } from "@herald/presence";
import {
  callProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
  TRPCError,
} from "@trpc/server/unstable-core-do-not-import";
import { WebSocket } from "ws";
import type { HeraldSocket } from "./herald-socket.js";

const HOSTED_PATH = "presence.onChange";
const config = appRouter._def._config;

/** What the host needs from the server: where failures are reported. */
export type ReportFailure = (error: TRPCError, path: string | undefined) => void;

type MessageId = string | number;

interface CallMessage {
  id: MessageId;
  jsonrpc: "2.0" | undefined;
  method: string;
  params?: { path?: unknown; input?: unknown; lastEventId?: unknown };
}

/**
 * One subscription the host serves. A plain object with fields, no `AbortController`: every idle
 * subscriber holds one for its whole life, and a signal with its listeners costs ~0.7 KiB.
 */
class HostedCall implements HostedSubscription {
  stopRequested = false;
  feed: { close(): void } | null = null;
  releaseOnForget: (() => void) | null = null;

  constructor(
    readonly id: MessageId,
    readonly jsonrpc: "2.0" | undefined,
    private readonly socket: HeraldSocket,
  ) {}

  /** The client's `subscription.stop`, or its socket closed. */
  stop(): void {
    this.stopRequested = true;
    this.feed?.close();
  }

  ended(): void {
    this.forget();
    respond(this.socket, { id: this.id, jsonrpc: this.jsonrpc, result: { type: "stopped" } });
  }

  forget(): void {
    if (this.socket.hosted?.get(this.id) === this) this.socket.hosted.delete(this.id);
    this.releaseOnForget?.();
  }
}

/** The `presence.onChange` subscriptions the host serves on one socket, by JSON-RPC id. */
export type HostedSubscriptions = Map<MessageId, HostedCall>;

/** The message without the calls the host took: `data` itself when it took none, null when it took all. */
export function takeHostedCalls(socket: HeraldSocket, data: Buffer, reportFailure: ReportFailure): Buffer | null {
  // Cheap test first: almost every message is a heartbeat or another procedure's call.
  const mayStop = socket.hosted !== null && socket.hosted.size > 0 && data.includes("subscription.stop");
  if (!mayStop && !data.includes(HOSTED_PATH)) return data;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString("utf8"));
  } catch {
    return data; // the adapter answers PARSE_ERROR
  }
  const calls = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  const rest = calls.filter((call) => !takeCall(socket, call, reportFailure));
  if (rest.length === calls.length) return data;
  if (rest.length === 0) return null;
  return Buffer.from(JSON.stringify(Array.isArray(parsed) ? rest : rest[0]));
}

/** Serves `call` when it is the host's; false leaves it to the adapter (which also judges malformed ones). */
function takeCall(socket: HeraldSocket, call: unknown, reportFailure: ReportFailure): boolean {
  if (!isCallMessage(call)) return false;
  if (call.method === "subscription.stop") {
    const subscription = socket.hosted?.get(call.id);
    subscription?.stop();
    return subscription !== undefined;
  }
  if (call.method !== "subscription" || call.params?.path !== HOSTED_PATH) return false;
  // `serve` answers the call's own failures; this is for a throw while answering (the error
  // formatter, the socket), which with nobody awaiting `serve` would end the process.
  serve(socket, call, reportFailure).catch((error: unknown) => reportFailure(getTRPCErrorFromUnknown(error), HOSTED_PATH));
  return true;
}

function isCallMessage(call: unknown): call is CallMessage {
  if (typeof call !== "object" || call === null) return false;
  const { id, jsonrpc, method, params } = call as Partial<CallMessage>;
  return (
    (typeof id === "string" || typeof id === "number") &&
    (jsonrpc === undefined || jsonrpc === "2.0") &&
    typeof method === "string" &&
    (params === undefined || (typeof params === "object" && params !== null))
  );
}

/** The input as the adapter builds it: `lastEventId` (sent beside the input) goes into it. */
function inputOf(params: CallMessage["params"]): unknown {
  const { input, lastEventId } = params ?? {};
  if (lastEventId === undefined) return input;
  if (typeof input === "object" && input !== null && !Array.isArray(input)) return { ...input, lastEventId };
  return input ?? { lastEventId };
}

async function serve(socket: HeraldSocket, call: CallMessage, reportFailure: ReportFailure): Promise<void> {
  const { id, jsonrpc } = call;
  const input = inputOf(call.params);
  if (!socket.hosted) {
    socket.hosted = new Map();
    socket.once("close", stopAll);
  }
  const hosted = socket.hosted;
  if (hosted.has(id)) {
    const error = new TRPCError({ code: "BAD_REQUEST", message: `Duplicate id ${id}` });
    return respondError(socket, call, error, input, undefined, reportFailure);
  }
  const subscription = new HostedCall(id, jsonrpc, socket);
  hosted.set(id, subscription);
  let ctx: HeraldContext | undefined;
  try {
    try {
      ctx = await socket.heraldContext!;
    } catch {
      return subscription.forget(); // the adapter answered and is closing the socket
    }
    const result: unknown = await callProcedure({
      router: appRouter,
      path: HOSTED_PATH,
      getRawInput: () => Promise.resolve(input),
      ctx: { ...ctx, hosted: subscription },
      type: "subscription",
      signal: undefined,
      batchIndex: 0,
    });
    if (socket.readyState !== WebSocket.OPEN || subscription.stopRequested) return subscription.forget();
    respond(socket, { id, jsonrpc, result: { type: "started" } });
    // With `hosted` the procedure's one step reads the snapshot and hands the feed over: it
    // yields nothing, and the feed says when the subscription ends (`ended`).
    const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    if (!(await iterator.next()).done) {
      await iterator.return?.(undefined);
      throw new Error(`${HOSTED_PATH} yielded an event its feed should have written`);
    }
    if (subscription.feed === null) throw new Error(`${HOSTED_PATH} ended without handing its feed over`);
  } catch (cause) {
    subscription.forget();
    respondError(socket, call, getTRPCErrorFromUnknown(cause), input, ctx, reportFailure);
  }
}

/** Ends every subscription the host serves on a socket that closed (a shared listener: no closure per socket). */
function stopAll(this: WebSocket): void {
  for (const subscription of (this as HeraldSocket).hosted?.values() ?? []) subscription.stop();
}

function respond(socket: HeraldSocket, envelope: unknown): void {
  if (socket.readyState !== WebSocket.OPEN) return;
  socket.send(JSON.stringify(transformTRPCResponse(config, envelope as never)));
}

function respondError(
  socket: HeraldSocket,
  call: CallMessage,
  error: TRPCError,
  input: unknown,
  ctx: HeraldContext | undefined,
  reportFailure: ReportFailure,
): void {
  reportFailure(error, HOSTED_PATH);
  answerWithError(socket, call, error, { type: "subscription", path: HOSTED_PATH, input, ctx });
}

/** Answers the call `{ id, jsonrpc }` with `error`, shaped by the router's formatter, as the adapter answers. */
export function answerWithError(
  socket: HeraldSocket,
  { id, jsonrpc }: Pick<CallMessage, "id" | "jsonrpc">,
  error: TRPCError,
  at: Omit<Parameters<typeof getErrorShape>[0], "config" | "error">,
): void {
  respond(socket, { id, jsonrpc, error: getErrorShape({ config, error, ...at }) });
}
