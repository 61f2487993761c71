/**
 * Deletes every key under a prefix on one Redis: how tests and the bench leave a shared Redis as
 * they found it (each run writes under a prefix of its own). SCAN, so a large keyspace is not
 * blocked; not for a cluster client, whose SCAN covers one node.
 */
import type { Redis } from "ioredis";

export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}
