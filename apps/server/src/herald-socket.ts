/**
 * The server's WebSocket class. What the server keeps per socket lives in its fields rather than
 * in closures, timers and listeners, which cost a few hundred bytes each per connection — at tens
 * of thousands of idle connections, most of the heap:
 *
 * - when the client was last heard from (any message or pong), for keep-alive (keep-alive.ts),
 *   and the connection that hearing from it keeps live;
 * - the context and the subscriptions the subscription host serves (subscription-host.ts), which
 *   sees every text message before the tRPC adapter does.
 *
 * A text message sent without options or callback (every presence frame, every answer) is written
 * as one buffer (text-frames.ts).
 */
import type { ConnectionHandle, HeraldContext } from "@herald/presence";
import { WebSocket } from "ws";
import { CALL_BURST, spendCallBudget, type CallBudgetHolder } from "./call-budget.js";
import { takeHostedCalls, type HostedSubscriptions, type ReportFailure } from "./subscription-host.js";
import { writeTextFrame } from "./text-frames.js";

export interface HeraldSocket extends WebSocket, CallBudgetHolder {
  /** `Date.now()` when the client was last heard from. */
  heardAt: number;
  /** When keep-alive last pinged it without an answer yet (0: not waiting). */
  pingedAt: number;
  /** The user's connection this socket is, once authenticated: hearing from the client keeps it live. */
  connection: ConnectionHandle | null;
  /** The context tRPC's adapter is building or built for this socket (set by `createContext`). */
  heraldContext: Promise<HeraldContext> | null;
  /** The subscriptions the host serves on this socket, by JSON-RPC id (null until the first). */
  hosted: HostedSubscriptions | null;
}

/**
 * The `WebSocket` class for the server's `WebSocketServer`; with `budgetCalls` (RATE_LIMITS),
 * each socket's calls are limited (call-budget.ts).
 */
export function heraldSocketClass(reportFailure: ReportFailure, budgetCalls: boolean): typeof WebSocket {
  return class extends WebSocket implements HeraldSocket {
    heardAt = Date.now();
    pingedAt = 0;
    connection: ConnectionHandle | null = null;
    heraldContext: Promise<HeraldContext> | null = null;
    hosted: HostedSubscriptions | null = null;
    callAllowance = CALL_BURST;
    allowanceAt = this.heardAt;

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === "message" || event === "pong") {
        this.heardAt = Date.now();
        this.connection?.touch();
      }
      // `message` is emitted with (data, isBinary); binary frames are the adapter's to refuse.
      if (event === "message" && args[1] === false) {
        let data: Buffer | null = args[0] as Buffer;
        if (budgetCalls) data = spendCallBudget(this, data, this.heardAt);
        if (data && this.heraldContext) data = takeHostedCalls(this, data, reportFailure);
        if (data === null) return true;
        args[0] = data;
      }
      return super.emit(event, ...args);
    }

    override send(data: unknown, options?: unknown, cb?: unknown): void {
      if (typeof data === "string" && options === undefined && cb === undefined && writeTextFrame(this, data)) return;
      super.send(data as string, options as never, cb as never);
    }
  };
}
