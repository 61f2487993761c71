/**
 * A feed that writes its own frames (`writeFrames`): one flush per tick, rule 9 and ordering as on
 * the pulled path, frames byte for byte as tRPC's ws adapter sends them, and nothing once closed.
 * Real feed, bus and frame writer; the socket is a recorder.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryPresenceBus } from "../src/bus/memory-bus.js";
import type { FeedObserver, PresenceEvent } from "../src/feed/events.js";
import {
  FrameWriter,
  SOCKET_OPEN,
  TrackedIds,
  type FrameSocket,
  type HostedSubscription,
  type SubscriptionAddress,
} from "../src/feed/frame-writer.js";
import { ARRIVAL_HOLD_MS } from "../src/feed/feed-delivery.js";
import { FriendFeed, MAX_FLUSH_WAIT_MS } from "../src/feed/friend-feed.js";
import { handOverToFrames } from "../src/feed/tracked-events.js";
import { silentLogger } from "../src/logger.js";
import type { PresenceState } from "../src/types.js";
import { presenceState } from "./fixtures/presence-state.js";

const VIEWER = "00000000-0000-4000-8000-0000000000f0";
const A = "00000000-0000-4000-8000-0000000000fa";
const B = "00000000-0000-4000-8000-0000000000fb";
const C = "00000000-0000-4000-8000-0000000000fc";

function state(userId: string, version: number, overrides: Partial<PresenceState> = {}): PresenceState {
  return presenceState(userId, { version, ...overrides });
}

const online = (userId: string, version: number, overrides: Partial<PresenceState> = {}) =>
  state(userId, version, { online: true, connections: 1, ...overrides });

/** The bytes the adapter sends for `tracked(trackedId, event)` (its `respond`, no transformer). */
function adapterFrame(address: SubscriptionAddress, trackedId: string, event: unknown): string {
  const result = { type: "data", data: { id: trackedId, data: event }, id: trackedId };
  return JSON.stringify({ id: address.id, jsonrpc: address.jsonrpc, result });
}

class RecordingSocket implements FrameSocket {
  readyState = SOCKET_OPEN;
  private readonly unread: string[] = [];
  private waiter: ((frame: string) => void) | null = null;

  send(frame: string): void {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter(frame);
    } else this.unread.push(frame);
  }

  next(): Promise<string> {
    const ready = this.unread.shift();
    return ready !== undefined ? Promise.resolve(ready) : new Promise((resolve) => (this.waiter = resolve));
  }

  get pending(): number {
    return this.unread.length;
  }
}

