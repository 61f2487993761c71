/**
 * The host's users and friend graph in SQL, on both databases, with ids and names that PostgreSQL's
 * array syntax would misread unquoted (they travel as one array parameter each; text-array.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@herald/db/testing";
import type { DatabaseHandle } from "@herald/db";
import { AccountsRepo } from "../src/repo/accounts.js";
import { FriendshipsRepo, orderedPair, type Pair } from "../src/repo/friendships.js";
import { DurablePresenceRepo } from "../src/repo/presence-repo.js";

const AWKWARD = ['quote"d', "back\\slash", "com,ma", "NULL", "brace}", "{brace", "sp ace", "ünï", "x"];

describe.each(["pglite", "postgres"] as const)("host users and pairs on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await handle.close();
  });

  it("provisions, renames, links, unlinks and writes allow-lists with awkward ids, each exactly as given", async () => {
    const accounts = new AccountsRepo(handle.db);
    const friendships = new FriendshipsRepo(handle.db);
    await accounts.provisionHostUsers(AWKWARD.map((id, i) => ({ id, name: i % 2 === 0 ? `Name "${i}" \\ ,` : null })));
    expect(await accounts.existing([...AWKWARD, "absent"])).toEqual(new Set(AWKWARD));
    expect(await accounts.byId('quote"d')).toEqual({ id: 'quote"d', username: 'Name "0" \\ ,' });
    expect(await accounts.byId("back\\slash")).toEqual({ id: "back\\slash", username: "back\\slash" });
    // A null name keeps the one stored; a new name replaces it.
    await accounts.provisionHostUsers([
      { id: 'quote"d', name: null },
      { id: "back\\slash", name: "Renamed" },
    ]);
    expect(await accounts.byId('quote"d')).toMatchObject({ username: 'Name "0" \\ ,' });
    expect(await accounts.byId("back\\slash")).toMatchObject({ username: "Renamed" });

    const pairs: Pair[] = AWKWARD.slice(1).map((id) => {
      const { userLow, userHigh } = orderedPair(AWKWARD[0]!, id);
      return [userLow, userHigh];
    });
    expect((await friendships.link(pairs)).added).toHaveLength(AWKWARD.length - 1);
    expect(new Set(await friendships.friendIdsOf(AWKWARD[0]!))).toEqual(new Set(AWKWARD.slice(1)));
    expect((await friendships.link(pairs)).added).toEqual([]);

    const durables = new DurablePresenceRepo(handle.db);
    const written = await durables.update(AWKWARD[0]!, (before) => ({ ...before, visibleTo: AWKWARD.slice(1) }));
    expect(written.changed).toBe(true);
    const fresh = new DurablePresenceRepo(handle.db);
    const reread = await fresh.update(AWKWARD[0]!, (before) => before);
    expect(reread.durable.visibleTo).toEqual(AWKWARD.slice(1));

    const ended = await friendships.unlink([...pairs, ["absent-a", "absent-b"]]);
    expect(ended.map((e) => e.was)).toEqual(pairs.map(() => "accepted"));
    expect(await friendships.friendIdsOf(AWKWARD[0]!)).toEqual([]);
  });

  it("answers friend lists asked for in one turn (on PGlite in one trip), each with its own friends", async () => {
    const accounts = new AccountsRepo(handle.db);
    const friendships = new FriendshipsRepo(handle.db);
    const ids = AWKWARD.map((id) => `turn ${id}`);
    await accounts.provisionHostUsers([...ids, "turn pending"].map((id) => ({ id, name: null })));
    // A chain: each awkward id is friends with its neighbours; the last only asked the first.
    const chain: Pair[] = ids.slice(1).map((id, i) => {
      const { userLow, userHigh } = orderedPair(ids[i]!, id);
      return [userLow, userHigh];
    });
    await friendships.link(chain);
    expect(await friendships.request("turn pending", ids[0]!)).toBe(true);

    const asked = [...ids, ids[0]!, "turn pending", "absent"];
    const lists = await Promise.all(asked.map((id) => friendships.friendIdsOf(id)));
    const expected = (i: number) => [ids[i - 1], ids[i + 1]].filter((id): id is string => id !== undefined).sort();
    ids.forEach((_, i) => expect([...lists[i]!].sort()).toEqual(expected(i)));
    expect([...lists[ids.length]!].sort()).toEqual(expected(0));
    expect(lists.slice(ids.length + 1)).toEqual([[], []]);
    // Two at once read alone; both forms give the same answer.
    const pair = await Promise.all([friendships.friendIdsOf(ids[1]!), friendships.friendIdsOf(ids[2]!)]);
    expect(pair.map((list) => [...list].sort())).toEqual([expected(1), expected(2)]);
  });

  it("link accepts a pending request between a pair, and says so", async () => {
    const accounts = new AccountsRepo(handle.db);
    const friendships = new FriendshipsRepo(handle.db);
    await accounts.provisionHostUsers([
      { id: "req-a", name: null },
      { id: "req-b", name: null },
    ]);
    expect(await friendships.request("req-b", "req-a")).toBe(true);
    expect(await friendships.link([["req-a", "req-b"]])).toEqual({ added: [["req-a", "req-b"]], accepted: [["req-a", "req-b"]] });
    expect(await friendships.areFriends("req-a", "req-b")).toBe(true);
  });
});
