/**
 * Redis stalls for longer than the TTL, and one server loses its connection meanwhile while
 * another's calls simply wait and are answered when Redis wakes up (docs/protocol.md §2 rule 7).
 * The waiting server saw no error, yet every registration in Redis expired during the stall: if
 * it reaped then, it would take the other server's users offline before that server could
 * register them again. Two real server processes on a redis-server of this file's own; one
 * reaches it through a TCP proxy the test cuts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { befriend, connect, signUp, type Device } from "../../src/testing/index.js";
import { startTcpProxy, type TcpProxy } from "../tcp-proxy.js";
import { seen, statusesSeen } from "./presence-view.js";
import { eventually, RedisServer, reportServerLogsOnFailure, startCluster, type Cluster, type ServerProcess } from "./cluster.js";

const TTL_SECONDS = 3;
const GRACE_MS = 1_000;
/** Past the TTL, so every registration expires; under ioredis's 5-s socket timeout, so the waiting server's calls never fail. */
const STALL_MS = TTL_SECONDS * 1000 + 500;
/** Long enough after the stall that a reap of the cut server's users would have settled them offline (the grace). */
const CUT_AFTER_STALL_MS = GRACE_MS + 1_500;
/** How long a server holds reaping after an outage (connections.ts, NO_REAP_AFTER_OUTAGE_MS). */
const REAP_HELD_MS = 5_000;

describe("Redis stalls past the TTL while one server is cut off from it", () => {
  let redis: RedisServer;
  let proxy: TcpProxy;
  const cluster = {} as { current: Cluster };
  reportServerLogsOnFailure(cluster);
  const devices: Device[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    proxy = await startTcpProxy(redis.port);
    cluster.current = await startCluster({ count: 1, redisUrl: redis.url, presenceTtlMs: TTL_SECONDS * 1000, offlineGraceMs: GRACE_MS });
    await cluster.current.add("server-via-proxy", { REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
  });
  afterAll(async () => {
    await Promise.allSettled(devices.map((d) => d.close()));
    await cluster.current?.stop();
    await proxy?.close();
    await redis?.stop();
  });

  it("the server whose calls waited does not reap the cut-off server's users: nobody flaps offline", async () => {
    const [waiting, cutOff] = cluster.current.servers as [ServerProcess, ServerProcess];
    const viewer = await signUp(waiting.url);
    const alice = await signUp(cutOff.url);
    await befriend(alice, viewer);
    devices.push(await connect(cutOff.wsUrl, alice));
    const viewerDevice = await connect(waiting.wsUrl, viewer, { subscribe: true });
    devices.push(viewerDevice);
    await seen(viewerDevice, alice.id, "online");
    const firstEvent = viewerDevice.feed.all.length;

    // The scenario's own timeline, not waits for results: Redis sleeps past the TTL; the cut-off
    // server gets its connection back only after a reap at wake-up would have run its course.
    redis.pause();
    proxy.cut();
    try {
      await new Promise((resolve) => setTimeout(resolve, STALL_MS));
    } finally {
      redis.resume();
    }
    const wokeAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, CUT_AFTER_STALL_MS));
    proxy.restore();

    await eventually(
      "both servers report 200",
      async () => (await Promise.all([waiting.health(), cutOff.health()])).every((code) => code === 200) || undefined,
    );
    await alice.http.presence.setStatus.mutate({ status: "dnd" });
    await seen(viewerDevice, alice.id, "dnd");
    // Past the moment the waiting server reaps again (5 s after the stall), and a sweep after it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wokeAt + REAP_HELD_MS + TTL_SECONDS * 1000 - Date.now())));
    await alice.http.presence.setStatus.mutate({ status: "online" });
    await seen(viewerDevice, alice.id, "online");
    const aliceSeen = statusesSeen(viewerDevice, alice.id, firstEvent);
    expect(aliceSeen).not.toContain("offline");
    expect(aliceSeen.at(-1)).toBe("online");
    expect((await alice.http.presence.me.query()).connections).toBe(1);
  });
});
