/**
 * `attachHerald` on a host's own http.Server: Herald answers under its path (HTTP and WebSocket),
 * everything else stays the host's (requests and upgrades alike), and it runs on the same
 * database, store and bus settings as the standalone server: a user on the host's server sees a
 * friend on a standalone Herald sharing its PostgreSQL and Redis, live. `close()` hands the
 * server back.
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { createScratchDatabase } from "@herald/db/testing";
import { attachHerald, type AttachedHerald } from "../src/attach.js";
import {
  connect,
  HostIssuer,
  httpClient,
  startTestServer,
  TEST_SERVICE_TOKEN,
  type TestServer,
  type TestUser,
} from "../src/testing/index.js";
import { deleteRedisKeys, SHARED_REDIS_URL } from "./multi-server/cluster.js";

describe("attachHerald on a host's http.Server", () => {
  let issuer: HostIssuer;
  let host: Server;
  let hostUrl: string;
  let attached: AttachedHerald;
  let standalone: TestServer;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    issuer = await HostIssuer.start();
    cleanups.push(() => issuer.close());
    const database = await createScratchDatabase(process.env.TEST_DATABASE_URL);
    cleanups.push(database.drop);
    const redisPrefix = `herald-attach-${randomUUID()}`;
    cleanups.push(() => deleteRedisKeys(SHARED_REDIS_URL, redisPrefix));

    // The host's app: its own pages, and its own WebSocket at /chat.
    host = createServer((req, res) => res.end(`host:${req.url}`));
    const chat = new WebSocketServer({ noServer: true });
    chat.on("connection", (socket) => socket.send("host chat"));
    host.on("upgrade", (req, socket, head) => {
      if (req.url === "/chat") chat.handleUpgrade(req, socket, head, (ws) => chat.emit("connection", ws, req));
    });
    host.listen(0, "127.0.0.1");
    await once(host, "listening");
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    cleanups.push(async () => {
      chat.close();
      host.closeAllConnections();
      host.close();
    });

    const shared = {
      databaseUrl: database.url,
      redisUrl: SHARED_REDIS_URL,
      redisPrefix,
      identity: issuer.identity(),
      friendSource: "host" as const,
      offlineGraceMs: 300,
      rateLimits: false,
      logLevel: "warn",
      dataDir: null,
    };
    attached = await attachHerald(host, { path: "/presence", ...shared });
    cleanups.push(() => attached.close());
    standalone = await startTestServer({ ...shared, serviceToken: TEST_SERVICE_TOKEN });
    cleanups.push(() => standalone.close());
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  async function hostUser(id: string, name: string, url: string): Promise<TestUser> {
    const token = await issuer.sign(id, { name });
    return { id, username: name, token, http: httpClient(url, token) };
  }

  it("serves tRPC and health under its path and leaves every other request to the host", async () => {
    expect(attached.trpcPath).toBe("/presence/trpc");
    expect(await (await fetch(`${hostUrl}/`)).text()).toBe("host:/");
    expect(await (await fetch(`${hostUrl}/presenceless`)).text()).toBe("host:/presenceless");
    expect(await (await fetch(`${hostUrl}/presence/healthz`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${hostUrl}/presence/other`)).status).toBe(404);
    const user = await hostUser("attach|0", "Zero", `${hostUrl}/presence`);
    expect(await user.http.auth.me.query()).toEqual({ id: "attach|0", username: "Zero" });
  });

  it("takes WebSocket upgrades at its path only: the host's own WebSocket still works", async () => {
    const hostSocket = new WebSocket(`${hostUrl.replace("http", "ws")}/chat`);
    const [greeting] = (await once(hostSocket, "message")) as [Buffer];
    expect(greeting.toString()).toBe("host chat");
    hostSocket.close();
    const stray = new WebSocket(`${hostUrl.replace("http", "ws")}/presence/elsewhere`);
    await expect(once(stray, "open")).rejects.toThrow();
  });

  it("shares the standalone server's database, store and bus: friends on the two see each other live", async () => {
    const { system } = attached.system;
    expect(
      await system.users.upsert({
        users: [
          { id: "attach|ann", name: "Ann" },
          { id: "attach|ben", name: "Ben" },
        ],
      }),
    ).toEqual({
      upserted: 2,
    });
    expect(await system.friends.link({ pairs: [["attach|ann", "attach|ben"]] })).toEqual({ changed: 1 });
    const ann = await hostUser("attach|ann", "Ann", `${hostUrl}/presence`);
    const ben = await hostUser("attach|ben", "Ben", standalone.url);
    const annDevice = await connect(`${hostUrl.replace("http", "ws")}/presence/trpc`, ann, { subscribe: true });
    const benDevice = await connect(standalone.wsUrl, ben);
    expect(await annDevice.feed.nextPresenceOf(ben.id)).toEqual({
      userId: ben.id,
      status: "online",
      message: null,
      lastSeen: null,
      until: null,
      devices: ["web"],
      lastSeenBucket: null,
    });
    await ben.http.presence.setStatus.mutate({ status: "away", message: "on the other server" });
    expect(await annDevice.feed.nextPresenceOf(ben.id)).toMatchObject({ status: "away", message: "on the other server" });
    // And the service token works on the standalone one against the same data.
    expect(await httpClient(standalone.url, TEST_SERVICE_TOKEN).system.presence.reachable.query({ userIds: [ann.id, ben.id] })).toEqual({
      [ann.id]: true,
      [ben.id]: true,
    });
    await annDevice.close();
    await benDevice.close();
  });

  it("refuses a misconfigured identity at once, naming the setting, and leaves the host's server as it was", async () => {
    const database = await createScratchDatabase(process.env.TEST_DATABASE_URL);
    cleanups.push(database.drop);
    const identity = issuer.identity();
    for (const [broken, message] of [
      [{ ...identity, issuer: "" }, /AUTH_ISSUER/],
      [{ ...identity, audience: "" }, /AUTH_AUDIENCE/],
      [{ ...identity, key: "a-shared-secret-of-at-least-thirty-two-bytes" }, /exactly one of AUTH_JWKS_URL .* and AUTH_JWT_KEY/],
    ] as const) {
      await expect(attachHerald(host, { path: "/elsewhere", databaseUrl: database.url, dataDir: null, identity: broken })).rejects.toThrow(
        message,
      );
    }
    expect(await (await fetch(`${hostUrl}/elsewhere/healthz`)).text()).toBe("host:/elsewhere/healthz");
  });

  it("close() hands the server back to the host", async () => {
    await attached.close();
    expect(await (await fetch(`${hostUrl}/presence/healthz`)).text()).toBe("host:/presence/healthz");
    expect(await (await fetch(`${hostUrl}/`)).text()).toBe("host:/");
  });
});
