/**
 * docs/protocol.md §2 rule 7 when a server process dies: one scenario, run on one Redis
 * (failures.test.ts) and on a Redis Cluster (redis-cluster-failover.test.ts). Three servers: the
 * third is killed with SIGKILL, so it must be the suite's last use of it.
 */
import { expect, it } from "vitest";
import { befriend, connect, signUp, type Device } from "../../src/testing/index.js";
import { eventually, type ServerProcess } from "./cluster.js";
import { seen } from "./presence-view.js";

type Open = (server: ServerProcess, user: Parameters<typeof connect>[1], subscribe?: boolean) => Promise<Device>;

export function itSettlesACrashedServersUsers(servers: () => ServerProcess[], open: Open, ttlSeconds: number): void {
  it("a server killed with SIGKILL: its users are offline for everyone within TTL + 5 s, with last seen", async () => {
    const [a, b, c] = servers() as [ServerProcess, ServerProcess, ServerProcess];
    const viewer = await signUp(a.url);
    const watcherOnB = await signUp(b.url);
    const alice = await signUp(c.url); // connected on C when it dies
    const bob = await signUp(c.url); // in C's grace when it dies: nobody's timer is left to settle him
    for (const friend of [alice, bob]) {
      await befriend(friend, viewer);
      await befriend(friend, watcherOnB);
    }
    const viewerDevice = await open(a, viewer, true);
    const watcherDevice = await open(b, watcherOnB, true);
    const aliceDevice = await open(c, alice);
    const bobDevice = await open(c, bob);
    for (const device of [viewerDevice, watcherDevice]) {
      await seen(device, alice.id, "online");
      await seen(device, bob.id, "online");
    }
    await bobDevice.close();
    await eventually("C registered bob's disconnect", async () => (await bob.http.presence.me.query()).connections === 0 || undefined);
    await c.crash();
    const killedAt = Date.now();
    await aliceDevice.close(); // its retries would go nowhere

    const limit = { timeoutMs: (ttlSeconds + 5) * 1000 };
    const aliceGone = await seen(viewerDevice, alice.id, "offline", limit);
    const offlineAfterMs = Date.now() - killedAt;
    const bobGone = await seen(viewerDevice, bob.id, "offline", limit);
    await seen(watcherDevice, alice.id, "offline", limit);
    await seen(watcherDevice, bob.id, "offline", limit);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(limit.timeoutMs);
    console.info(`SIGKILL: its users offline for everyone after ${offlineAfterMs} ms (TTL ${ttlSeconds} s)`);

    expect(aliceGone.lastSeen).not.toBeNull();
    expect(bobGone.lastSeen).not.toBeNull();
    // Last seen is no earlier than the last moment the dead server vouched for them.
    expect(Date.parse(aliceGone.lastSeen!)).toBeGreaterThanOrEqual(killedAt - ttlSeconds * 1000);
    expect(Date.parse(bobGone.lastSeen!)).toBeLessThanOrEqual(killedAt + 100);
    // Persisted: the survivors read the same from PostgreSQL.
    expect(await viewer.http.presence.get.query({ userId: alice.id })).toEqual(aliceGone);
    expect(await watcherOnB.http.presence.get.query({ userId: bob.id })).toEqual(bobGone);
    expect(aliceGone.status).toBe("offline");
  });
}
