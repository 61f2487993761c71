/**
 * PostgreSQL goes away mid-run (a TCP proxy between the server and the database is cut): callers
 * get INTERNAL_SERVER_ERROR with a generic message, /healthz answers 503, nothing crashes; when
 * it comes back everything recovers by itself, and no last-seen write made meanwhile is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import WebSocket from "ws";
import { befriend, connect, signUp, startTestServer, type TestServer } from "../src/testing/index.js";
import { scratchDatabaseBehindProxy, type TcpProxy } from "./tcp-proxy.js";

async function errorOf(call: Promise<unknown>): Promise<{ code: string | undefined; message: string } | "ok"> {
  try {
    await call;
    return "ok";
  } catch (error) {
    if (error instanceof TRPCClientError) return { code: error.data?.code, message: error.message };
    throw error;
  }
}

const GENERIC = "Something went wrong on our side; please try again";

/** A raw authenticated socket, once a heartbeat on it was answered (so the server counts it). */
async function heartbeatingSocket(wsUrl: string, token: string): Promise<WebSocket> {
  const socket = new WebSocket(`${wsUrl}?connectionParams=1`);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const answer = new Promise<string>((resolve) => socket.once("message", (data) => resolve(data.toString())));
  socket.send(JSON.stringify({ method: "connectionParams", data: { token } }));
  socket.send(JSON.stringify({ id: 1, method: "mutation", params: { path: "presence.heartbeat" } }));
  expect(JSON.parse(await answer)).toMatchObject({ id: 1, result: { type: "data", data: { ttlSeconds: 60 } } });
  return socket;
}

describe("PostgreSQL outage", () => {
  let proxy: TcpProxy;
  let server: TestServer;
  let drop = async () => {};
  beforeAll(async () => {
    let url: string;
    ({ proxy, url, drop } = await scratchDatabaseBehindProxy());
    server = await startTestServer({ databaseUrl: url, offlineGraceMs: 300, logLevel: process.env.OUTAGE_LOG ?? "silent" });
  });
  afterAll(async () => {
    proxy.restore();
    await server?.close();
    await proxy?.close();
    await drop();
  });

  it(
    "answers INTERNAL_SERVER_ERROR and 503 while cut, recovers by itself, and loses no last-seen write",
    { timeout: 120_000 },
    async () => {
      const alice = await signUp(server.url);
      const bob = await signUp(server.url);
      const carol = await signUp(server.url);
      await befriend(alice, bob);
      await befriend(carol, bob);
      const bobDevice = await connect(server.wsUrl, bob, { subscribe: true });
      const aliceDevice = await connect(server.wsUrl, alice);
      expect((await bob.http.presence.get.query({ userId: alice.id })).status).toBe("online");

      proxy.cut();
      const cutAt = Date.now();
      // Calls that need the database fail with a generic message: no SQL, no host names. (The write
      // goes out as postgres-js loses its connections, which can lose the query for good: it must
      // still fail in bounded time, and not hold back the writes and sign-ins that come after it.)
      const calls = [() => bob.http.friends.list.query(), () => alice.http.presence.setStatus.mutate({ status: "away" })];
      for (const call of calls) expect(await errorOf(call())).toEqual({ code: "INTERNAL_SERVER_ERROR", message: GENERIC });
      // Presence rows the server already holds, current as the live store vouches, still answer.
      expect(await alice.http.presence.me.query()).toMatchObject({ status: "online", connections: 1 });
      await expect.poll(async () => (await fetch(`${server.url}/healthz`)).status, { timeout: 10_000 }).toBe(503);
      // Alice leaves during the outage: her last-seen write must wait for the database, not vanish.
      const leftAt = Date.now();
      await aliceDevice.close();
      // Carol arrives during the outage: the socket opens (her token still verifies) and counts;
      // heartbeats need no database.
      const carolSocket = await heartbeatingSocket(server.wsUrl, carol.token);
      // Long enough for the grace to end and the last-seen write to fail and be retried.
      await expect.poll(() => server.app.connections.size, { timeout: 5_000 }).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 1_500));

      proxy.restore();
      const restoredAt = Date.now();
      await expect.poll(async () => (await fetch(`${server.url}/healthz`)).status, { timeout: 30_000 }).toBe(200);
      const healthyAfterMs = Date.now() - restoredAt;
      // The retried write lands: Bob sees Alice offline with the moment she left. (Between the
      // store settling her offline and the write landing, lastSeen may briefly read null.)
      await expect
        .poll(async () => (await bob.http.presence.get.query({ userId: alice.id })).lastSeen !== null, { timeout: 30_000 })
        .toBe(true);
      const lastSeenAfterMs = Date.now() - restoredAt;
      const seen = await bob.http.presence.get.query({ userId: alice.id });
      expect(seen.status).toBe("offline");
      expect(Math.abs(Date.parse(seen.lastSeen!) - leftAt)).toBeLessThan(2_000);
      expect(Date.parse(seen.lastSeen!)).toBeGreaterThanOrEqual(cutAt - 100);
      // Bob's live feed heard it too, and Carol, who came during the outage, is online to Bob.
      const deadline = Date.now() + 10_000;
      let heard = await bobDevice.feed.nextPresenceOf(alice.id, 10_000);
      while (heard.status !== "offline") heard = await bobDevice.feed.nextPresenceOf(alice.id, Math.max(1, deadline - Date.now()));
      expect(heard.lastSeen).toBe(seen.lastSeen);
      await expect.poll(async () => (await bob.http.presence.get.query({ userId: carol.id })).status, { timeout: 10_000 }).toBe("online");
      // Everything works again, with no restart.
      expect((await alice.http.presence.setStatus.mutate({ status: "away" })).status).toBe("away");
      expect(await bobDevice.client.auth.me.query()).toEqual({ id: bob.id, username: bob.username });
      console.log(`database outage: /healthz 200 ${healthyAfterMs} ms after restore; last seen landed ${lastSeenAfterMs} ms after restore`);
      carolSocket.close();
      await bobDevice.close();
    },
  );
});
