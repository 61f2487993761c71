/**
 * "The live store is unreachable right now": the one failure a caller can do something about
 * (wait and retry). A store throws it instead of hanging or leaking a driver error; tRPC sends
 * it as SERVICE_UNAVAILABLE (HTTP 503), and the service rides it out where it can (a socket that
 * opens during an outage is registered once the store is back).
 */
import { TRPCError } from "@trpc/server";

export function storeUnavailable(cause?: unknown): TRPCError {
  return new TRPCError({
    code: "SERVICE_UNAVAILABLE",
    message: "Presence is briefly unavailable (its live store cannot be reached); try again in a few seconds",
    cause,
  });
}

export function isStoreUnavailable(error: unknown): boolean {
  return error instanceof TRPCError && error.code === "SERVICE_UNAVAILABLE";
}
