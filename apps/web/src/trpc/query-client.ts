/** One QueryClient per session, so nothing cached for one user is ever shown to the next. */
import { QueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";

/** Errors that retrying cannot fix. */
const FINAL_CODES = new Set(["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "BAD_REQUEST", "CONFLICT", "TOO_MANY_REQUESTS"]);

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Presence is pushed; the queries only need refreshing when an event says so.
        staleTime: 5_000,
        retry: (failures, error) => failures < 3 && !isFinal(error),
      },
      mutations: { retry: false },
    },
  });
}

function isFinal(error: unknown): boolean {
  return error instanceof TRPCClientError && FINAL_CODES.has((error.data as { code?: string } | undefined)?.code ?? "");
}
