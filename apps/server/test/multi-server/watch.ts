/**
 * The marker technique of test/fixtures.ts `watch()`, spread over servers: the viewer subscribes
 * on one server while the marker lives on another. Redis delivers the messages of all channels
 * to a server in the order they were published, so when the marker's change arrives, any event
 * caused earlier (on any server) has arrived before it. On a Redis Cluster that holds only for
 * channels on the marker's shard: other shards reach a server over other connections, so there
 * "nothing else" means nothing else within the marker's round trip (a weaker check).
 */
import type { PresenceEvent } from "@herald/presence";
import { befriend, connect, signUp, type Device, type TestUser } from "../../src/testing/index.js";
import type { ServerProcess } from "./cluster.js";

export interface CrossWatch {
  viewer: TestUser;
  viewerDevice: Device;
  marker: TestUser;
  markerDevice: Device;
  /** Resolves when every event sent before it has been read; fails if any other event is unread. */
  expectNothingElse(): Promise<void>;
  close(): Promise<void>;
}

let markerFlip = false;

/** `viewer` subscribes on `viewerServer`; the marker connects and changes status on `markerServer`. */
export async function watchAcross(
  viewerServer: ServerProcess,
  markerServer: ServerProcess,
  subjects: TestUser[],
  viewer?: TestUser,
): Promise<CrossWatch> {
  const theViewer = viewer ?? (await signUp(viewerServer.url));
  const marker = await signUp(markerServer.url);
  for (const subject of subjects) await befriend(subject, theViewer);
  await befriend(marker, theViewer);
  const markerDevice = await connect(markerServer.wsUrl, marker);
  const viewerDevice = await connect(viewerServer.wsUrl, theViewer, { subscribe: true });
  return {
    viewer: theViewer,
    viewerDevice,
    marker,
    markerDevice,
    async expectNothingElse() {
      markerFlip = !markerFlip;
      const status = markerFlip ? "dnd" : "away";
      await marker.http.presence.setStatus.mutate({ status });
      const event: PresenceEvent = await viewerDevice.feed.next();
      if (event.type === "update" && event.presence.userId === marker.id && event.presence.status === status) return;
      throw new Error(`expected only the marker's update, got ${JSON.stringify(event)}`);
    },
    async close() {
      await Promise.all([viewerDevice.close(), markerDevice.close()]);
    },
  };
}

export async function closeAll(...devices: Array<Device | CrossWatch>): Promise<void> {
  await Promise.all(devices.map((d) => d.close()));
}
