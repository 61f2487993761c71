/** Retries work that must not be lost (a last-seen write) until it succeeds or we shut down. */
import type { Logger } from "../logger.js";

export async function retryUntilDone<T>(
  work: () => Promise<T>,
  options: { what: string; log: Logger; isClosed: () => boolean; maxDelayMs?: number },
): Promise<T> {
  let delay = 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (options.isClosed()) throw error;
      options.log.warn({ err: error, attempt }, `${options.what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5_000);
    }
  }
}
