/**
 * Herald on a Redis Cluster when things die (issue 15): a master killed with SIGKILL while two
 * servers serve friends on each other, and a Herald server killed with SIGKILL (the same
 * scenario as on one Redis, server-crash.ts). Three masters with a replica each, and three
 * server processes, all of this file's own.
 */
import { RedisKeys } from "@herald/presence/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { befriend, connect, signUp, type Device, type TestUser } from "../../src/testing/index.js";
import { eventually, RedisCluster, reportServerLogsOnFailure, startCluster, type Cluster, type ServerProcess } from "./cluster.js";
import { seen } from "./presence-view.js";
import { itSettlesACrashedServersUsers } from "./server-crash.js";

/**
 * Short enough for the SIGKILL scenario (offline within TTL + 5 s), long enough that a
 * connection last refreshed just before the master died outlives the failover (~2.5 s here).
 */
const TTL_SECONDS = 5;
const GRACE_MS = 1_000;
/** Issue 15: within 15 s of the kill every friend sees the truth again. */
const CONVERGED_WITHIN_MS = 15_000;
/** Sign-ups tried to find users whose keys live on the master that will die. */
const MAX_SIGNUPS = 30;

describe("Herald on a Redis Cluster: a master dies, then a server", () => {
  let redis: RedisCluster;
  const cluster = {} as { current: Cluster };
  reportServerLogsOnFailure(cluster);
  const devices: Device[] = [];

  beforeAll(async () => {
    redis = await RedisCluster.start({ masters: 3, replicasPerMaster: 1 });
    cluster.current = await startCluster({
      count: 3,
      redisClusterNodes: redis.nodesVariable,
      presenceTtlMs: TTL_SECONDS * 1000,
      offlineGraceMs: GRACE_MS,
    });
  });
  afterAll(async () => {
    await Promise.allSettled(devices.map((d) => d.close()));
    await cluster.current?.stop();
    await redis?.stop();
  });

  const open = async (server: ServerProcess, user: TestUser, subscribe = false) => {
    const device = await connect(server.wsUrl, user, { subscribe });
    devices.push(device);
    return device;
  };
  const masterOf = (user: TestUser) => redis.masterOf(new RedisKeys(cluster.current.redisPrefix).live(user.id));

  it("kill -9 of a master: its replica takes over, and within 15 s friends see every live user online and a leaver offline", async () => {
    const [a, b] = cluster.current.servers as [ServerProcess, ServerProcess, ServerProcess];
    const viewerOnB = await signUp(b.url); // watches users on A
    const watcherOnA = await signUp(a.url); // watches a user on B
    const erin = await signUp(a.url); // disconnects during the failover
    const victim = await masterOf(erin);
    // Live users on A: at least two on the master that dies, and one elsewhere.
    const onVictim: TestUser[] = [];
    const elsewhere: TestUser[] = [];
    for (let i = 0; i < MAX_SIGNUPS && (onVictim.length < 2 || elsewhere.length < 1); i++) {
      const user = await signUp(a.url);
      ((await masterOf(user)) === victim ? onVictim : elsewhere).push(user);
    }
    expect(onVictim.length).toBeGreaterThanOrEqual(2);
    expect(elsewhere.length).toBeGreaterThanOrEqual(1);
    const liveOnA = [...onVictim, elsewhere[0]!];
    const bob = await signUp(b.url); // live on B, a friend of the watcher on A
    for (const user of [...liveOnA, erin]) await befriend(user, viewerOnB);
    await befriend(bob, watcherOnA);

    for (const user of liveOnA) await open(a, user);
    const erinDevice = await open(a, erin);
    await open(b, bob);
    const viewerDevice = await open(b, viewerOnB, true);
    const watcherDevice = await open(a, watcherOnA, true);
    for (const user of [...liveOnA, erin]) await seen(viewerDevice, user.id, "online");
    await seen(watcherDevice, bob.id, "online");

    const since = { viewer: viewerDevice.feed.all.length, watcher: watcherDevice.feed.all.length };
    await redis.kill(victim);
    const killedAt = Date.now();
    await erinDevice.close();
    const erinLeftAt = Date.now();

    // Meanwhile, a call that needs the dead shard fails plainly as unavailable (never an internal
    // error), until the replica answers for it.
    const failures = new Set<string | undefined>();
    await eventually(
      "a shard user's presence answers again",
      async () => {
        const answer = await viewerOnB.http.presence.get.query({ userId: onVictim[1]!.id }).catch((error: { data?: { code?: string } }) => {
          failures.add(error.data?.code);
          return undefined;
        });
        return answer && true;
      },
      CONVERGED_WITHIN_MS,
    );
    expect([...failures].filter((code) => code !== "SERVICE_UNAVAILABLE")).toEqual([]);

    // Judged on a snapshot sent after the kill (the resync) and what followed it.
    const after = (sinceEvent: number) => ({ timeoutMs: Math.max(0, killedAt + CONVERGED_WITHIN_MS - Date.now()), sinceEvent });
    for (const user of liveOnA) await seen(viewerDevice, user.id, "online", after(since.viewer));
    await seen(watcherDevice, bob.id, "online", after(since.watcher));
    const erinGone = await seen(viewerDevice, erin.id, (p) => p.status === "offline" && p.lastSeen !== null, after(since.viewer));
    const convergedAfterMs = Date.now() - killedAt;
    expect(convergedAfterMs).toBeLessThanOrEqual(CONVERGED_WITHIN_MS);
    expect(Math.abs(Date.parse(erinGone.lastSeen!) - erinLeftAt)).toBeLessThan(2_000);
    expect(await redis.masters()).not.toContain(victim);
    console.info(`Redis Cluster failover: friends converged ${convergedAfterMs} ms after kill -9 of a master`);

    // No ghost and nobody stuck: the servers answer the same, and the moved channels deliver.
    for (const user of liveOnA) expect((await viewerOnB.http.presence.get.query({ userId: user.id })).status).toBe("online");
    expect(await viewerOnB.http.presence.get.query({ userId: erin.id })).toEqual(erinGone);
    await onVictim[0]!.http.presence.setStatus.mutate({ status: "dnd" });
    await seen(viewerDevice, onVictim[0]!.id, "dnd");
    for (const user of liveOnA) expect((await user.http.presence.me.query()).connections).toBe(1);
    await eventually(
      "every server healthy",
      async () => (await Promise.all([a.health(), b.health()])).every((s) => s === 200) || undefined,
    );
  });

  itSettlesACrashedServersUsers(() => cluster.current.servers, open, TTL_SECONDS);
});
