/**
 * A rolling restart with Redis and two server processes: SIGTERM one, and its clients (told to
 * reconnect, each after its own jittered delay) land on the other; their friends see no flap —
 * proven with the marker technique (test/multi-server/watch.ts): nothing but the marker's event.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import type { AppRouter } from "@herald/presence";
import WebSocket from "ws";
import { presencesIn, signUp, type TestUser } from "../src/testing/index.js";
import { startCluster, type Cluster } from "./multi-server/cluster.js";
import { watchAcross } from "./multi-server/watch.js";

const GRACE_MS = 3_000;

describe("rolling restart", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ count: 2, offlineGraceMs: GRACE_MS });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it("SIGTERM one server: its clients reconnect to the other with jitter, friends see no flap", { timeout: 120_000 }, async () => {
    const [leaving, staying] = cluster.servers as [Cluster["servers"][0], Cluster["servers"][0]];
    const movers: TestUser[] = [];
    for (let i = 0; i < 5; i++) movers.push(await signUp(staying.url));
    const watch = await watchAcross(staying, staying, movers);

    // Each mover's client asks where to connect on every (re)connect, like a client behind a
    // load balancer that stopped routing to the leaving server; its retry delay is jittered.
    let target = leaving.wsUrl;
    const reconnectDelays: number[] = [];
    const clients = movers.map((mover) => {
      const wsClient = createWSClient({
        url: () => target,
        WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
        connectionParams: () => ({ token: mover.token }),
        retryDelayMs: () => {
          const delay = 100 + Math.floor(Math.random() * 400);
          reconnectDelays.push(delay);
          return delay;
        },
      });
      return { wsClient, client: createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] }) };
    });
    await Promise.all(clients.map(({ client }) => client.presence.heartbeat.mutate()));
    // The viewer sees every mover come online (on the leaving server).
    await expect
      .poll(
        async () => (await Promise.all(movers.map((m) => watch.viewer.http.presence.get.query({ userId: m.id })))).map((p) => p.status),
        { timeout: 20_000 },
      )
      .toEqual(movers.map(() => "online"));
    // ...and so does the viewer's feed (one event may carry several of them).
    const online = new Set<string>();
    const deadline = Date.now() + 20_000;
    while (online.size < movers.length) {
      for (const presence of presencesIn(await watch.viewerDevice.feed.next(undefined, Math.max(1, deadline - Date.now())))) {
        if (presence.status === "online" && movers.some((m) => m.id === presence.userId)) online.add(presence.userId);
      }
    }
    await watch.expectNothingElse();

    target = staying.wsUrl;
    const stoppedAt = Date.now();
    await leaving.stop();
    // Every mover is back, on the other server: a heartbeat travels on the socket it keeps alive,
    // and the leaving one is gone. (Its handed-over registrations still count in `connections`
    // until their TTL: docs/protocol.md §4.)
    // (tRPC fails a call made while its socket is down, so each is retried until it goes through.)
    const heartbeatGoesThrough = () =>
      Promise.all(clients.map(({ client }) => client.presence.heartbeat.mutate())).then(
        () => true,
        () => false,
      );
    await expect.poll(heartbeatGoesThrough, { timeout: 20_000 }).toBe(true);
    const movedInMs = Date.now() - stoppedAt;
    for (const mover of movers) expect((await mover.http.presence.me.query()).connections).toBeGreaterThanOrEqual(1);
    expect(reconnectDelays.length).toBeGreaterThanOrEqual(movers.length);

    // Wait out the grace the leaving server started for each of them: had anyone been settled
    // offline, the viewer would have an event about them before the marker's.
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 1_500));
    await watch.expectNothingElse();
    for (const mover of movers) expect((await watch.viewer.http.presence.get.query({ userId: mover.id })).status).toBe("online");
    console.log(
      `rolling restart: ${movers.length} clients moved to the other server within ${movedInMs} ms of SIGTERM; friends saw nothing`,
    );

    await Promise.all(clients.map(({ wsClient }) => wsClient.close()));
    await watch.close();
  });
});
