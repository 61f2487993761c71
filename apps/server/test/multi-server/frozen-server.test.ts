/**
 * The server process itself stops running for longer than the TTL (a paused VM, a debugger, a
 * machine that slept) while its clients wait, connected. When it runs again its timers fire
 * before it reads what the clients sent meanwhile: judged by the clock alone, every socket has
 * been silent past the TTL and past its ping's deadline. The clients did nothing wrong; the
 * server must not close their sockets or show anyone offline to friends (docs/protocol.md §2
 * rule 7). One embedded server process (PGlite, in-memory store).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { befriend, connect, signUp, type Device } from "../../src/testing/index.js";
import { seen, statusesSeen } from "./presence-view.js";
import { startServerProcess, testServerEnv, type ServerProcess } from "./cluster.js";

const TTL_SECONDS = 2;
/** Past the TTL and every keep-alive deadline, with room to spare. */
const FROZEN_MS = TTL_SECONDS * 1000 * 2;

describe("a server process that stops running for longer than the TTL", () => {
  let server: ServerProcess;
  let dataDir: string;
  const devices: Device[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "herald-frozen-"));
    server = await startServerProcess("frozen", { ...testServerEnv({ presenceTtlMs: TTL_SECONDS * 1000 }), DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await Promise.allSettled(devices.map((d) => d.close()));
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps every socket and shows nobody offline once it runs again", async () => {
    const viewer = await signUp(server.url);
    const alice = await signUp(server.url);
    await befriend(alice, viewer);
    const aliceDevice = await connect(server.wsUrl, alice);
    devices.push(aliceDevice);
    const viewerDevice = await connect(server.wsUrl, viewer, { subscribe: true });
    devices.push(viewerDevice);
    await seen(viewerDevice, alice.id, "online");
    const firstEvent = viewerDevice.feed.all.length;

    server.freeze();
    try {
      await new Promise((resolve) => setTimeout(resolve, FROZEN_MS));
    } finally {
      server.thaw();
    }
    // Through Alice's own socket: it must still be the one the server counted before.
    await aliceDevice.client.presence.setStatus.mutate({ status: "dnd" });
    await seen(viewerDevice, alice.id, "dnd");
    // A TTL and more later, both sockets are still live and heard (the keep-alive's pings answered).
    await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 * 1.5));
    await aliceDevice.client.presence.setStatus.mutate({ status: "online" });
    await seen(viewerDevice, alice.id, "online");

    const events = viewerDevice.feed.all.slice(firstEvent);
    expect(statusesSeen(viewerDevice, alice.id, firstEvent)).toEqual(["dnd", "online"]);
    // A closed socket would have made the viewer's client subscribe again: a second snapshot.
    expect(events.filter((e) => e.type === "snapshot")).toEqual([]);
    expect((await aliceDevice.client.presence.me.query()).connections).toBe(1);
    expect(server.output()).not.toMatch(/went silent/);
  });
});
