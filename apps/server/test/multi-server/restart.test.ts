/**
 * A server stopped for a restart or a rolling deploy (SIGTERM) with a shared store hands its
 * connections over instead of ending them (docs/multi-server.md): its clients reconnect elsewhere,
 * later than the offline grace, and none of their friends sees them flap offline; a user who never
 * comes back goes offline when the registration expires, with last seen set.
 */
import type { PresenceEvent } from "@herald/presence";
import { afterAll, describe, expect, it } from "vitest";
import { befriend, connect, presencesIn, signUp, type Device } from "../../src/testing/index.js";
import { reportServerLogsOnFailure, useCluster, type ServerProcess } from "./cluster.js";
import { seen } from "./presence-view.js";

const TTL_SECONDS = 3;
const GRACE_MS = 500;

/** Every status `userId` had in what the device was sent. */
function statusesOf(events: readonly PresenceEvent[], userId: string): string[] {
  return events.flatMap((event) =>
    presencesIn(event)
      .filter((p) => p.userId === userId)
      .map((p) => p.status),
  );
}

describe("a server stopped with SIGTERM on a shared store", () => {
  const cluster = useCluster({ count: 2, presenceTtlMs: TTL_SECONDS * 1000, offlineGraceMs: GRACE_MS });
  reportServerLogsOnFailure(cluster);
  const devices: Device[] = [];
  afterAll(async () => {
    await Promise.allSettled(devices.map((d) => d.close()));
  });

  it("hands its connections over: those who reconnect after the grace never flap; the others go offline at expiry", async () => {
    const [a, b] = cluster.current.servers as [ServerProcess, ServerProcess];
    const viewer = await signUp(a.url);
    const alice = await signUp(a.url); // connected to B; reconnects to A, later than the grace
    const carol = await signUp(a.url); // connected to B; never comes back
    for (const friend of [alice, carol]) await befriend(friend, viewer);
    const viewerDevice = await connect(a.wsUrl, viewer, { subscribe: true });
    devices.push(viewerDevice, await connect(b.wsUrl, alice), await connect(b.wsUrl, carol));
    await seen(viewerDevice, alice.id, "online");
    await seen(viewerDevice, carol.id, "online");
    const sinceOnline = viewerDevice.feed.all.length;

    const stopAsked = Date.now();
    await b.stop();
    const stoppedAt = Date.now();
    // The input of this test is time itself: alice is back only after twice the offline grace,
    // which ends the user on a server that ends its connections (the old behaviour).
    await new Promise((resolve) => setTimeout(resolve, 2 * GRACE_MS));
    devices.push(await connect(a.wsUrl, alice));

    // Carol's registration expires with the TTL; by then alice's old one has expired as well.
    const carolGone = await seen(viewerDevice, carol.id, "offline", { timeoutMs: (TTL_SECONDS + 5) * 1000 });
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual((TTL_SECONDS + 5) * 1000);
    expect(carolGone.lastSeen).not.toBeNull();
    // As for a server that died: the moment the registration expired, which the stopping server
    // set a whole TTL after its stop began (not after its last sweep, up to a sweep earlier), so
    // that every client has the same time to come back; and no later (it vouches for no one after).
    expect(Date.parse(carolGone.lastSeen!)).toBeGreaterThanOrEqual(stopAsked + TTL_SECONDS * 1000);
    expect(Date.parse(carolGone.lastSeen!)).toBeLessThanOrEqual(stoppedAt + TTL_SECONDS * 1000);
    // A marker change on A after carol's settlement: everything caused before it has arrived.
    await alice.http.presence.setStatus.mutate({ status: "dnd" });
    await seen(viewerDevice, alice.id, "dnd");
    expect(statusesOf(viewerDevice.feed.all.slice(sinceOnline), alice.id)).toEqual(["dnd"]);
  });
});
