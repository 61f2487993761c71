/**
 * The seeded friend graph: U users, each with exactly F friends (F even, F < U). A circulant
 * graph with pseudo-random distinct offsets, so friend lists overlap little and the same
 * seed always gives the same graph for every target.
 */
export interface FriendGraph {
  users: number;
  /** friends[i]: the indices of user i's friends. */
  friends: number[][];
  /** Each friendship once, as [low, high]. */
  edges: Array<[number, number]>;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildGraph(users: number, friendsPerUser: number, seed = 42): FriendGraph {
  if (friendsPerUser % 2 !== 0) throw new Error("friends per user must be even");
  if (friendsPerUser >= users) throw new Error("friends per user must be below the user count");
  const random = mulberry32(seed);
  const half = Math.floor((users - 1) / 2);
  const offsets = new Set<number>();
  while (offsets.size < friendsPerUser / 2) offsets.add(1 + Math.floor(random() * half));
  const friends: number[][] = Array.from({ length: users }, () => []);
  const edges: Array<[number, number]> = [];
  for (let i = 0; i < users; i++) {
    for (const offset of offsets) {
      const j = (i + offset) % users;
      friends[i]!.push(j);
      friends[j]!.push(i);
      edges.push(i < j ? [i, j] : [j, i]);
    }
  }
  return { users, friends, edges };
}
