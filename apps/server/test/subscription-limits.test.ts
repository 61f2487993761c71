/**
 * Issue 10, item 8: one socket may hold at most 4 `presence.onChange` subscriptions and start at
 * most 20 per 10 s. Before, 10,000 subscriptions on one socket took 125 MiB of heap and made one
 * friend's change send 10,000 frames.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { befriend, connect, errorOf, signUp, startTestServer, type Device, type TestServer } from "../src/testing/index.js";

interface Frame {
  id?: number;
  result?: { type?: string; data?: { data?: { type?: string } } };
  error?: { message: string; data?: { code?: string } };
}

/** A raw socket for `token`: what an attacker's script would use. */
async function rawSocket(wsUrl: string, token: string) {
  const socket = new WebSocket(`${wsUrl}?connectionParams=1`);
  const frames: Frame[] = [];
  const listeners = new Set<() => void>();
  socket.on("message", (data) => {
    const text = data.toString();
    if (text === "PING") return void socket.send("PONG");
    frames.push(JSON.parse(text) as Frame);
    for (const listener of listeners) listener();
  });
  await new Promise((resolve) => socket.once("open", resolve));
  socket.send(JSON.stringify({ method: "connectionParams", data: { token } }));
  return {
    socket,
    frames,
    /** Resolves once `predicate` holds for the frames received so far. */
    until(predicate: (frames: Frame[]) => boolean): Promise<void> {
      return new Promise((resolve) => {
        const check = () => {
          if (!predicate(frames)) return;
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        check();
      });
    },
    subscribe(id: number) {
      socket.send(JSON.stringify({ id, method: "subscription", params: { path: "presence.onChange" } }));
    },
  };
}

const isSnapshot = (f: Frame) => f.result?.type === "data" && f.result.data?.data?.type === "snapshot";
const isUpdate = (f: Frame) => f.result?.type === "data" && f.result.data?.data?.type === "update";
const refused = (f: Frame) => f.error?.data?.code === "TOO_MANY_REQUESTS";

/** Subscribes on a client and resolves with the subscription once its snapshot arrived, or rejects with its error. */
function subscribeOn(device: Device): Promise<{ unsubscribe(): void }> {
  return new Promise((resolve, reject) => {
    const subscription = device.client.presence.onChange.subscribe(undefined, {
      onData: (event) => {
        if ((event.data as { type: string }).type === "snapshot") resolve(subscription);
      },
      onError: reject,
    });
  });
}

describe("subscriptions per socket, with abuse limits on", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rateLimits: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it("a flood of 40 subscribes on one socket gets 4 feeds; the rest are refused and hold nothing", async () => {
    // 40: inside the socket's call budget, which refuses longer floods before they get here (call-flood.test.ts).
    const alice = await signUp(server.url);
    const bob = await signUp(server.url);
    await befriend(alice, bob);
    const baseline = server.app.busListenerCount();
    const attacker = await rawSocket(server.wsUrl, alice.token);
    for (let id = 1; id <= 40; id++) attacker.subscribe(id);
    await attacker.until((frames) => frames.filter(isSnapshot).length + frames.filter(refused).length === 40);
    expect(attacker.frames.filter(isSnapshot)).toHaveLength(4);
    const refusals = attacker.frames.filter(refused);
    expect(refusals).toHaveLength(36);
    // The first 20 calls pass the rate limit, and 16 of them meet the cap; the other 20 meet the rate limit.
    expect(refusals.filter((f) => /at most 4 at once/.test(f.error!.message))).toHaveLength(16);
    expect(refusals.filter((f) => /at most 20 per 10 s/.test(f.error!.message))).toHaveLength(20);
    // A refused subscribe is answered by its error alone, never `started` first (a client would
    // take it for a subscription that began).
    const startedIds = attacker.frames.filter((f) => f.result?.type === "started").map((f) => f.id);
    expect(startedIds).toHaveLength(4);
    expect(startedIds.filter((id) => refusals.some((f) => f.id === id))).toEqual([]);
    expect(server.app.subscriptionLimits.active).toBe(4);

    // One change of a friend's: four frames, not forty.
    await bob.http.presence.setStatus.mutate({ status: "dnd" });
    const bobDevice = await connect(server.wsUrl, bob);
    await attacker.until((frames) => frames.filter(isUpdate).length >= 4);
    expect(server.app.subscriptionLimits.active).toBe(4);

    const closed = new Promise((resolve) => attacker.socket.once("close", resolve));
    attacker.socket.close();
    await closed;
    await expect.poll(() => server.app.subscriptionLimits.active).toBe(0);
    await expect.poll(() => server.app.busListenerCount()).toBe(baseline);
    await bobDevice.close();
  });

  it("the fifth concurrent subscription is refused with TOO_MANY_REQUESTS naming the limit; stopping one frees its slot", async () => {
    const alice = await signUp(server.url);
    const device = await connect(server.wsUrl, alice);
    const subscriptions = [];
    for (let i = 0; i < 4; i++) subscriptions.push(await subscribeOn(device));
    expect(await errorOf(subscribeOn(device))).toEqual({
      code: "TOO_MANY_REQUESTS",
      message: "Too many subscriptions on this connection: at most 4 at once; stop one before starting another",
    });
    // The refused one holds no slot: after one stop, exactly one more fits again.
    subscriptions.shift()!.unsubscribe();
    subscriptions.push(await subscribeOn(device));
    expect((await errorOf(subscribeOn(device))).code).toBe("TOO_MANY_REQUESTS");
    // The cap is per socket: another device of the same user subscribes as usual.
    const other = await connect(server.wsUrl, alice, { subscribe: true });
    for (const subscription of subscriptions) subscription.unsubscribe();
    await Promise.all([device.close(), other.close()]);
    await expect.poll(() => server.app.subscriptionLimits.active).toBe(0);
  });

  it("a socket may start at most 20 subscriptions per 10 s, even one at a time", async () => {
    const alice = await signUp(server.url);
    const device = await connect(server.wsUrl, alice);
    for (let i = 0; i < 20; i++) (await subscribeOn(device)).unsubscribe();
    expect(await errorOf(subscribeOn(device))).toEqual({
      code: "TOO_MANY_REQUESTS",
      message: "Too many subscribe calls on this connection: at most 20 per 10 s; wait a few seconds",
    });
    // A fresh socket (the client reconnecting) starts with a full allowance.
    const fresh = await connect(server.wsUrl, alice, { subscribe: true });
    await Promise.all([device.close(), fresh.close()]);
  });
});

