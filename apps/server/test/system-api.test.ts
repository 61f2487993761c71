/**
 * `system.*` over HTTP with the service credential, against a real server in jwt mode with the
 * host's friendships (FRIENDS=host): bulk link/unlink reaching live subscribers, idempotency, who
 * may call what, and reachability. docs/protocol.md §3.4, SECURITY.md.
 */
import { afterAll, describe, expect, it } from "vitest";
import { appRouter } from "@herald/presence";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import type { AppRouter } from "@herald/presence";
import WebSocket from "ws";
import { createScratchDatabase } from "@herald/db/testing";
import { codeOf, connect, errorOf, httpClient, startTestServer, TEST_SERVICE_TOKEN, type TestUser } from "../src/testing/index.js";
import { closeAll, useServer, watch } from "./fixtures.js";

const server = useServer("postgres", { offlineGraceMs: 300 }, "host");
const system = () => httpClient(server.current.url, TEST_SERVICE_TOKEN).system;

/** Every procedure path of the router, split into the host's API and the users'. */
const PATHS = Object.keys(appRouter._def.procedures);
const SYSTEM_PATHS = PATHS.filter((path) => path.startsWith("system."));
const USER_PATHS = PATHS.filter((path) => !path.startsWith("system.") && path !== "presence.onChange");

