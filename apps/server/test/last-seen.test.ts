/**
 * Last-seen controls (docs/protocol.md §9.3) and "See as" (§9.4) over the wire, on a real server:
 * `presence.setLastSeenPrivacy` pushed to the user's devices and to friends whose view changes
 * (and only them), exceptions, reciprocity (on by default, and off), and `presence.preview`.
 */
import { describe, expect, it, vi } from "vitest";
import { befriend, connect, errorOf, presencesIn, signUp } from "../src/testing/index.js";
import { closeAll, useServer, watch, type Watch } from "./fixtures.js";

/** A user who was online moments ago and is now offline to every friend (their grace is over). */
async function wentOffline(server: { url: string; wsUrl: string }) {
  const alice = await signUp(server.url);
  const probe = await signUp(server.url);
  await befriend(alice, probe);
  const device = await connect(server.wsUrl, alice);
  await device.close();
  // Offline with a last seen: before her connection is registered she reads offline too, never seen.
  await vi.waitFor(
    async () =>
      expect(await probe.http.presence.get.query({ userId: alice.id })).toMatchObject({ status: "offline", lastSeen: expect.any(String) }),
    {
      interval: 10,
    },
  );
  return alice;
}

/** Nothing about `userId` reached the watcher (their own `self` events may: the viewer changed their level). */
async function nothingAbout(watcher: Watch, userId: string) {
  await watcher.readUntilMarker((event) => {
    if (presencesIn(event).some((p) => p.userId === userId))
      throw new Error(`expected nothing about ${userId}, got ${JSON.stringify(event)}`);
  });
}

