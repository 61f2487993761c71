/** Rule 7: connections that go silent die, and presence left behind by a dead server is reaped. */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signUp } from "../src/testing/index.js";
import { DATABASE_KINDS, closeAll, useServer, watch } from "./fixtures.js";

const TTL_SECONDS = 1;
const GRACE_MS = 200;

/** A client that authenticates, then never says anything again (a half-open TCP connection). */
async function openSilentSocket(wsUrl: string, token: string): Promise<WebSocket> {
  const socket = new WebSocket(`${wsUrl}?connectionParams=1`);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  socket.send(JSON.stringify({ method: "connectionParams", data: { token } }));
  // Stop answering even WebSocket-level pings.
  (socket as unknown as { pong: () => void }).pong = () => {};
  return socket;
}

describe.each(DATABASE_KINDS)("rule 7 on %s", (kind) => {
  const server = useServer(kind, { presenceTtlMs: TTL_SECONDS * 1000, offlineGraceMs: GRACE_MS });

  it("closes a connection that is not heard from within the TTL and shows the user offline", async () => {
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
    const socket = await openSilentSocket(server.current.wsUrl, alice.token);
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");
    const silentSince = Date.now();
    const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now())));
    const offline = await w.viewerDevice.feed.nextPresenceOf(alice.id, (TTL_SECONDS + 5) * 1000);
    expect(offline.status).toBe("offline");
    expect(offline.lastSeen).not.toBeNull();
    expect((await closed) - silentSince).toBeLessThanOrEqual(TTL_SECONDS * 1000 + 1000);
    expect((await alice.http.presence.me.query()).connections).toBe(0);
    await closeAll(w.viewerDevice, w.markerDevice);
  });

  it("keeps a quiet client that answers keep-alive pings online past the TTL", async () => {
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
    const socket = new WebSocket(`${server.current.wsUrl}?connectionParams=1`);
    await new Promise((resolve) => socket.once("open", resolve));
    socket.on("message", (data) => {
      if (data.toString() === "PING") socket.send("PONG");
    });
    socket.send(JSON.stringify({ method: "connectionParams", data: { token: alice.token } }));
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");
    await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 3000));
    await w.expectNothingElse();
    expect((await alice.http.presence.me.query()).connections).toBe(1);
    socket.close();
    await closeAll(w.viewerDevice, w.markerDevice);
  });

  it("reaps a connection whose server died (never refreshed) within TTL + 5 s, with last seen", async () => {
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
    // A connection registered by a server that then died: in the store, with no socket behind it.
    await server.current.app.service.connect({ userId: alice.id, connectionId: randomUUID() });
    const registeredAt = Date.now();
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");
    const offline = await w.viewerDevice.feed.nextPresenceOf(alice.id, (TTL_SECONDS + 5) * 1000);
    expect(offline.status).toBe("offline");
    expect(Date.now() - registeredAt).toBeLessThanOrEqual((TTL_SECONDS + 5) * 1000);
    expect(Date.parse(offline.lastSeen!)).toBeGreaterThanOrEqual(registeredAt - 50);
    await closeAll(w.viewerDevice, w.markerDevice);
  });
});
