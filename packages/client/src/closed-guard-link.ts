/**
 * Refuses calls once the client has ended (closed, or refused as unauthorized). Without it a
 * call would quietly open a new socket: tRPC's WebSocket client reconnects for any request.
 */
import { TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import type { AppRouter } from "@herald/presence";
import type { ConnectionState } from "./connection-state.js";

export function closedGuardLink(state: () => ConnectionState): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        const current = state();
        if (current.status === "closed" || current.status === "unauthorized") {
          const why =
            current.status === "closed" ? "was closed" : "was refused by the server (unauthorized): sign in again and create a new client";
          observer.error(TRPCClientError.from(new Error(`Herald: ${op.path} not sent: this client ${why}`)));
          return;
        }
        return next(op).subscribe(observer);
      });
}
