/**
 * `presence.onChange` over a real WebSocket, served by the subscription host, where the feed
 * writes every frame itself: the stock client and a raw socket must see exactly what tRPC's
 * adapter would send, nothing may follow `stopped`, and each visibility class must get its own view.
 */
import type { PresenceEvent, VisiblePresence } from "@herald/presence";
import { jsonEncoder } from "@trpc/server/adapters/ws";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { befriend, connect, signUp, startTestServer, type TestServer } from "../src/testing/index.js";
import { closeAll, watch } from "./fixtures.js";
import { RawSubscriber } from "./raw-subscriber.js";

const GRACE_MS = 200;

/** The bytes tRPC's ws adapter sends for a `tracked()` event (its `respond`, no transformer). */
function adapterFrame(id: string | number, jsonrpc: string | undefined, trackedId: string, event: unknown): string {
  return JSON.stringify({ id, jsonrpc, result: { type: "data", data: { id: trackedId, data: event }, id: trackedId } });
}

/** Data envelopes the adapter itself encoded for presence events. */
function adapterEncodedEvents(spy: { mock: { calls: unknown[][] } }): PresenceEvent[] {
  return spy.mock.calls
    .map(([envelope]) => (envelope as { result?: { data?: { data?: PresenceEvent } } }).result?.data?.data)
    .filter((event): event is PresenceEvent => typeof event?.type === "string");
}

