/** docs/protocol.md §2, rule by rule, over real WebSockets with @trpc/client, on PGlite and PostgreSQL. */
import { describe, expect, it } from "vitest";
import { befriend, connect, signUp } from "../src/testing/index.js";
import { DATABASE_KINDS, closeAll, useServer, watch } from "./fixtures.js";

const GRACE_MS = 300;

describe.each(DATABASE_KINDS)("rules on %s", (kind) => {
  const server = useServer(kind, { offlineGraceMs: GRACE_MS });

  it("rule 1: offline while not connected, the chosen status while connected", async () => {
    const alice = await signUp(server.current.url);
    await alice.http.presence.setStatus.mutate({ status: "away", message: "lunch" });
    const w = await watch(server.current, [alice]);
    expect((await w.viewer.http.presence.get.query({ userId: alice.id })).status).toBe("offline");
    const device = await connect(server.current.wsUrl, alice);
    expect(await w.viewerDevice.feed.nextPresenceOf(alice.id)).toEqual({
      userId: alice.id,
      status: "away",
      message: "lunch",
      lastSeen: null,
    });
    await alice.http.presence.setStatus.mutate({ status: "dnd" });
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("dnd");
    await closeAll(device, w.viewerDevice, w.markerDevice);
  });

  it("rule 2: closing one of three connections changes nothing anyone sees", async () => {
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
    const tabs = [
      await connect(server.current.wsUrl, alice),
      await connect(server.current.wsUrl, alice),
      await connect(server.current.wsUrl, alice),
    ];
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");
    await tabs[0]!.close();
    await expect.poll(async () => (await alice.http.presence.me.query()).connections).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 2)); // past any grace: still nothing
    await w.expectNothingElse();
    expect((await w.viewer.http.presence.get.query({ userId: alice.id })).status).toBe("online");
    await closeAll(...tabs.slice(1), w.viewerDevice, w.markerDevice);
  });

  it("rule 3: a reconnect within the grace sends nothing; after it, offline with the disconnect time", async () => {
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
    const first = await connect(server.current.wsUrl, alice);
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");
    await first.close();
    const second = await connect(server.current.wsUrl, alice); // a page reload
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 2));
    await w.expectNothingElse();
    const closedAt = Date.now();
    await second.close();
    const offline = await w.viewerDevice.feed.nextPresenceOf(alice.id);
    const receivedAt = Date.now();
    expect(offline.status).toBe("offline");
    const lastSeen = Date.parse(offline.lastSeen!);
    expect(lastSeen).toBeGreaterThanOrEqual(closedAt - 50);
    expect(lastSeen).toBeLessThanOrEqual(closedAt + 200);
    expect(receivedAt - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 20);
    await closeAll(w.viewerDevice, w.markerDevice);
  });

  it("rule 4: an invisible user is online to the allow-list and offline to every other friend", async () => {
    const alice = await signUp(server.current.url);
    const allowed = await watch(server.current, [alice]);
    const hidden = await watch(server.current, [alice]);
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
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
    expect(await w.viewer.http.presence.get.query({ userId: alice.id })).toEqual({
      userId: alice.id,
      status: "offline",
      message: null,
      lastSeen: null,
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
    const alice = await signUp(server.current.url);
    const stranger = await signUp(server.current.url);
    const unknownId = "00000000-0000-4000-8000-000000000000";
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
    await alice.http.friends.request.mutate({ username: stranger.username }); // pending is not friends
    expect(await errorOf(stranger.id)).toEqual(forStranger);
    expect(await alice.http.presence.getMany.query({ userIds: [stranger.id, unknownId] })).toEqual({});
  });

  it("rule 9: identical values are not sent again; a burst converges on the final state", async () => {
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
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
    const alice = await signUp(server.current.url);
    const friend = await signUp(server.current.url);
    await befriend(alice, friend);
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
    });
    await closeAll(phone, laptop);
  });

  it("rule 11: unfriending removes each from the other's allow-list and stops events at once", async () => {
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
    const device = await connect(server.current.wsUrl, alice, { subscribe: true });
    await w.viewerDevice.feed.nextPresenceOf(alice.id);
    await alice.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [w.viewer.id] });
    await w.viewer.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [alice.id] });
    expect((await w.viewerDevice.feed.next("self")).presence.visibleTo).toEqual([alice.id]);
    expect(await w.viewer.http.friends.remove.mutate({ userId: alice.id })).toEqual({ removed: true });
    expect(await w.viewerDevice.feed.next("friend_removed")).toEqual({ type: "friend_removed", userId: alice.id });
    expect((await w.viewerDevice.feed.next("self")).presence.visibleTo).toEqual([]);
    expect((await alice.http.presence.me.query()).visibleTo).toEqual([]);
    expect((await w.viewer.http.presence.me.query()).visibleTo).toEqual([]);
    await alice.http.presence.setStatus.mutate({ status: "dnd" });
    await w.expectNothingElse();
    await expect(w.viewer.http.presence.get.query({ userId: alice.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    await closeAll(device, w.viewerDevice, w.markerDevice);
  });

  it("friends: a request becomes a live friend on both sides, with presence", async () => {
    const alice = await signUp(server.current.url);
    const bob = await signUp(server.current.url);
    const aliceDevice = await connect(server.current.wsUrl, alice, { subscribe: true });
    const bobDevice = await connect(server.current.wsUrl, bob, { subscribe: true });
    expect(await alice.http.friends.request.mutate({ username: bob.username.toUpperCase() })).toEqual({ status: "pending" });
    expect(await bob.http.friends.requests.query()).toEqual({ incoming: [{ id: alice.id, username: alice.username }], outgoing: [] });
    expect(await alice.http.friends.requests.query()).toEqual({ incoming: [], outgoing: [{ id: bob.id, username: bob.username }] });
    // The request is live too (docs/protocol.md §3.3 `requests`), and carries no presence.
    expect(await bobDevice.feed.next("requests")).toEqual({
      type: "requests",
      incoming: [{ id: alice.id, username: alice.username }],
      outgoing: [],
    });
    expect(await aliceDevice.feed.next("requests")).toEqual({
      type: "requests",
      incoming: [],
      outgoing: [{ id: bob.id, username: bob.username }],
    });
    expect(await bob.http.friends.request.mutate({ username: alice.username })).toEqual({ status: "accepted" });
    const toAlice = await aliceDevice.feed.nextOfEach(["friend_added", "requests"]);
    const toBob = await bobDevice.feed.nextOfEach(["friend_added", "requests"]);
    expect(toAlice.friend_added.presence).toMatchObject({ userId: bob.id, status: "online" });
    expect(toBob.friend_added.presence).toMatchObject({ userId: alice.id, status: "online" });
    expect([toAlice.requests, toBob.requests]).toEqual([
      { type: "requests", incoming: [], outgoing: [] },
      { type: "requests", incoming: [], outgoing: [] },
    ]);
    expect((await alice.http.friends.list.query()).map((f) => f.username)).toEqual([bob.username]);
    await bob.http.presence.setStatus.mutate({ status: "away" });
    expect((await aliceDevice.feed.nextPresenceOf(bob.id)).status).toBe("away");
    await closeAll(aliceDevice, bobDevice);
  });

  it("friends: decline and cancel remove the request", async () => {
    const alice = await signUp(server.current.url);
    const bob = await signUp(server.current.url);
    await alice.http.friends.request.mutate({ username: bob.username });
    expect(await bob.http.friends.remove.mutate({ userId: alice.id })).toEqual({ removed: true });
    expect(await bob.http.friends.requests.query()).toEqual({ incoming: [], outgoing: [] });
    expect(await bob.http.friends.remove.mutate({ userId: alice.id })).toEqual({ removed: false });
    await alice.http.friends.request.mutate({ username: bob.username });
    expect(await alice.http.friends.remove.mutate({ userId: bob.id })).toEqual({ removed: true });
    await expect(bob.http.friends.accept.mutate({ userId: alice.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  });

  it("a re-subscription starts with a fresh snapshot", async () => {
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
    await alice.http.presence.setStatus.mutate({ status: "dnd" });
    const again = await connect(server.current.wsUrl, w.viewer, { subscribe: true });
    const snapshot = again.feed.all[0];
    expect(snapshot).toMatchObject({ type: "snapshot" });
    expect(snapshot?.type === "snapshot" && snapshot.friends.map((f) => f.userId).sort()).toEqual([alice.id, w.marker.id].sort());
    await closeAll(again, w.viewerDevice, w.markerDevice);
  });
});
