/**
 * The subscription host serves `presence.onChange` beside tRPC's adapter: what the client sees
 * must not change. Batches are split (the adapter answers the rest), a duplicate id, a bad input
 * and an unauthenticated socket get the same errors the adapter would give, and a stop reaches
 * only the subscription it names.
 */
import { EventEmitter } from "node:events";
import type { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import type { HeraldSocket } from "../src/herald-socket.js";
import { takeHostedCalls } from "../src/subscription-host.js";
import { befriend, connect, signUp, startTestServer, type TestServer, type TestUser } from "../src/testing/index.js";
import { closeAll } from "./fixtures.js";
import { RawSubscriber } from "./raw-subscriber.js";

interface Frame {
  id: string | number | null;
  result?: { type: string; data?: unknown };
  error?: { message: string; data: { code: string; path?: string } };
}

const parsed = (frames: string[]) => frames.map((frame) => JSON.parse(frame) as Frame);

describe("the subscription host", () => {
  let server: TestServer;
  let viewer: TestUser;
  let friend: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ offlineGraceMs: 100 });
    viewer = await signUp(server.url);
    friend = await signUp(server.url);
    await befriend(friend, viewer);
  });
  afterAll(async () => {
    await server.close();
  });

  it("takes the subscription out of a batch and leaves the other calls to the adapter", async () => {
    const raw = await RawSubscriber.open(server, viewer);
    raw.send([
      { id: "me", method: "query", params: { path: "auth.me" } },
      { id: "feed", method: "subscription", params: { path: "presence.onChange" } },
      { id: "status", method: "mutation", params: { path: "presence.setStatus", input: { status: "away" } } },
    ]);
    const [me] = parsed(await raw.framesOf("me", 1));
    expect(me!.result).toMatchObject({ type: "data", data: { id: viewer.id } });
    const [status] = parsed(await raw.framesOf("status", 1));
    expect(status!.result).toMatchObject({ type: "data", data: { status: "away" } });
    const [started, snapshot] = parsed(await raw.framesOf("feed", 2));
    expect(started!.result).toEqual({ type: "started" });
    expect(snapshot!.result!.data).toMatchObject({ data: { type: "snapshot", friends: [{ userId: friend.id }] } });
    await raw.close();
  });

  it("refuses a second subscription with the same id, and the first goes on", async () => {
    const raw = await RawSubscriber.open(server, viewer);
    raw.subscribe(7);
    await raw.framesOf(7, 2);
    raw.subscribe(7);
    const third = parsed(await raw.framesOf(7, 3))[2]!;
    expect(third.error).toMatchObject({ message: "Duplicate id 7", data: { code: "BAD_REQUEST" } });
    const friendDevice = await connect(server.wsUrl, friend);
    const fourth = parsed(await raw.framesOf(7, 4))[3]!;
    expect(fourth.result!.data).toMatchObject({ data: { type: "update", presence: { userId: friend.id, status: "online" } } });
    await closeAll(friendDevice);
    await raw.close();
  });

  it("answers a bad input with BAD_REQUEST naming the field, through the router's error formatter", async () => {
    const raw = await RawSubscriber.open(server, viewer);
    raw.subscribe("bad", "2.0", { lastEventId: 5 });
    const [answer] = parsed(await raw.framesOf("bad", 1));
    expect(answer!.error!.data).toMatchObject({ code: "BAD_REQUEST", path: "presence.onChange" });
    expect(answer!.error!.message).toMatch(/^lastEventId: /);
    await raw.close();
  });

  it("answers UNAUTHORIZED on a socket without a valid token, as every other procedure does", async () => {
    const raw = await RawSubscriber.open(server, { ...viewer, token: "not-a-token" });
    raw.send({ id: "me", method: "query", params: { path: "auth.me" } });
    raw.subscribe("feed");
    const [me] = parsed(await raw.framesOf("me", 1));
    const [feed] = parsed(await raw.framesOf("feed", 1));
    expect(me!.error!.data.code).toBe("UNAUTHORIZED");
    expect(feed!.error).toMatchObject({ message: me!.error!.message, data: { code: "UNAUTHORIZED", path: "presence.onChange" } });
    await raw.close();
  });

  it("stops only the subscription a stop names; a stop for an id it does not serve is left to the adapter", async () => {
    const viewer = await signUp(server.url);
    const friend = await signUp(server.url);
    await befriend(friend, viewer);
    const raw = await RawSubscriber.open(server, viewer);
    raw.subscribe("a");
    raw.subscribe("b");
    await raw.framesOf("a", 2);
    await raw.framesOf("b", 2);
    raw.send({ id: "nobody", method: "subscription.stop" });
    raw.send({ id: "a", method: "subscription.stop" });
    expect(parsed(await raw.framesOf("a", 3))[2]!.result).toEqual({ type: "stopped" });
    const friendDevice = await connect(server.wsUrl, friend);
    expect(parsed(await raw.framesOf("b", 3))[2]!.result!.data).toMatchObject({ data: { type: "update" } });
    expect(raw.frames.get("a")).toHaveLength(3);
    expect(raw.frames.has("nobody")).toBe(false);
    await closeAll(friendDevice);
    await raw.close();
  });

  it("a subscription stopped at any moment of its start ends cleanly: no feed, slot or listener is left", async () => {
    // The stop lands before the context is ready, while the snapshot is read, or after the feed
    // took over; each must end with nothing held (a leaked slot would refuse the last subscribe).
    const raw = await RawSubscriber.open(server, viewer);
    const listenersBefore = server.app.busListenerCount();
    const ids = Array.from({ length: 24 }, (_, i) => `s${i}`);
    for (const [i, id] of ids.entries()) {
      raw.subscribe(id);
      if (i % 4 === 1) await new Promise((resolve) => setImmediate(resolve));
      if (i % 4 >= 2) await new Promise((resolve) => setTimeout(resolve, i % 4 === 2 ? 1 : 20));
      raw.send({ id, method: "subscription.stop" });
    }
    const endedCleanly = (id: string) => {
      const frames = parsed(raw.frames.get(id) ?? []);
      if (frames.length === 0) return true; // stopped before it started: nothing is sent
      return frames[0]!.result?.type === "started" && frames.at(-1)!.result?.type === "stopped";
    };
    await expect.poll(() => server.app.subscriptionLimits.active === 0 && ids.every(endedCleanly), { timeout: 10_000 }).toBe(true);
    expect(server.app.busListenerCount()).toBe(listenersBefore);
    raw.subscribe("last");
    const [started, snapshot] = parsed(await raw.framesOf("last", 2));
    expect(started!.result).toEqual({ type: "started" });
    expect(snapshot!.result!.data).toMatchObject({ data: { type: "snapshot" } });
    await raw.close();
  });
});

describe("the subscription host, when answering fails", () => {
  it("reports the failure (as an internal error) instead of leaving it unhandled", async () => {
    // A socket that already serves id 7 (so the call is refused at once) and cannot send.
    const socket = Object.assign(new EventEmitter(), {
      readyState: WebSocket.OPEN,
      hosted: new Map([[7, {}]]),
      heraldContext: new Promise(() => {}),
      send: () => {
        throw new Error("the socket broke");
      },
    }) as unknown as HeraldSocket;
    const failures: TRPCError[] = [];
    const call = { id: 7, method: "subscription", params: { path: "presence.onChange" } };
    expect(takeHostedCalls(socket, Buffer.from(JSON.stringify(call)), (error) => failures.push(error))).toBeNull();
    await vi.waitFor(() => expect(failures.map((failure) => failure.code)).toEqual(["BAD_REQUEST", "INTERNAL_SERVER_ERROR"]));
    expect(failures[1]!.cause).toMatchObject({ message: "the socket broke" });
  });
});
