/**
 * A client that stops reading must not grow the server's memory without bound: once its socket's
 * unsent backlog passes the limit (1 MiB), the server drops it. Friends who keep reading carry on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { befriend, connect, signUp, startTestServer, type TestServer } from "../src/testing/index.js";
import { MAX_BUFFERED_BYTES } from "../src/websocket.js";

/** Several subscriptions on one socket multiply the bytes per change, so the test stays quick. */
const SUBSCRIPTIONS = 20;
const MAX_CHANGES = 5_000;

describe("slow consumers", () => {
  let server: TestServer;
  beforeAll(async () => {
    // Above the default cap of 4 per socket, only so that each change costs 20 frames and the
    // backlog fills quickly; what is asserted is unchanged.
    server = await startTestServer({ maxSubscriptionsPerSocket: SUBSCRIPTIONS });
  });
  afterAll(async () => {
    await server.close();
  });

  it("a socket that stops reading is dropped once its backlog passes 1 MiB; the others converge", { timeout: 120_000 }, async () => {
    expect(MAX_BUFFERED_BYTES).toBe(1024 * 1024);
    const alice = await signUp(server.url);
    const bob = await signUp(server.url);
    const carol = await signUp(server.url);
    await befriend(alice, bob);
    await befriend(carol, bob);
    const bobDevice = await connect(server.wsUrl, bob);
    const carolDevice = await connect(server.wsUrl, carol, { subscribe: true });

    // Alice subscribes on a raw socket, reads the snapshots, then stops reading from TCP.
    const socket = new WebSocket(`${server.wsUrl}?connectionParams=1`);
    let snapshots = 0;
    const allSnapshots = new Promise<void>((resolve) =>
      socket.on("message", (data) => {
        if (data.toString().includes('"snapshot"') && ++snapshots === SUBSCRIPTIONS) resolve();
      }),
    );
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ method: "connectionParams", data: { token: alice.token } }));
    for (let id = 1; id <= SUBSCRIPTIONS; id++) {
      socket.send(JSON.stringify({ id, method: "subscription", params: { path: "presence.onChange" } }));
    }
    await allSnapshots;
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const aliceConnections = async () => (await alice.http.presence.me.query()).connections;
    expect(await aliceConnections()).toBe(1);

    // Bob changes status thousands of times, each with a long message: every change is a frame
    // per subscription. Alice's socket must be dropped long before the last one.
    const heapBefore = process.memoryUsage().heapUsed;
    let changes = 0;
    let dropped = false;
    while (changes < MAX_CHANGES && !dropped) {
      const message = `${changes}`.padEnd(128, "·");
      await server.app.service.changeChoice(bob.id, { status: changes % 2 ? "away" : "dnd", message });
      // A turn of the event loop per change, as when changes arrive over the network: feeds
      // coalesce whatever arrives within one turn into one frame, which would shrink the flood.
      await new Promise((resolve) => setImmediate(resolve));
      changes++;
      if (changes % 50 === 0) dropped = (await aliceConnections()) === 0;
    }
    await expect.poll(aliceConnections, { timeout: 5_000 }).toBe(0);
    expect(changes).toBeLessThan(MAX_CHANGES);
    // The server did not keep what it could not send (a generous bound: the backlog limit, plus
    // what the garbage collector has not caught up with).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);

    // Carol kept reading and converges on Bob's last state; Bob's own socket is fine.
    const last = `${changes - 1}`.padEnd(128, "·");
    const deadline = Date.now() + 20_000;
    let seen: string | null = null;
    while (seen !== last) seen = (await carolDevice.feed.nextPresenceOf(bob.id, Math.max(1, deadline - Date.now()))).message;
    expect(await bobDevice.client.auth.me.query()).toEqual({ id: bob.id, username: bob.username });
    socket.terminate();
    await closed;
    await Promise.all([bobDevice.close(), carolDevice.close()]);
  });
});
