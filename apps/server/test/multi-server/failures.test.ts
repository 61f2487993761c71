/**
 * What several servers must survive (docs/protocol.md §2 rule 7, §4): Redis going away and coming back
 * empty, and a server dying without a word. Three real server processes share one PostgreSQL
 * and a redis-server that this file starts, kills and restarts on a port of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { befriend, connect, signUp, type Device } from "../../src/testing/index.js";
import { itSettlesACrashedServersUsers } from "./server-crash.js";
import { seen, statusesSeen, viewFrom } from "./presence-view.js";
import { eventually, RedisServer, reportServerLogsOnFailure, startCluster, type Cluster, type ServerProcess } from "./cluster.js";

const TTL_SECONDS = 3;
const GRACE_MS = 1_000;
/** docs/protocol.md §4: within 10 s of Redis returning, every local user is re-registered and every subscriber re-synced. */
const RESYNC_DEADLINE_MS = 10_000;

async function allHealth(servers: ServerProcess[]): Promise<Array<number | null>> {
  return Promise.all(servers.map((s) => s.health()));
}

describe("several servers on one Redis that fails, and a server that dies", () => {
  let redis: RedisServer;
  const cluster = {} as { current: Cluster };
  reportServerLogsOnFailure(cluster);
  const devices: Device[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    cluster.current = await startCluster({ count: 3, redisUrl: redis.url, presenceTtlMs: TTL_SECONDS * 1000, offlineGraceMs: GRACE_MS });
  });
  afterAll(async () => {
    await Promise.allSettled(devices.map((d) => d.close()));
    await cluster.current?.stop();
    await redis?.stop();
  });

  const open = async (server: ServerProcess, user: Parameters<typeof connect>[1], subscribe = false) => {
    const device = await connect(server.wsUrl, user, { subscribe });
    devices.push(device);
    return device;
  };

  it("Redis restarts empty: 503 and clear errors meanwhile; within 10 s everyone is back and in sync", async () => {
    const [a, b, c] = cluster.current.servers as [ServerProcess, ServerProcess, ServerProcess];
    const viewer = await signUp(b.url);
    const alice = await signUp(a.url); // connected throughout, on A
    const carol = await signUp(c.url); // connected throughout, on C
    const dave = await signUp(c.url); // connects while Redis is down
    const erin = await signUp(a.url); // leaves while Redis is down
    for (const friend of [alice, carol, dave, erin]) await befriend(friend, viewer);
    await open(a, alice);
    await open(c, carol);
    const erinDevice = await open(a, erin);
    const viewerDevice = await open(b, viewer, true);
    const carolWatching = await open(c, carol, true); // a subscriber on a third server, too
    for (const user of [alice, carol, erin]) await seen(viewerDevice, user.id, "online");
    await seen(carolWatching, viewer.id, "online");
    expect(await allHealth(cluster.current.servers)).toEqual([200, 200, 200]);

    await redis.stop();
    await eventually(
      "every server reports 503",
      async () => (await allHealth(cluster.current.servers)).every((code) => code === 503) || undefined,
    );
    await expect(alice.http.presence.setStatus.mutate({ status: "away" })).rejects.toMatchObject({
      data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 },
      message: expect.stringMatching(/unavailable/i),
    });
    await expect(viewer.http.presence.get.query({ userId: alice.id })).rejects.toMatchObject({
      data: { code: "SERVICE_UNAVAILABLE" },
    });
    // Calls that need only PostgreSQL still work, and sockets keep opening.
    expect((await viewer.http.friends.requests.query()).incoming).toEqual([]);
    await open(c, dave);
    await erinDevice.close();
    expect(cluster.current.servers.every((s) => s.alive())).toBe(true);

    await redis.restart();
    const restartedAt = Date.now();
    const after = { timeoutMs: RESYNC_DEADLINE_MS, sinceEvent: viewerDevice.feed.all.length };
    const afterOnC = { timeoutMs: RESYNC_DEADLINE_MS, sinceEvent: carolWatching.feed.all.length };
    await eventually(
      "every server reports 200",
      async () => (await allHealth(cluster.current.servers)).every((code) => code === 200) || undefined,
      RESYNC_DEADLINE_MS,
    );
    const healthyAfterMs = Date.now() - restartedAt;
    // Redis came back empty: only re-registration can make these true again.
    // (`after`: in a snapshot sent since the restart, or an update following it.)
    await seen(viewerDevice, alice.id, "online", after);
    await seen(viewerDevice, carol.id, "online", after);
    await seen(viewerDevice, dave.id, "online", after);
    await seen(carolWatching, viewer.id, "online", afterOnC);
    // Erin left during the outage: offline, and her last seen recorded once Redis was back.
    const erinGone = await seen(viewerDevice, erin.id, (p) => p.status === "offline" && p.lastSeen !== null, after);
    const resyncedAfterMs = Date.now() - restartedAt;
    expect(resyncedAfterMs).toBeLessThanOrEqual(RESYNC_DEADLINE_MS);
    expect(Date.parse(erinGone.lastSeen!)).toBeLessThan(restartedAt);
    console.info(`redis restart: healthz 200 after ${healthyAfterMs} ms, everyone re-synced after ${resyncedAfterMs} ms`);

    // A change made after the restart reaches subscribers on other servers.
    await alice.http.presence.setStatus.mutate({ status: "dnd", message: "back" });
    expect(await seen(viewerDevice, alice.id, "dnd")).toMatchObject({ message: "back" });
    expect((await viewer.http.presence.get.query({ userId: alice.id })).status).toBe("dnd");
    expect((await alice.http.presence.me.query()).connections).toBe(1);
    expect(viewFrom(viewerDevice.feed.all).get(carol.id)?.status).toBe("online");
  });

  it("Redis hangs for longer than the TTL: clear errors meanwhile, then nobody flaps offline", async () => {
    const [a, b] = cluster.current.servers as [ServerProcess, ServerProcess, ServerProcess];
    const viewer = await signUp(b.url);
    const alice = await signUp(a.url);
    await befriend(alice, viewer);
    await open(a, alice);
    const viewerDevice = await open(b, viewer, true);
    await seen(viewerDevice, alice.id, "online");
    const firstEvent = viewerDevice.feed.all.length;

    redis.pause();
    try {
      const pausedAt = Date.now();
      await eventually(
        "every server reports 503",
        async () => (await allHealth(cluster.current.servers)).every((code) => code === 503) || undefined,
      );
      const calledAt = Date.now();
      await expect(alice.http.presence.setStatus.mutate({ status: "away" })).rejects.toMatchObject({
        data: { code: "SERVICE_UNAVAILABLE" },
      });
      expect(Date.now() - calledAt).toBeLessThan(8_000); // a hung Redis does not hang the call
      // Part of the scenario, not a wait for a result: when Redis wakes up, every connection
      // it holds has expired.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, pausedAt + TTL_SECONDS * 1000 + 1_000 - Date.now())));
    } finally {
      redis.resume();
    }
    await eventually(
      "every server reports 200",
      async () => (await allHealth(cluster.current.servers)).every((code) => code === 200) || undefined,
      RESYNC_DEADLINE_MS,
    );
    await alice.http.presence.setStatus.mutate({ status: "dnd" });
    await seen(viewerDevice, alice.id, "dnd");
    // Past the moment reaping resumes after an outage, alice's connection must still be live.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    await alice.http.presence.setStatus.mutate({ status: "online" });
    await seen(viewerDevice, alice.id, "online");
    const aliceSeen = statusesSeen(viewerDevice, alice.id, firstEvent);
    expect(aliceSeen).not.toContain("offline");
    expect(aliceSeen.at(-1)).toBe("online");
  });

  itSettlesACrashedServersUsers(() => cluster.current.servers, open, TTL_SECONDS);
});
