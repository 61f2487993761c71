/** Shared set-up for the rule suites: one server per database kind per file. */
import { afterAll, beforeAll } from "vitest";
import type { DatabaseKind } from "@herald/db/testing";
import type { PresenceEvent } from "@herald/presence";
import type { ServerConfig } from "../src/env.js";
import {
  befriend,
  connect,
  databaseFor,
  signUp,
  startTestServer,
  type Device,
  type TestServer,
  type TestUser,
} from "../src/testing/index.js";

export const DATABASE_KINDS: DatabaseKind[] = ["pglite", "postgres"];

/** Starts a server for the suite and stops it after; read `.current` inside tests. */
export function useServer(kind: DatabaseKind, overrides: Partial<ServerConfig> = {}): { current: TestServer } {
  const holder = {} as { current: TestServer };
  let drop = async () => {};
  beforeAll(async () => {
    const database = await databaseFor(kind);
    drop = database.drop;
    holder.current = await startTestServer({ databaseUrl: database.databaseUrl, ...overrides });
  });
  afterAll(async () => {
    await holder.current?.close();
    await drop();
  });
  return holder;
}

/**
 * A viewer with a live feed, and a marker friend whose status changes prove that nothing else
 * arrived in between (events about one subscription arrive in order).
 */
export interface Watch {
  viewer: TestUser;
  viewerDevice: Device;
  marker: TestUser;
  markerDevice: Device;
  /** Resolves when every event sent before it has been read; fails if any other event is unread. */
  expectNothingElse(): Promise<void>;
  /** Reads every event up to the marker's, handing all others to `onEvent`. */
  readUntilMarker(onEvent: (event: PresenceEvent) => void): Promise<void>;
}

let markerFlip = false;

export async function watch(server: TestServer, subjects: TestUser[], viewer?: TestUser): Promise<Watch> {
  const theViewer = viewer ?? (await signUp(server.url));
  const marker = await signUp(server.url);
  for (const subject of subjects) await befriend(subject, theViewer);
  await befriend(marker, theViewer);
  const markerDevice = await connect(server.wsUrl, marker);
  const viewerDevice = await connect(server.wsUrl, theViewer, { subscribe: true });
  const result: Watch = {
    viewer: theViewer,
    viewerDevice,
    marker,
    markerDevice,
    async expectNothingElse() {
      await result.readUntilMarker((event) => {
        throw new Error(`expected only the marker's update, got ${JSON.stringify(event)}`);
      });
    },
    async readUntilMarker(onEvent) {
      markerFlip = !markerFlip;
      const status = markerFlip ? "dnd" : "away";
      await marker.http.presence.setStatus.mutate({ status });
      for (;;) {
        const event = await viewerDevice.feed.next();
        if (event.type === "update" && event.presence.userId === marker.id && event.presence.status === status) return;
        onEvent(event);
      }
    },
  };
  return result;
}

export async function closeAll(...devices: Device[]): Promise<void> {
  await Promise.all(devices.map((d) => d.close()));
}