describe("frames written by the feed", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ offlineGraceMs: GRACE_MS });
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("reach the stock client as the same events with tracked ids that go on from the snapshot's", async () => {
    // What tRPC's adapter sends goes through its encoder: none of it may be a presence event.
    const encode = vi.spyOn(jsonEncoder, "encode");
    const viewer = await signUp(server.url);
    const alice = await signUp(server.url);
    const bob = await signUp(server.url);
    await befriend(alice, viewer);
    await befriend(bob, viewer);
    const viewerDevice = await connect(server.wsUrl, viewer);
    const received: Array<{ id: string; data: PresenceEvent }> = [];
    let wake = () => {};
    const subscription = viewerDevice.client.presence.onChange.subscribe(undefined, {
      onData: (tracked) => {
        received.push(tracked);
        wake();
      },
    });
    const receivedCount = async (count: number) => {
      while (received.length < count) await new Promise<void>((resolve) => (wake = resolve));
    };
    await receivedCount(1);
    const aliceDevice = await connect(server.wsUrl, alice);
    await receivedCount(2);
    await alice.http.presence.setStatus.mutate({ status: "dnd", message: "deep work" });
    await receivedCount(3);
    await bob.http.friends.remove.mutate({ userId: viewer.id });
    await receivedCount(4);

    const aliceSees = (status: VisiblePresence["status"], message: string | null) => ({
      userId: alice.id,
      status,
      message,
      lastSeen: null,
      until: null,
      devices: ["web"],
      lastSeenBucket: null,
    });
    const offline = (userId: string) => ({
      userId,
      status: "offline",
      message: null,
      lastSeen: null,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
    expect(received.map((r) => r.data)).toEqual([
      { type: "snapshot", friends: expect.arrayContaining([offline(alice.id), offline(bob.id)]) },
      { type: "update", presence: aliceSees("online", null) },
      { type: "update", presence: aliceSees("dnd", "deep work") },
      { type: "friend_removed", userId: bob.id },
    ]);
    const [prefix] = received[0]!.id.split("-");
    expect(received.map((r) => r.id)).toEqual([1, 2, 3, 4].map((n) => `${prefix}-${n}`));
    // Nothing went through the adapter: the feed wrote every event to the socket itself.
    expect(encode).toHaveBeenCalled(); // the adapter's own answers (auth.me, setStatus) went through it
    expect(adapterEncodedEvents(encode)).toEqual([]);
    const metrics = await (await fetch(server.metricsUrl)).text();
    expect(Number(metrics.match(/^herald_events_sent_total\{type="update"\} (\d+)$/m)?.[1])).toBeGreaterThanOrEqual(2);
    subscription.unsubscribe();
    await closeAll(viewerDevice, aliceDevice);
  });

  it("are byte for byte what the adapter sends, with or without jsonrpc, and stop at `stopped`", async () => {
    const viewer = await signUp(server.url);
    const alice = await signUp(server.url);
    await befriend(alice, viewer);
    const raw = await RawSubscriber.open(server, viewer);
    raw.subscribe("first", "2.0");
    raw.subscribe(2);
    // started + snapshot, each
    await raw.framesOf("first", 2);
    await raw.framesOf(2, 2);
    const aliceDevice = await connect(server.wsUrl, alice);
    await raw.framesOf("first", 3);
    await raw.framesOf(2, 3);

    for (const [id, jsonrpc] of [
      ["first", "2.0"],
      [2, undefined],
    ] as const) {
      const [started, snapshot, update] = raw.frames.get(id)!;
      expect(JSON.parse(started!)).toEqual({ id, ...(jsonrpc && { jsonrpc }), result: { type: "started" } });
      // Both written by the feed, in the adapter's form.
      for (const frame of [snapshot!, update!]) {
        const { result } = JSON.parse(frame) as { result: { id: string; data: { data: PresenceEvent } } };
        expect(frame).toBe(adapterFrame(id, jsonrpc, result.id, result.data.data));
      }
      expect(JSON.parse(update!).result.data.data).toEqual({
        type: "update",
        presence: {
          userId: alice.id,
          status: "online",
          message: null,
          lastSeen: null,
          until: null,
          devices: ["web"],
          lastSeenBucket: null,
        },
      });
    }

    raw.socket.send(JSON.stringify({ id: "first", jsonrpc: "2.0", method: "subscription.stop" }));
    const afterStop = await raw.framesOf("first", 4);
    expect(JSON.parse(afterStop[3]!)).toEqual({ id: "first", jsonrpc: "2.0", result: { type: "stopped" } });
    await alice.http.presence.setStatus.mutate({ status: "away" });
    expect(JSON.parse((await raw.framesOf(2, 4))[3]!).result.data.data.presence.status).toBe("away");
    expect(raw.frames.get("first")).toHaveLength(4);
    await raw.close();
    await aliceDevice.close();
  });

  it("give each visibility class its own view of one change: allow-list, hidden, and per-viewer last seen", async () => {
    const alice = await signUp(server.url);
    const [allowed, hidden, dropped] = [await signUp(server.url), await signUp(server.url), await signUp(server.url)];
    const watches = [await watch(server, [alice], allowed), await watch(server, [alice], hidden), await watch(server, [alice], dropped)];
    const [allowedWatch, hiddenWatch, droppedWatch] = watches;
    const aliceDevice = await connect(server.wsUrl, alice);
    for (const w of watches) expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");

    // Only `hidden` loses sight now; `dropped` later, so each has its own last-seen moment.
    await alice.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [allowed.id, dropped.id] });
    const hiddenLastSeen = (await hiddenWatch!.viewerDevice.feed.nextPresenceOf(alice.id)).lastSeen;
    await alice.http.presence.setVisibility.mutate({ visibleTo: [allowed.id] });
    const droppedLastSeen = (await droppedWatch!.viewerDevice.feed.nextPresenceOf(alice.id)).lastSeen;
    expect(hiddenLastSeen).not.toBeNull();
    expect(droppedLastSeen! > hiddenLastSeen!).toBe(true);

    // One change, three classes: a new message only the allow-list may see.
    await alice.http.presence.setStatus.mutate({ status: "invisible", message: "secret" });
    expect(await allowedWatch!.viewerDevice.feed.nextPresenceOf(alice.id)).toEqual({
      userId: alice.id,
      status: "online",
      message: "secret",
      lastSeen: null,
      until: null,
      devices: ["web"],
      lastSeenBucket: null,
    });
    // Visible again, then invisible with a message: every class gets an event from one state.
    await alice.http.presence.setStatus.mutate({ status: "away", message: null });
    for (const w of watches) expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("away");
    const vanished = Date.now();
    await alice.http.presence.setStatus.mutate({ status: "invisible", message: "secret again", visibleTo: [allowed.id] });
    expect(await allowedWatch!.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ status: "online", message: "secret again" });
    for (const w of [hiddenWatch!, droppedWatch!]) {
      const seen = await w.viewerDevice.feed.nextPresenceOf(alice.id);
      expect(seen).toMatchObject({ status: "offline", message: null });
      expect(Date.parse(seen.lastSeen!)).toBeGreaterThanOrEqual(vanished - 50);
    }

    for (const w of watches) {
      await w.expectNothingElse();
      const events = w.viewerDevice.feed.all.filter((event) => JSON.stringify(event).includes(alice.id));
      const last = events.flatMap((event) => (event.type === "update" ? [event.presence] : [])).at(-1);
      expect(last).toEqual(await w.viewer.http.presence.get.query({ userId: alice.id }));
      if (w !== allowedWatch) expect(JSON.stringify(events)).not.toContain("secret");
    }
    await closeAll(aliceDevice, ...watches.flatMap((w) => [w.viewerDevice, w.markerDevice]));
  });
});