describe("a feed writing its own frames", () => {
  const bus = new MemoryPresenceBus();
  const sent: Array<PresenceEvent["type"]> = [];
  const observer: FeedObserver = { eventSent: (type) => sent.push(type) };
  let feed: FriendFeed | null = null;

  afterEach(() => {
    feed?.close();
    sent.length = 0;
    expect(bus.listenerCount()).toBe(0);
  });

  /** A started feed whose snapshot went out the pulled way, now writing frames to a recorder. */
  async function directFeed(address: SubscriptionAddress) {
    const initial = new Map([
      [VIEWER, online(VIEWER, 1)],
      [A, state(A, 1)],
      [B, state(B, 1)],
      [C, online(C, 1, { status: "away" })],
    ]);
    feed = new FriendFeed(VIEWER, {
      bus,
      friendIdsOf: async () => [A, B, C],
      loadStates: async (ids) => new Map(ids.map((id) => [id, initial.get(id)!])),
      requestsOf: async () => ({ incoming: [], outgoing: [] }),
      lastSeenReciprocity: true,
      log: silentLogger,
      observer,
    });
    await feed.start();
    const ids = new TrackedIds();
    const [snapshot] = feed.takeQueued();
    expect(snapshot?.type).toBe("snapshot");
    const snapshotId = ids.next();
    const socket = new RecordingSocket();
    feed.writeFrames(new FrameWriter(socket, address, ids));
    const prefix = snapshotId.slice(0, -"1".length);
    return { socket, trackedId: (n: number) => `${prefix}${n}` };
  }

  it("sends a tick's changes as one `updates` frame, in the adapter's exact bytes, counted in metrics", async () => {
    const address = { id: 7, jsonrpc: "2.0" as const };
    const { socket, trackedId } = await directFeed(address);
    await bus.publish(A, { type: "state", state: online(A, 2) });
    await bus.publish(B, { type: "state", state: online(B, 2, { status: "dnd", message: "focus" }) });
    await bus.publish(A, { type: "state", state: online(A, 3, { message: "back" }) });
    expect(socket.pending).toBe(0); // nothing before the tick ends
    expect(await socket.next()).toBe(
      adapterFrame(address, trackedId(2), {
        type: "updates",
        presences: [
          { userId: B, status: "dnd", message: "focus", lastSeen: null, until: null, devices: [], lastSeenBucket: null },
          { userId: A, status: "online", message: "back", lastSeen: null, until: null, devices: [], lastSeenBucket: null },
        ],
      }),
    );
    // A later tick: a single change is an `update`; the tracked ids go on from the snapshot's.
    await bus.publish(C, { type: "state", state: state(C, 2, { lastSeen: "2026-01-01T10:00:00.000Z" }) });
    expect(await socket.next()).toBe(
      adapterFrame(address, trackedId(3), {
        type: "update",
        presence: {
          userId: C,
          status: "offline",
          message: null,
          lastSeen: "2026-01-01T10:00:00.000Z",
          until: null,
          devices: [],
          lastSeenBucket: null,
        },
      }),
    );
    expect(sent).toEqual(["snapshot", "updates", "update"]);
  });

  it("writes the envelope without `jsonrpc` when the client sent none, with string ids too", async () => {
    const address = { id: "sub-1", jsonrpc: undefined };
    const { socket, trackedId } = await directFeed(address);
    await bus.publish(A, { type: "state", state: online(A, 2) });
    const frame = await socket.next();
    expect(frame).not.toContain("jsonrpc");
    expect(frame).toBe(
      adapterFrame(address, trackedId(2), {
        type: "update",
        presence: { userId: A, status: "online", message: null, lastSeen: null, until: null, devices: [], lastSeenBucket: null },
      }),
    );
  });

  it("sends nothing for changes the viewer cannot see or that are undone within the tick (rule 9), nor for old versions", async () => {
    const { socket, trackedId } = await directFeed({ id: 1, jsonrpc: undefined });
    await bus.publish(A, { type: "state", state: state(A, 2, { status: "dnd", message: "unseen while offline" }) });
    await bus.publish(B, { type: "state", state: online(B, 2) });
    await bus.publish(B, { type: "state", state: state(B, 3) });
    await bus.publish(C, { type: "state", state: online(C, 0, { status: "dnd" }) }); // older than what we have
    // A marker in a later tick: if any of the above had produced a frame, it would come first.
    await nextTurn();
    await bus.publish(C, { type: "state", state: online(C, 5, { status: "online" }) });
    const frame = JSON.parse(await socket.next());
    expect(frame.result.id).toBe(trackedId(2));
    expect(frame.result.data.data).toEqual({
      type: "update",
      presence: { userId: C, status: "online", message: null, lastSeen: null, until: null, devices: [], lastSeenBucket: null },
    });
  });

  describe("a friend's arrival", () => {
    // The beat is shared by every feed in the process: one armed by an earlier test has passed.
    beforeEach(() => sleep(ARRIVAL_HOLD_MS));

    it("waits for the beat, and the arrivals of one beat leave as one frame", async () => {
      const { socket } = await directFeed({ id: 9, jsonrpc: undefined });
      const heldSince = Date.now();
      await bus.publish(A, { type: "state", state: online(A, 2) });
      await nextTurn();
      await nextTurn();
      expect(socket.pending).toBe(0); // the tick's end passed: held
      await bus.publish(B, { type: "state", state: online(B, 2, { status: "dnd" }) });
      const event = JSON.parse(await socket.next()).result.data.data;
      expect(Date.now() - heldSince).toBeGreaterThanOrEqual(ARRIVAL_HOLD_MS - 2);
      expect(event.type).toBe("updates");
      expect(event.presences.map((p: { userId: string; status: string }) => [p.userId, p.status])).toEqual([
        [A, "online"],
        [B, "dnd"],
      ]);
    });

    it("leaves, in order, with the next change that cannot wait", async () => {
      const { socket } = await directFeed({ id: 10, jsonrpc: undefined });
      await bus.publish(A, { type: "state", state: online(A, 2) });
      await nextTurn();
      await bus.publish(C, { type: "state", state: online(C, 2, { status: "dnd" }) }); // away to dnd
      await bus.publish(VIEWER, { type: "state", state: online(VIEWER, 2, { status: "away" }) });
      const first = JSON.parse(await socket.next()).result.data.data;
      expect(first.presences.map((p: { userId: string }) => p.userId)).toEqual([A, C]);
      expect(JSON.parse(await socket.next()).result.data.data.type).toBe("self");
    });
  });

  it("keeps friend and self events in order with updates, one frame each", async () => {
    const { socket } = await directFeed({ id: 2, jsonrpc: undefined });
    await bus.publish(A, { type: "state", state: online(A, 2) });
    await bus.publish(VIEWER, { type: "state", state: online(VIEWER, 2, { status: "away" }) });
    await bus.publish(VIEWER, { type: "friend_removed", friendId: B });
    await bus.publish(C, { type: "state", state: online(C, 2, { status: "dnd" }) });
    const types = [];
    for (let i = 0; i < 4; i++) types.push(JSON.parse(await socket.next()).result.data.data.type);
    expect(types).toEqual(["update", "self", "friend_removed", "update"]);
  });

  it("still writes while a long run of microtasks keeps setImmediate from running", async () => {
    const { socket } = await directFeed({ id: 8, jsonrpc: undefined });
    // Like the embedded database working through queued writes: change after change, each one a
    // microtask later, never giving the event loop a turn.
    const startedAt = Date.now();
    let version = 2;
    while (socket.pending === 0 && Date.now() - startedAt < 20 * MAX_FLUSH_WAIT_MS) {
      await bus.publish(A, { type: "state", state: online(A, version, { message: `${version}` }) });
      version++;
    }
    expect(socket.pending).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(20 * MAX_FLUSH_WAIT_MS);
    // Everything up to the change that forced the flush went out in that one frame.
    expect(JSON.parse(await socket.next()).result.data.data).toEqual({
      type: "update",
      presence: { userId: A, status: "online", message: `${version - 1}`, lastSeen: null, until: null, devices: [], lastSeenBucket: null },
    });
  });

  it("writes nothing once closed, even with a flush pending, and nothing to a socket that is not open", async () => {
    const first = await directFeed({ id: 3, jsonrpc: undefined });
    await bus.publish(A, { type: "state", state: online(A, 2) });
    await bus.publish(VIEWER, { type: "state", state: online(VIEWER, 2, { status: "dnd" }) });
    await bus.publish(VIEWER, { type: "friend_removed", friendId: B });
    feed!.close(); // the flush is scheduled but has not run
    const second = await directFeed({ id: 4, jsonrpc: undefined });
    second.socket.readyState = SOCKET_OPEN + 1; // closing
    await bus.publish(C, { type: "state", state: online(C, 2, { status: "dnd" }) });
    await nextTurn(); // the flush, which finds the socket closed
    second.socket.readyState = SOCKET_OPEN;
    await bus.publish(C, { type: "state", state: online(C, 5, { status: "online" }) });
    expect(JSON.parse(await second.socket.next()).result.data.data.presence).toMatchObject({ userId: C, status: "online" });
    expect(first.socket.pending).toBe(0);
  });

  it("closes the feed, rather than the process, when writing a frame fails", async () => {
    const { socket } = await directFeed({ id: 6, jsonrpc: undefined });
    socket.send = () => {
      throw new Error("socket exploded");
    };
    const ended = new Promise<void>((resolve) => feed!.whenClosed(resolve));
    await bus.publish(A, { type: "state", state: online(A, 2) });
    await ended;
    expect(bus.listenerCount()).toBe(0);
  });

  it("handed over to a host's subscription, ends with it: the host stops it, or it stops itself", async () => {
    const hosted = (stopRequested: boolean): HostedSubscription => ({
      id: 4,
      jsonrpc: undefined,
      stopRequested,
      feed: null,
      ended: () => heard.push("ended"),
      releaseOnForget: null,
    });
    const heard: string[] = [];
    const release = () => heard.push("released");
    // Stopped while its snapshot was read: closed at once, nothing written.
    const { socket } = await directFeed({ id: 4, jsonrpc: undefined });
    const stoppedEarly = hosted(true);
    handOverToFrames(feed!, socket, stoppedEarly, release);
    expect(heard).toEqual(["released", "ended"]);
    expect(bus.listenerCount()).toBe(0);
    await bus.publish(A, { type: "state", state: online(A, 2) });
    await nextTurn();
    expect(socket.pending).toBe(0);
    // Running: frames flow until the host closes the feed it was handed.
    heard.length = 0;
    const second = await directFeed({ id: 4, jsonrpc: undefined });
    const running = hosted(false);
    handOverToFrames(feed!, second.socket, running, release);
    await bus.publish(B, { type: "state", state: online(B, 2) });
    expect(JSON.parse(await second.socket.next()).result.data.data.presence.userId).toBe(B);
    expect(heard).toEqual([]);
    running.feed!.close();
    expect(heard).toEqual(["released", "ended"]);
    expect(bus.listenerCount()).toBe(0);
  });

  it("tells its close listener once when it closes, and at once when it already has", async () => {
    await directFeed({ id: 5, jsonrpc: undefined });
    const heard: string[] = [];
    feed!.whenClosed(() => heard.push("open"));
    feed!.close();
    feed!.close();
    feed!.whenClosed(() => heard.push("closed"));
    expect(heard).toEqual(["open", "closed"]);
  });
});
