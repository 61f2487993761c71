/**
 * Seeds a Herald server through its public API, as real clients would: `auth.signUp` for every
 * user (scrypt: ~50 ms each, so a few in parallel), then each friendship as `friends.request`
 * and `friends.accept`, batched per user with tRPC's HTTP batch format.
 */
import { randomBytes } from "node:crypto";
import type { FriendGraph } from "./graph.js";

export interface SeededUser {
  id: string;
  username: string;
  token: string;
}

const PASSWORD = "bench-password";

async function call(baseUrl: string, paths: string[], inputs: unknown[], token?: string): Promise<unknown[]> {
  const batch = paths.length > 1;
  const url = `${baseUrl}/trpc/${paths.join(",")}${batch ? "?batch=1" : ""}`;
  const body = batch ? Object.fromEntries(inputs.map((input, i) => [String(i), input])) : inputs[0];
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  const results = (batch ? json : [json]) as Array<{ result?: { data: unknown }; error?: { message?: string } }>;
  return results.map((result) => {
    if (result.error) throw new Error(`${paths[0]}: ${result.error.message ?? JSON.stringify(result.error)}`);
    return result.result!.data;
  });
}

async function pool<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export interface SeedTimings {
  signUpMs: number;
  friendshipsMs: number;
}

export async function seedHerald(
  baseUrl: string,
  graph: FriendGraph,
  log: (line: string) => void,
): Promise<{ users: SeededUser[]; timings: SeedTimings }> {
  const tag = randomBytes(3).toString("hex");
  const users: SeededUser[] = new Array(graph.users);
  let started = performance.now();
  await pool(
    Array.from({ length: graph.users }, (_, i) => i),
    8,
    async (i) => {
      const username = `b${tag}_${i}`;
      const [data] = (await call(baseUrl, ["auth.signUp"], [{ username, password: PASSWORD }])) as Array<{
        token: string;
        user: { id: string };
      }>;
      users[i] = { id: data!.user.id, username, token: data!.token };
    },
  );
  const signUpMs = performance.now() - started;
  log(`  signed up ${graph.users} users in ${(signUpMs / 1000).toFixed(1)} s`);
  started = performance.now();
  const indices = Array.from({ length: graph.users }, (_, i) => i);
  await pool(indices, 8, async (i) => {
    const higher = graph.friends[i]!.filter((j) => j > i);
    if (higher.length === 0) return;
    await call(
      baseUrl,
      higher.map(() => "friends.request"),
      higher.map((j) => ({ username: users[j]!.username })),
      users[i]!.token,
    );
  });
  await pool(indices, 8, async (j) => {
    const lower = graph.friends[j]!.filter((i) => i < j);
    if (lower.length === 0) return;
    await call(
      baseUrl,
      lower.map(() => "friends.accept"),
      lower.map((i) => ({ userId: users[i]!.id })),
      users[j]!.token,
    );
  });
  const friendshipsMs = performance.now() - started;
  log(`  made ${graph.edges.length} friendships in ${(friendshipsMs / 1000).toFixed(1)} s`);
  return { users, timings: { signUpMs, friendshipsMs } };
}
