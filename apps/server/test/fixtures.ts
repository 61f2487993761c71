/** Shared set-up for the rule suites: one server per database kind per file. */
import { afterAll, beforeAll } from "vitest";
import type { DatabaseKind } from "@herald/db/testing";
import type { PresenceEvent, VisiblePresence } from "@herald/presence";
import type { ServerConfig } from "../src/env.js";
import {
  connect,
  databaseFor,
  heraldPeople,
  HostIssuer,
  hostPeople,
  startTestServer,
  TEST_SERVICE_TOKEN,
  type Device,
  type People,
  type TestServer,
  type TestUser,
} from "../src/testing/index.js";

export const DATABASE_KINDS: DatabaseKind[] = ["pglite", "postgres"];

export interface ServerHolder {
  current: TestServer;
  /** Where its users and friendships come from (Herald's accounts unless `identity: "host"`). */
  people: People;
}

/**
 * Starts a server for the suite and stops it after; read `.current` and `.people` inside tests.
 * `identity: "host"`: the host's JWTs (from a JWKS served by a test issuer) and the host's
 * friendships alone (FRIENDS=host, `system.friends.*` with the service token).
 */
export function useServer(kind: DatabaseKind, overrides: Partial<ServerConfig> = {}, identity: "herald" | "host" = "herald"): ServerHolder {
  const holder = {} as ServerHolder;
  let drop = async () => {};
  let issuer: HostIssuer | null = null;
  beforeAll(async () => {
    const database = await databaseFor(kind);
    drop = database.drop;
    if (identity === "host") issuer = await HostIssuer.start();
    const hostConfig = issuer ? { identity: issuer.identity(), friendSource: "host" as const, serviceToken: TEST_SERVICE_TOKEN } : {};
    holder.current = await startTestServer({ databaseUrl: database.databaseUrl, ...hostConfig, ...overrides });
    holder.people = issuer ? hostPeople(holder.current, issuer) : heraldPeople(holder.current);
  });
  afterAll(async () => {
    await holder.current?.close();
    await issuer?.close();
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

export async function watch(
  server: TestServer,
  subjects: TestUser[],
  viewer?: TestUser,
  people: People = heraldPeople(server),
): Promise<Watch> {
  const theViewer = viewer ?? (await people.newUser());
  const marker = await people.newUser();
  for (const subject of subjects) await people.befriend(subject, theViewer);
  await people.befriend(marker, theViewer);
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
      const isMarker = (p: VisiblePresence) => p.userId === marker.id && p.status === status;
      for (;;) {
        const event = await viewerDevice.feed.next();
        if (event.type === "update" && isMarker(event.presence)) return;
        // The marker may leave in one `updates` with what came just before it (a friend's
        // arrival waits for the next change: docs/protocol.md §3.3); those are read as events
        // of their own, as they would have come alone.
        if (event.type === "updates" && event.presences.some(isMarker)) {
          const others = event.presences.filter((p) => !isMarker(p));
          if (others.length === 1) onEvent({ type: "update", presence: others[0]! });
          else if (others.length > 1) onEvent({ type: "updates", presences: others });
          return;
        }
        onEvent(event);
      }
    },
  };
  return result;
}

export async function closeAll(...devices: Device[]): Promise<void> {
  await Promise.all(devices.map((d) => d.close()));
}
