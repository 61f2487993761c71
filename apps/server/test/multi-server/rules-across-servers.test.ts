/**
 * docs/protocol.md §2 with the friends on different servers: three real server processes on one PostgreSQL
 * and one Redis (and again on a 3-master Redis Cluster) must behave as one server. Alice lives on
 * A, her friend (the viewer) on B, the marker on C; HTTP calls go to the caller's own server.
 */
import { describe, expect, it } from "vitest";
import { befriend, connect, signUp } from "../../src/testing/index.js";
import { REDIS_TOPOLOGIES, reportServerLogsOnFailure, useCluster, type ServerProcess } from "./cluster.js";
import { closeAll, watchAcross } from "./watch.js";

/** Long enough that a reconnect to another server lands inside it, even on a busy machine. */
const GRACE_MS = 1_000;

describe.each(REDIS_TOPOLOGIES)("docs/protocol.md §2 across three servers on $name", (redis) => {
  const cluster = useCluster({ count: 3, offlineGraceMs: GRACE_MS }, redis);
  reportServerLogsOnFailure(cluster);
  const servers = () => cluster.current.servers as [ServerProcess, ServerProcess, ServerProcess];

  it("rule 1: a friend on another server sees the chosen status only while connected", async () => {
    const [a, b, c] = servers();
    const alice = await signUp(a.url);
    await alice.http.presence.setStatus.mutate({ status: "away", message: "lunch" });
    const w = await watchAcross(b, c, [alice]);
    expect((await w.viewer.http.presence.get.query({ userId: alice.id })).status).toBe("offline");
    const device = await connect(a.wsUrl, alice);
    expect(await w.viewerDevice.feed.nextPresenceOf(alice.id)).toEqual({
      userId: alice.id,
      status: "away",
      message: "lunch",
      lastSeen: null,
      until: null,
      devices: ["web"],
      lastSeenBucket: null,
    });
    await alice.http.presence.setStatus.mutate({ status: "dnd" });
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("dnd");
    await device.close();
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("offline");
    await closeAll(w);
  });

  it("rule 2: with a tab on each server, closing one changes nothing anyone sees", async () => {
    const [a, b, c] = servers();
    const alice = await signUp(a.url);
    const w = await watchAcross(b, c, [alice]);
    const tabs = [await connect(a.wsUrl, alice), await connect(b.wsUrl, alice), await connect(c.wsUrl, alice)];
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");
    await expect.poll(async () => (await alice.http.presence.me.query()).connections).toBe(3);
    await tabs[0]!.close();
    await expect.poll(async () => (await alice.http.presence.me.query()).connections).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 2)); // past any grace: still nothing
    await w.expectNothingElse();
    expect((await w.viewer.http.presence.get.query({ userId: alice.id })).status).toBe("online");
    await closeAll(...tabs.slice(1), w);
  });

  it("rule 3: a reload that lands on another server inside the grace sends nothing; then offline once", async () => {
    const [a, b, c] = servers();
    const alice = await signUp(a.url);
    const w = await watchAcross(b, c, [alice]);
    const first = await connect(a.wsUrl, alice);
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");
    await first.close();
    const second = await connect(c.wsUrl, alice); // the reload, balanced onto another server
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 2)); // A's grace ran out meanwhile
    await w.expectNothingElse();
    const closedAt = Date.now();
    await second.close();
    const offline = await w.viewerDevice.feed.nextPresenceOf(alice.id, GRACE_MS + 5_000);
    const receivedAt = Date.now();
    expect(offline.status).toBe("offline");
    const lastSeen = Date.parse(offline.lastSeen!);
    expect(lastSeen).toBeGreaterThanOrEqual(closedAt - 50);
    expect(lastSeen).toBeLessThanOrEqual(closedAt + 500);
    expect(receivedAt - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 20);
    await w.expectNothingElse(); // offline exactly once
    await closeAll(w);
  });

  it("rule 4: invisible on A is online to the allow-list on B and offline to a friend on C", async () => {
    const [a, b, c] = servers();
    const alice = await signUp(a.url);
    const allowed = await watchAcross(b, a, [alice]);
    const hidden = await watchAcross(c, a, [alice]);
    const device = await connect(a.wsUrl, alice);
    await allowed.viewerDevice.feed.nextPresenceOf(alice.id);
    await hidden.viewerDevice.feed.nextPresenceOf(alice.id);
    await alice.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [allowed.viewer.id] });
    expect((await hidden.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("offline");
    await allowed.expectNothingElse(); // still online for them: no event
    expect((await allowed.viewer.http.presence.get.query({ userId: alice.id })).status).toBe("online");
    expect((await hidden.viewer.http.presence.get.query({ userId: alice.id })).status).toBe("offline");
    await device.close();
    expect((await allowed.viewerDevice.feed.nextPresenceOf(alice.id, GRACE_MS + 5_000)).status).toBe("offline");
    await hidden.expectNothingElse(); // rule 5: the hidden friend hears nothing of it
    await closeAll(device, allowed, hidden);
  });

  it("rule 6: last seen is null until seen, then the same on every server and in the database", async () => {
    const [a, b, c] = servers();
    const alice = await signUp(a.url);
    const w = await watchAcross(b, c, [alice]);
    expect(await w.viewer.http.presence.get.query({ userId: alice.id })).toEqual({
      userId: alice.id,
      status: "offline",
      message: null,
      lastSeen: null,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
    const device = await connect(a.wsUrl, alice);
    await w.viewerDevice.feed.nextPresenceOf(alice.id);
    await device.close();
    const offline = await w.viewerDevice.feed.nextPresenceOf(alice.id, GRACE_MS + 5_000);
    expect(offline.lastSeen).not.toBeNull();
    const [listed] = (await w.viewer.http.friends.list.query()).filter((f) => f.id === alice.id);
    expect(listed?.presence.lastSeen).toBe(offline.lastSeen);
    // Her own view says online (lastSeen null) until her grace is settled on server a; friends see
    // her offline once her fade ends, which a timer on any server following her may do first, a
    // few milliseconds earlier.
    await expect.poll(async () => (await alice.http.presence.me.query()).lastSeen).toBe(offline.lastSeen);
    // Asked of a third server, the answer is the same.
    const viewerOnC = await signUp(c.url);
    await befriend(alice, viewerOnC);
    expect((await viewerOnC.http.presence.get.query({ userId: alice.id })).lastSeen).toBe(offline.lastSeen);
    await closeAll(w);
  });

  it("rule 8: a non-friend's presence answers like an unknown user's on every server", async () => {
    const [a, b] = servers();
    const alice = await signUp(a.url);
    const stranger = await signUp(b.url);
    const unknownId = "00000000-0000-4000-8000-000000000000";
    const codeOf = (userId: string) =>
      alice.http.presence.get.query({ userId }).then(
        () => null,
        (error: { data?: { code?: string } }) => error.data?.code,
      );
    expect(await codeOf(stranger.id)).toBe("NOT_FOUND");
    expect(await codeOf(unknownId)).toBe("NOT_FOUND");
    expect(await alice.http.presence.getMany.query({ userIds: [stranger.id, unknownId] })).toEqual({});
  });

  it("rule 9: no repeated values across servers; a burst on A converges on B", async () => {
    const [a, b, c] = servers();
    const alice = await signUp(a.url);
    const w = await watchAcross(b, c, [alice]);
    const device = await connect(a.wsUrl, alice);
    await w.viewerDevice.feed.nextPresenceOf(alice.id);
    await alice.http.presence.setStatus.mutate({ status: "online" }); // unchanged
    await alice.http.presence.setStatus.mutate({ status: "online", message: null }); // unchanged
    await w.expectNothingElse();
    const statuses = ["away", "dnd", "online"] as const;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => device.client.presence.setStatus.mutate({ status: statuses[i % 3]!, message: `m${i}` })),
    );
    const truth = await w.viewer.http.presence.get.query({ userId: alice.id });
    let last = truth;
    await expect
      .poll(async () => {
        while (w.viewerDevice.feed.pending.length > 0) last = await w.viewerDevice.feed.nextPresenceOf(alice.id);
        return last;
      })
      .toEqual(truth);
    const seen = w.viewerDevice.feed.all.flatMap((e) => (e.type === "update" ? [e.presence] : e.type === "updates" ? e.presences : []));
    const aliceSeen = seen.filter((p) => p.userId === alice.id);
    for (let i = 1; i < aliceSeen.length; i++) expect(aliceSeen[i]).not.toEqual(aliceSeen[i - 1]);
    await closeAll(device, w);
  });

  it("rule 10: a change made on a device on B reaches the user's device on A", async () => {
    const [a, b] = servers();
    const alice = await signUp(a.url);
    const friend = await signUp(b.url);
    await befriend(alice, friend);
    const phone = await connect(a.wsUrl, alice, { subscribe: true });
    const laptop = await connect(b.wsUrl, alice);
    expect((await phone.feed.next("self")).presence.connections).toBe(2);
    await laptop.client.presence.setStatus.mutate({ status: "invisible", message: "heads down", visibleTo: [friend.id] });
    expect((await phone.feed.next("self")).presence).toEqual({
      status: "invisible",
      message: "heads down",
      visibleTo: [friend.id],
      connections: 2,
      lastSeen: null,
      until: null,
      messageUntil: null,
      devices: expect.any(Array),
      idle: false,
      lastSeenPrivacy: { level: "friends", exceptions: {} },
    });
    await closeAll(phone, laptop);
  });

  it("rule 11: unfriending on B stops events on A and B at once and clears both allow-lists", async () => {
    const [a, b, c] = servers();
    const alice = await signUp(a.url);
    const w = await watchAcross(b, c, [alice]);
    const device = await connect(a.wsUrl, alice, { subscribe: true });
    await w.viewerDevice.feed.nextPresenceOf(alice.id);
    await alice.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [w.viewer.id] });
    await w.viewer.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [alice.id] });
    expect((await w.viewerDevice.feed.next("self")).presence.visibleTo).toEqual([alice.id]);
    expect(await w.viewer.http.friends.remove.mutate({ userId: alice.id })).toEqual({ removed: true });
    expect(await w.viewerDevice.feed.next("friend_removed")).toEqual({ type: "friend_removed", userId: alice.id });
    expect((await w.viewerDevice.feed.next("self")).presence.visibleTo).toEqual([]);
    await expect.poll(() => device.feed.all.some((e) => e.type === "friend_removed" && e.userId === w.viewer.id)).toBe(true);
    expect((await alice.http.presence.me.query()).visibleTo).toEqual([]);
    expect((await w.viewer.http.presence.me.query()).visibleTo).toEqual([]);
    await alice.http.presence.setStatus.mutate({ status: "dnd" });
    await w.expectNothingElse();
    await expect(w.viewer.http.presence.get.query({ userId: alice.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    await closeAll(device, w);
  });

  it("friends: a request accepted on B becomes a live friend on A and B, with presence", async () => {
    const [a, b] = servers();
    const alice = await signUp(a.url);
    const bob = await signUp(b.url);
    const aliceDevice = await connect(a.wsUrl, alice, { subscribe: true });
    const bobDevice = await connect(b.wsUrl, bob, { subscribe: true });
    expect(await alice.http.friends.request.mutate({ username: bob.username })).toEqual({ status: "pending" });
    // Made on server A, the request reaches Bob on server B live.
    expect(await bobDevice.feed.next("requests")).toEqual({
      type: "requests",
      incoming: [{ id: alice.id, username: alice.username }],
      outgoing: [],
    });
    await aliceDevice.feed.next("requests");
    expect(await bob.http.friends.request.mutate({ username: alice.username })).toEqual({ status: "accepted" });
    expect((await aliceDevice.feed.nextOfEach(["friend_added", "requests"])).friend_added.presence).toMatchObject({
      userId: bob.id,
      status: "online",
    });
    expect((await bobDevice.feed.nextOfEach(["friend_added", "requests"])).friend_added.presence).toMatchObject({
      userId: alice.id,
      status: "online",
    });
    await bob.http.presence.setStatus.mutate({ status: "away" });
    expect((await aliceDevice.feed.nextPresenceOf(bob.id)).status).toBe("away");
    await closeAll(aliceDevice, bobDevice);
  });
});
