/**
 * docs/protocol.md §2, rule by rule, over real WebSockets with @trpc/client: one suite, run by
 * rules.test.ts with Herald's own accounts and by rules-host.test.ts with a host app's identity
 * and friend graph. Only where users come from differs (`server.people`); the assertions are
 * the same.
 */
import { expect, it } from "vitest";
import { connect } from "../src/testing/index.js";
import { closeAll, watch, type ServerHolder } from "./fixtures.js";

/** The rules, for a server started (by `useServer`) with an offline grace of `graceMs`. */
export function ruleSuite(server: ServerHolder, graceMs: number): void {
  it("rule 1: offline while not connected, the chosen status while connected", async () => {
    const alice = await server.people.newUser();
    await alice.http.presence.setStatus.mutate({ status: "away", message: "lunch" });
    const w = await watch(server.current, [alice], undefined, server.people);
    expect((await w.viewer.http.presence.get.query({ userId: alice.id })).status).toBe("offline");
    const device = await connect(server.current.wsUrl, alice);
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
    await closeAll(device, w.viewerDevice, w.markerDevice);
  });

  it("rule 2: closing one of three connections changes nothing anyone sees", async () => {
    const alice = await server.people.newUser();
    const w = await watch(server.current, [alice], undefined, server.people);
    const tabs = [
      await connect(server.current.wsUrl, alice),
      await connect(server.current.wsUrl, alice),
      await connect(server.current.wsUrl, alice),
    ];
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");
    await tabs[0]!.close();
    await expect.poll(async () => (await alice.http.presence.me.query()).connections).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, graceMs * 2)); // past any grace: still nothing
    await w.expectNothingElse();
    expect((await w.viewer.http.presence.get.query({ userId: alice.id })).status).toBe("online");
    await closeAll(...tabs.slice(1), w.viewerDevice, w.markerDevice);
  });

  it("rule 3: a reconnect within the grace sends nothing; after it, offline with the disconnect time", async () => {
    const alice = await server.people.newUser();
    const w = await watch(server.current, [alice], undefined, server.people);
    const first = await connect(server.current.wsUrl, alice);
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");
    await first.close();
    const second = await connect(server.current.wsUrl, alice); // a page reload
    await new Promise((resolve) => setTimeout(resolve, graceMs * 2));
    await w.expectNothingElse();
    const closedAt = Date.now();
    await second.close();
    const offline = await w.viewerDevice.feed.nextPresenceOf(alice.id);
    const receivedAt = Date.now();
    expect(offline.status).toBe("offline");
    const lastSeen = Date.parse(offline.lastSeen!);
    expect(lastSeen).toBeGreaterThanOrEqual(closedAt - 50);
    expect(lastSeen).toBeLessThanOrEqual(closedAt + 200);
    expect(receivedAt - closedAt).toBeGreaterThanOrEqual(graceMs - 20);
    await closeAll(w.viewerDevice, w.markerDevice);
  });

  it("rule 4: an invisible user is online to the allow-list and offline to every other friend", async () => {
    const alice = await server.people.newUser();
    const allowed = await watch(server.current, [alice], undefined, server.people);
    const hidden = await watch(server.current, [alice], undefined, server.people);
    const device = await connect(server.current.wsUrl, alice);
    await allowed.viewerDevice.feed.nextPresenceOf(alice.id);
    await hidden.viewerDevice.feed.nextPresenceOf(alice.id);
    await alice.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [allowed.viewer.id] });
    expect((await hidden.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("offline");
    await allowed.expectNothingElse(); // still online for them: no event
    expect((await allowed.viewer.http.presence.get.query({ userId: alice.id })).status).toBe("online");
    expect((await hidden.viewer.http.presence.get.query({ userId: alice.id })).status).toBe("offline");
    await closeAll(device, allowed.viewerDevice, allowed.markerDevice, hidden.viewerDevice, hidden.markerDevice);
  });

  it("rule 6: last seen is null for a friend who never saw the user, and survives in the database", async () => {
    const alice = await server.people.newUser();
    const w = await watch(server.current, [alice], undefined, server.people);
    expect(await w.viewer.http.presence.get.query({ userId: alice.id })).toEqual({
      userId: alice.id,
      status: "offline",
      message: null,
      lastSeen: null,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
    const device = await connect(server.current.wsUrl, alice);
    await w.viewerDevice.feed.nextPresenceOf(alice.id);
    await device.close();
    const offline = await w.viewerDevice.feed.nextPresenceOf(alice.id);
    expect(offline.lastSeen).not.toBeNull();
    const [list] = await w.viewer.http.friends.list.query().then((friends) => friends.filter((f) => f.id === alice.id));
    expect(list?.presence.lastSeen).toBe(offline.lastSeen);
    expect((await alice.http.presence.me.query()).lastSeen).toBe(offline.lastSeen);
    await closeAll(w.viewerDevice, w.markerDevice);
  });

  it("rule 8: a non-friend's presence answers exactly like an unknown user's", async () => {
    const alice = await server.people.newUser();
    const stranger = await server.people.newUser();
    const unknownId = server.people.unknownId;
    const errorOf = (userId: string) =>
      alice.http.presence.get.query({ userId }).then(
        () => null,
        (error: { data?: { code?: string; httpStatus?: number }; message: string }) => ({
          code: error.data?.code,
          status: error.data?.httpStatus,
          message: error.message,
        }),
      );
    const forStranger = await errorOf(stranger.id);
    expect(forStranger).toEqual({ code: "NOT_FOUND", status: 404, message: expect.any(String) });
    expect(await errorOf(unknownId)).toEqual(forStranger);
    if (server.people.request) {
      await server.people.request(alice, stranger); // pending is not friends
      expect(await errorOf(stranger.id)).toEqual(forStranger);
    }
    expect(await alice.http.presence.getMany.query({ userIds: [stranger.id, unknownId] })).toEqual({});
  });

  it("rule 9: identical values are not sent again; a burst converges on the final state", async () => {
    const alice = await server.people.newUser();
    const w = await watch(server.current, [alice], undefined, server.people);
    const device = await connect(server.current.wsUrl, alice);
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
    await closeAll(device, w.viewerDevice, w.markerDevice);
  });

  it("rule 10: a change made on one device reaches the user's other devices", async () => {
    const alice = await server.people.newUser();
    const friend = await server.people.newUser();
    await server.people.befriend(alice, friend);
    const phone = await connect(server.current.wsUrl, alice, { subscribe: true });
    const laptop = await connect(server.current.wsUrl, alice);
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

  it("rule 11: unfriending removes each from the other's allow-list and stops events at once", async () => {
    const alice = await server.people.newUser();
    const w = await watch(server.current, [alice], undefined, server.people);
    const device = await connect(server.current.wsUrl, alice, { subscribe: true });
    await w.viewerDevice.feed.nextPresenceOf(alice.id);
    await alice.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [w.viewer.id] });
    await w.viewer.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [alice.id] });
    expect((await w.viewerDevice.feed.next("self")).presence.visibleTo).toEqual([alice.id]);
    await server.people.unfriend(w.viewer, alice);
    expect(await w.viewerDevice.feed.next("friend_removed")).toEqual({ type: "friend_removed", userId: alice.id });
    expect((await w.viewerDevice.feed.next("self")).presence.visibleTo).toEqual([]);
    expect((await alice.http.presence.me.query()).visibleTo).toEqual([]);
    expect((await w.viewer.http.presence.me.query()).visibleTo).toEqual([]);
    await alice.http.presence.setStatus.mutate({ status: "dnd" });
    await w.expectNothingElse();
    await expect(w.viewer.http.presence.get.query({ userId: alice.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    await closeAll(device, w.viewerDevice, w.markerDevice);
  });

  it("a re-subscription starts with a fresh snapshot", async () => {
    const alice = await server.people.newUser();
    const w = await watch(server.current, [alice], undefined, server.people);
    await alice.http.presence.setStatus.mutate({ status: "dnd" });
    const again = await connect(server.current.wsUrl, w.viewer, { subscribe: true });
    const snapshot = again.feed.all[0];
    expect(snapshot).toMatchObject({ type: "snapshot" });
    expect(snapshot?.type === "snapshot" && snapshot.friends.map((f) => f.userId).sort()).toEqual([alice.id, w.marker.id].sort());
    await closeAll(again, w.viewerDevice, w.markerDevice);
  });
}
