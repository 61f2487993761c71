/**
 * "The live store is unreachable right now": the one failure a caller can do something about
 * (wait and retry). A store (or bus) throws it instead of hanging or leaking a driver error; the
 * service rides it out where it can (a socket that opens during an outage is registered once the
 * store is back), and the tRPC boundary (`trpc.ts`) answers it as SERVICE_UNAVAILABLE (HTTP 503).
 */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";

  constructor(cause?: unknown) {
    super("Presence is briefly unavailable (its live store cannot be reached); try again in a few seconds", { cause });
  }
}

export function storeUnavailable(cause?: unknown): StoreUnavailableError {
  return new StoreUnavailableError(cause);
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}
