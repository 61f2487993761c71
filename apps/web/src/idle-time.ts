/** How long without input before auto-away: five minutes, or shorter for tests and demos. */

export const DEFAULT_IDLE_MS = 5 * 60_000;
/** Below this, auto-away would fire between keystrokes. */
export const MIN_IDLE_MS = 500;
export const IDLE_MS_STORAGE_KEY = "herald.idleMs";

/** `?idleMs=` wins over the `herald.idleMs` localStorage setting; nonsense falls back to the default. */
export function resolveIdleMs(search: string, stored: string | null): number {
  const fromQuery = new URLSearchParams(search).get("idleMs");
  for (const candidate of [fromQuery, stored]) {
    if (candidate === null || candidate.trim() === "") continue;
    const value = Number(candidate);
    if (Number.isFinite(value) && value >= MIN_IDLE_MS) return Math.round(value);
  }
  return DEFAULT_IDLE_MS;
}
