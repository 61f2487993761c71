/** A sentence a user can act on, from whatever a call failed with. */
import { TRPCClientError } from "@trpc/client";

export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    // No `data` means the call never got an answer: the socket or the network failed.
    if (!error.data) return "Can't reach Herald right now. Check your connection and try again.";
    return error.message;
  }
  return error instanceof Error ? error.message : "Something went wrong; please try again.";
}
