/** How long to wait before each reconnect attempt: spread out, so a restarted server is not hit by every client at once. */

/** Most drops are brief: retry at once, then back off to 10 s, each delay ±25 % at random. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  if (attempt === 0) return 0;
  return jitter(Math.min(500 * 2 ** (attempt - 1), 10_000), random);
}

/**
 * After a 4429 (the user holds the maximum of connections) retrying soon cannot help until
 * another tab or device closes: wait 5 s, backing off to a minute (docs/protocol.md §5.1: no loop).
 */
export function refusedDelayMs(attempt: number, random: () => number = Math.random): number {
  return jitter(Math.min(5_000 * 2 ** attempt, 60_000), random);
}

function jitter(baseMs: number, random: () => number): number {
  return Math.round(baseMs * (0.75 + random() * 0.5));
}