describe("last-seen controls over the wire", () => {
  const server = useServer("pglite", { offlineGraceMs: 100 });

  it("shows friends a bucket instead of the instant, live, and tells the user's other devices", async () => {
    const alice = await wentOffline(server.current);
    const hidden = await watch(server.current, [alice]);
    const { viewer } = hidden;
    const exact = await viewer.http.presence.get.query({ userId: alice.id });
    expect(exact).toMatchObject({ status: "offline", lastSeenBucket: null });
    expect(exact.lastSeen).not.toBeNull();

    const phone = await connect(server.current.wsUrl, alice, { subscribe: true });
    const laptop = await connect(server.current.wsUrl, alice, { subscribe: true });
    const own = await alice.http.presence.setLastSeenPrivacy.mutate({ level: "approximate" });
    expect(own.lastSeenPrivacy).toEqual({ level: "approximate", exceptions: {} });
    // Rule 10: the other device hears of it.
    for (let event = await laptop.feed.next(); !(event.type === "self" && event.presence.lastSeenPrivacy.level === "approximate");) {
      event = await laptop.feed.next();
    }
    expect(await hidden.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ status: "online" });
    await closeAll(phone, laptop);
    const offlineAgain = await hidden.viewerDevice.feed.nextPresenceOf(alice.id);
    expect(offlineAgain).toMatchObject({ status: "offline", lastSeen: null, lastSeenBucket: "recently" });
    expect(await viewer.http.presence.get.query({ userId: alice.id })).toEqual(offlineAgain);
    expect((await viewer.http.presence.getMany.query({ userIds: [alice.id] }))[alice.id]).toEqual(offlineAgain);
    expect((await viewer.http.friends.list.query()).find((f) => f.id === alice.id)?.presence).toEqual(offlineAgain);

    await alice.http.presence.setLastSeenPrivacy.mutate({ level: "nobody" });
    expect(await hidden.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ lastSeen: null, lastSeenBucket: null });
    await closeAll(hidden.viewerDevice, hidden.markerDevice);
  });

  it("applies an exception to that friend alone, and sends the others nothing", async () => {
    const alice = await wentOffline(server.current);
    const bob = await watch(server.current, [alice]);
    const carol = await watch(server.current, [alice]);
    await alice.http.presence.setLastSeenPrivacy.mutate({ level: "nobody", exceptions: { [bob.viewer.id]: "friends" } });
    // Bob keeps the exact last seen: nothing he sees changed.
    await bob.expectNothingElse();
    expect(await carol.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ lastSeen: null, lastSeenBucket: null });
    expect((await bob.viewer.http.presence.get.query({ userId: alice.id })).lastSeen).not.toBeNull();
    await alice.http.presence.setLastSeenPrivacy.mutate({ level: "nobody", exceptions: { [bob.viewer.id]: "approximate" } });
    expect(await bob.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ lastSeen: null, lastSeenBucket: "recently" });
    await carol.expectNothingElse();
    await closeAll(bob.viewerDevice, bob.markerDevice, carol.viewerDevice, carol.markerDevice);
  });

  it("with reciprocity (the default), a user who hides their own last seen sees everyone's approximately, live", async () => {
    const alice = await wentOffline(server.current);
    const hidden = await watch(server.current, [alice]);
    const { viewer } = hidden;
    await viewer.http.presence.setLastSeenPrivacy.mutate({ level: "nobody" });
    expect(await hidden.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ lastSeen: null, lastSeenBucket: "recently" });
    expect(await viewer.http.presence.get.query({ userId: alice.id })).toMatchObject({ lastSeen: null, lastSeenBucket: "recently" });
    // An exception of the viewer's own does not lift it: their default decides.
    await viewer.http.presence.setLastSeenPrivacy.mutate({ level: "nobody", exceptions: { [alice.id]: "friends" } });
    await nothingAbout(hidden, alice.id);
    await viewer.http.presence.setLastSeenPrivacy.mutate({ level: "friends" });
    expect((await hidden.viewerDevice.feed.nextPresenceOf(alice.id)).lastSeen).not.toBeNull();
    await closeAll(hidden.viewerDevice, hidden.markerDevice);
  });

  it("answers preview with exactly that friend's view and why, and NOT_FOUND for anyone else", async () => {
    const alice = await wentOffline(server.current);
    const bob = await signUp(server.current.url);
    const stranger = await signUp(server.current.url);
    await befriend(alice, bob);
    await alice.http.presence.setLastSeenPrivacy.mutate({ level: "approximate" });
    const preview = await alice.http.presence.preview.query({ friendId: bob.id });
    expect(preview).toEqual({
      view: await bob.http.presence.get.query({ userId: alice.id }),
      reasons: ["you are offline", "your last seen is approximate for everyone"],
    });
    const device = await connect(server.current.wsUrl, alice);
    await alice.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [bob.id] });
    expect(await alice.http.presence.preview.query({ friendId: bob.id })).toEqual({
      view: expect.objectContaining({ status: "online" }),
      reasons: ["you are invisible", "on your allow-list"],
    });
    for (const friendId of [stranger.id, "00000000-0000-4000-8000-00000000dead", alice.id]) {
      expect(await errorOf(alice.http.presence.preview.query({ friendId }))).toEqual(
        await errorOf(alice.http.presence.get.query({ userId: stranger.id })),
      );
    }
    await device.close();
  });

  it("refuses exceptions for non-friends with BAD_REQUEST naming the field", async () => {
    const alice = await signUp(server.current.url);
    const stranger = await signUp(server.current.url);
    const error = await errorOf(
      alice.http.presence.setLastSeenPrivacy.mutate({ level: "friends", exceptions: { [stranger.id]: "nobody" } }),
    );
    expect(error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("exceptions") });
    expect(await errorOf(alice.http.presence.setLastSeenPrivacy.mutate({ level: "sometimes" as "nobody" }))).toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("last-seen controls with LAST_SEEN_RECIPROCITY=off", () => {
  const server = useServer("pglite", { offlineGraceMs: 100, lastSeenReciprocity: false });

  it("shows a user who hides their own last seen everyone else's exactly", async () => {
    const alice = await wentOffline(server.current);
    const hidden = await watch(server.current, [alice]);
    await hidden.viewer.http.presence.setLastSeenPrivacy.mutate({ level: "nobody" });
    await nothingAbout(hidden, alice.id);
    expect((await hidden.viewer.http.presence.get.query({ userId: alice.id })).lastSeen).not.toBeNull();
    await closeAll(hidden.viewerDevice, hidden.markerDevice);
  });
});
