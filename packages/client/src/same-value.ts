/**
 * Whether two plain JSON values (presences, request lists) are equal. Server values are tiny and
 * come from JSON, so comparing their JSON is exact and cheap; keeping the old object when nothing
 * changed is what lets a UI skip re-rendering (a reconnect's snapshot mostly repeats what we had).
 */
export function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** `next`, or `previous` when they are equal: identity changes only with content. */
export function keepIfSame<T>(previous: T, next: T): T {
  return sameValue(previous, next) ? previous : next;
}