describe("subscriptions per socket, with RATE_LIMITS=off", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rateLimits: false });
  });
  afterAll(async () => {
    await server.close();
  });

  it("lifts the subscribe rate but keeps the cap of 4 at once", async () => {
    const alice = await signUp(server.url);
    const device = await connect(server.wsUrl, alice);
    for (let i = 0; i < 30; i++) (await subscribeOn(device)).unsubscribe();
    const held = [];
    for (let i = 0; i < 4; i++) held.push(await subscribeOn(device));
    expect(await errorOf(subscribeOn(device))).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/at most 4 at once/),
    });
    for (const subscription of held) subscription.unsubscribe();
    await device.close();
    await expect.poll(() => server.app.subscriptionLimits.active).toBe(0);
  });

  it("a subscribe stopped before it started holds no slot", async () => {
    const alice = await signUp(server.url);
    const client = await rawSocket(server.wsUrl, alice.token);
    // One message: each subscribe is stopped before its procedure has run. The first four take
    // the four slots meanwhile (the other four are refused for them), and must give them back.
    const calls = [];
    for (let id = 1; id <= 8; id++) {
      calls.push({ id, method: "subscription", params: { path: "presence.onChange" } }, { id, method: "subscription.stop" });
    }
    client.socket.send(JSON.stringify(calls));
    await client.until((frames) => frames.filter(refused).length === 4);
    await expect.poll(() => server.app.subscriptionLimits.active).toBe(0);
    for (let id = 11; id <= 14; id++) client.subscribe(id);
    await client.until((frames) => frames.filter(isSnapshot).length === 4);
    expect(new Set(client.frames.filter(isSnapshot).map((f) => f.id))).toEqual(new Set([11, 12, 13, 14]));
    client.socket.close();
    await expect.poll(() => server.app.subscriptionLimits.active).toBe(0);
  });
});