/** Calls `path` over HTTP with `token` and a plausible input; the tRPC error code, or "ok". */
async function codeOfRawCall(path: string, token: string | null, input: unknown = {}): Promise<string> {
  const kind = (appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)[path]!._def.type;
  const headers: Record<string, string> = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const url = `${server.current.url}/trpc/${path}`;
  const response =
    kind === "query"
      ? await fetch(`${url}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(url, { method: "POST", headers, body: JSON.stringify(input) });
  const body = (await response.json()) as { error?: { data?: { code?: string } } };
  return body.error?.data?.code ?? "ok";
}

describe("system.* (the host's backend)", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("system.friends.link of many pairs reaches live subscribers within 1 s, on both sides; again it changes nothing", async () => {
    const users: TestUser[] = [];
    for (let i = 0; i < 45; i++) users.push(await server.people.newUser());
    const [a, b] = users as [TestUser, TestUser];
    const aDevice = await connect(server.current.wsUrl, a, { subscribe: true });
    const bDevice = await connect(server.current.wsUrl, b, { subscribe: true });
    // 990 pairs: everyone with everyone, 44 new friends each.
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < users.length; i++) for (let j = i + 1; j < users.length; j++) pairs.push([users[i]!.id, users[j]!.id]);
    const startedAt = Date.now();
    expect(await system().friends.link.mutate({ pairs })).toEqual({ changed: 990 });
    const added = async (device: typeof aDevice) => {
      const ids = new Set<string>();
      while (ids.size < users.length - 1) ids.add((await device.feed.next("friend_added", 1_000)).presence.userId);
      return ids;
    };
    const [toA, toB] = await Promise.all([added(aDevice), added(bDevice)]);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(toA).toEqual(new Set(users.slice(1).map((u) => u.id)));
    expect(toB.has(a.id)).toBe(true);
    // b is online (its device), a sees that in b's first view.
    expect((await a.http.friends.list.query()).find((f) => f.id === b.id)).toMatchObject({
      username: b.username,
      presence: { status: "online" },
    });

    // Idempotent: linking the same pairs (either way round) changes nothing and sends nothing.
    expect(await system().friends.link.mutate({ pairs: pairs.map(([x, y]) => [y, x]) })).toEqual({ changed: 0 });
    await b.http.presence.setStatus.mutate({ status: "dnd" }); // a marker: nothing may come before it
    expect(await aDevice.feed.next("update", 1_000)).toMatchObject({ presence: { userId: b.id, status: "dnd" } });
    await closeAll(aDevice, bDevice);
  });

  it("system.friends.unlink ends friendships live (friend_removed within 1 s), prunes allow-lists, and is idempotent", async () => {
    const alice = await server.people.newUser();
    const w = await watch(server.current, [alice], undefined, server.people);
    const others = [await server.people.newUser(), await server.people.newUser()];
    for (const other of others) await server.people.befriend(alice, other);
    await alice.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [w.viewer.id, ...others.map((o) => o.id)] });
    await w.readUntilMarker(() => {});

    const startedAt = Date.now();
    const pairs: Array<[string, string]> = [[w.viewer.id, alice.id], ...others.map((o): [string, string] => [alice.id, o.id])];
    expect(await system().friends.unlink.mutate({ pairs })).toEqual({ changed: 3 });
    expect(await w.viewerDevice.feed.next("friend_removed", 1_000)).toEqual({ type: "friend_removed", userId: alice.id });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect((await alice.http.presence.me.query()).visibleTo).toEqual([]);
    expect(await system().friends.unlink.mutate({ pairs })).toEqual({ changed: 0 });
    await alice.http.presence.setStatus.mutate({ status: "online" });
    await w.expectNothingElse(); // no longer a friend: nothing about alice arrives
    await closeAll(w.viewerDevice, w.markerDevice);
  });

  it("system.users.upsert provisions and renames; link needs both users to exist, and refuses bad pairs naming them", async () => {
    expect(
      await system().users.upsert.mutate({
        users: [
          { id: "sys|1", name: "One" },
          { id: "sys|2", name: "Two" },
        ],
      }),
    ).toEqual({ upserted: 2 });
    expect(
      await system().users.upsert.mutate({
        users: [
          { id: "sys|1", name: "Uno" },
          { id: "sys|1", name: "Eins" },
        ],
      }),
    ).toEqual({ upserted: 1 });
    expect(await server.current.app.accounts.byId("sys|1")).toEqual({ id: "sys|1", username: "Eins" });
    expect(await system().friends.link.mutate({ pairs: [["sys|1", "sys|2"]] })).toEqual({ changed: 1 });

    const refused = async (call: Promise<unknown>, message: RegExp) =>
      expect(await errorOf(call)).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(message) });
    await refused(
      system().friends.link.mutate({ pairs: [["sys|1", "sys|nobody"]] }),
      /^pairs: no user with id "sys\|nobody".*system\.users\.upsert/,
    );
    await refused(system().friends.link.mutate({ pairs: [["sys|2", "sys|2"]] }), /^pairs\.0: a user cannot be their own friend/);
    await refused(system().friends.unlink.mutate({ pairs: [["sys|1", "has space"]] }), /^pairs\.0\.1: must be a user id/);
    await refused(system().users.upsert.mutate({ users: [{ id: "{x}", name: "X" }] }), /^users\.0\.id: must be a user id/);
    await refused(system().users.upsert.mutate({ users: [{ id: "ok", name: "bell\u0007" }] }), /^users\.0\.name: .*control/);
    const many = Array.from({ length: 1001 }, (_, i): [string, string] => [`m|${i}`, `n|${i}`]);
    await refused(system().friends.link.mutate({ pairs: many }), /^pairs: must list at most 1000 pairs/);
  });

  it("refuses a user's token on every system.* procedure, over HTTP and WebSocket", async () => {
    expect(SYSTEM_PATHS.sort()).toEqual([
      "system.friends.link",
      "system.friends.unlink",
      "system.presence.reachable",
      "system.users.upsert",
    ]);
    const user = await server.people.newUser();
    for (const path of SYSTEM_PATHS) {
      expect(await codeOfRawCall(path, user.token), path).toBe("FORBIDDEN");
      expect(await codeOfRawCall(path, null), path).toBe("UNAUTHORIZED");
      expect(await codeOfRawCall(path, `${TEST_SERVICE_TOKEN}x`), path).toBe("UNAUTHORIZED");
    }
    // Over a WebSocket: the user's socket, and a socket that offers the service token (never a system caller).
    for (const [token, expected] of [
      [user.token, "FORBIDDEN"],
      [TEST_SERVICE_TOKEN, "UNAUTHORIZED"], // not a session token: an unauthenticated socket
    ] as const) {
      const wsClient = createWSClient({
        url: server.current.wsUrl,
        WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
        connectionParams: () => ({ token }),
      });
      const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
      expect(await codeOf(client.system.presence.reachable.query({ userIds: [user.id] }))).toBe(expected);
      await wsClient.close();
    }
  });

  it("refuses the service token on every procedure that acts as a user", async () => {
    expect(USER_PATHS.length).toBeGreaterThan(10);
    for (const path of USER_PATHS) {
      const expected = path === "auth.signUp" || path === "auth.signIn" ? "FORBIDDEN" : "UNAUTHORIZED"; // jwt mode: no Herald sign-in at all
      expect(await codeOfRawCall(path, TEST_SERVICE_TOKEN), path).toBe(expected);
    }
  });

  it("FRIENDS=host: users cannot make or end friendships, and are told why", async () => {
    const [a, b] = [await server.people.newUser(), await server.people.newUser()];
    // One at a time: a call made before the previous answer is awaited would reject unheard.
    for (const call of [
      () => a.http.friends.request.mutate({ userId: b.id }),
      () => a.http.friends.accept.mutate({ userId: b.id }),
      () => a.http.friends.remove.mutate({ userId: b.id }),
    ]) {
      expect(await errorOf(call())).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("FRIENDS=host") });
    }
    expect(await a.http.friends.list.query()).toEqual([]);
  });

  it("system.presence.reachable: true for connected users, visible or invisible; false once disconnected and for unknown ids", async () => {
    const [visible, invisible, gone] = [await server.people.newUser(), await server.people.newUser(), await server.people.newUser()];
    await invisible.http.presence.setStatus.mutate({ status: "invisible" });
    const devices = await Promise.all([visible, invisible, gone].map((u) => connect(server.current.wsUrl, u)));
    await devices[2]!.close();
    await expect.poll(async () => (await gone.http.presence.me.query()).connections).toBe(0);
    const ids = [visible.id, invisible.id, gone.id, "host|never-seen"];
    expect(await system().presence.reachable.query({ userIds: ids })).toEqual({
      [visible.id]: true,
      [invisible.id]: true,
      [gone.id]: false,
      "host|never-seen": false,
    });
    await closeAll(devices[0]!, devices[1]!);
    await expect.poll(() => system().presence.reachable.query({ userIds: [visible.id] })).toEqual({ [visible.id]: false });
  });

  it("without HERALD_SERVICE_TOKEN, system.* over HTTP is off (and says so), while in-process callers still have it", async () => {
    const database = await createScratchDatabase(process.env.TEST_DATABASE_URL);
    cleanups.push(database.drop);
    const bare = await startTestServer({ databaseUrl: database.url });
    cleanups.push(() => bare.close());
    const error = await errorOf(httpClient(bare.url, TEST_SERVICE_TOKEN).system.presence.reachable.query({ userIds: [] }));
    expect(error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("no HERALD_SERVICE_TOKEN") });
  });
});
