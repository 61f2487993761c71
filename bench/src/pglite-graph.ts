/**
 * An in-memory PGlite database with `users` users, each with `friends` friends (graph.ts), every
 * user with a presence row: what the PGlite tools (`pglite-*`) measure their statements on.
 *
 * Prepare a tool's statements in a text of their own, never in the seeding text: PostgreSQL keeps
 * a prepared statement's whole source text (every statement of the simple query it came in) and
 * copies it on each EXECUTE. Prepared inside this ~1-MB text, one friend-list read measured
 * ~0.44 ms of CPU instead of ~0.07 (BENCHMARKS.md, session 19).
 */
import { openDatabase, type Database } from "@herald/db";
import { buildGraph } from "./graph.js";

export interface PgliteGraph {
  db: Database;
  /** PGlite itself, for statements sent as they are. */
  client: { exec(query: string): Promise<Array<{ rows: unknown[] }>> };
  /** User ids, by the graph's user numbers. */
  ids: string[];
  close(): Promise<void>;
}

export async function openPgliteGraph(users: number, friends = 20): Promise<PgliteGraph> {
  const { db, close } = await openDatabase({ dataDir: null });
  const client = (db as unknown as { $client: PgliteGraph["client"] }).$client;
  const ids = Array.from({ length: users }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
  const graph = buildGraph(users, friends);
  await client.exec(`
    insert into users (id, username, password_hash) select id, 'u' || n, repeat('h', 100) from unnest(array[${ids.map((id) => `'${id}'`).join(",")}]) with ordinality as t(id, n);
    insert into user_presence (user_id) select id from users;
    insert into friendships (user_low, user_high, requester_id, status) values ${graph.edges
      .map(([a, b]) => [ids[a]!, ids[b]!].sort())
      .map(([low, high]) => `('${low}', '${high}', '${low}', 'accepted')`)
      .join(",")};`);
  return { db, client, ids, close };
}
