/** Friendship pairs seen from both ends: for each user, the others of their pairs. */

/**
 * Each pair `[a, b]` both ways round (`a` sees `b`, `b` sees `a`), grouped by the owner: one
 * write per user however many of their pairs changed. `keep` leaves out the ways round it refuses.
 */
export function viewersByOwner(
  pairs: ReadonlyArray<readonly [string, string]>,
  keep: (owner: string, viewer: string) => boolean = () => true,
): Map<string, string[]> {
  const byOwner = new Map<string, string[]>();
  const add = (owner: string, viewer: string) => {
    if (!keep(owner, viewer)) return;
    const viewers = byOwner.get(owner);
    if (viewers) viewers.push(viewer);
    else byOwner.set(owner, [viewer]);
  };
  for (const [a, b] of pairs) {
    add(a, b);
    add(b, a);
  }
  return byOwner;
}
