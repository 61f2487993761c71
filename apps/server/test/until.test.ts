/**
 * docs/protocol.md §9.1 over the wire: statuses and messages that end by themselves (`until`),
 * driven by the server within a second of their end, while the user is connected or not, and
 * across a restart; on PGlite and PostgreSQL.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OwnPresence, PresenceEvent } from "@herald/presence";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { ServerConfig } from "../src/env.js";
import { befriend, connect, databaseFor, errorOf, httpClient, signUp, startTestServer, type Device } from "../src/testing/index.js";
import { DATABASE_KINDS, closeAll, useServer, watch } from "./fixtures.js";

const GRACE_MS = 300;
/** How late an end may reach a friend (docs/protocol.md §9.1). */
const END_WITHIN_MS = 1_000;

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

/** The next `self` event on the device that matches, skipping others (connection counts, …). */
async function nextSelf(device: Device, matches: (own: OwnPresence) => boolean): Promise<OwnPresence> {
  for (;;) {
    const event: PresenceEvent = await device.feed.next();
    if (event.type === "self" && matches(event.presence)) return event.presence;
  }
}

describe.each(DATABASE_KINDS)("until on %s", (kind) => {
  const server = useServer(kind, { offlineGraceMs: GRACE_MS });

  it("a status and message that end: friends see online within a second of the end, own devices too, once", async () => {
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
    const phone = await connect(server.current.wsUrl, alice, { subscribe: true });
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");

    const until = inMs(1_500);
    await alice.http.presence.setStatus.mutate({ status: "dnd", message: "on a call", until });
    expect(await w.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ status: "dnd", message: "on a call", until });
    expect(await nextSelf(phone, (own) => own.status === "dnd")).toMatchObject({ until, messageUntil: until });

    const ended = await w.viewerDevice.feed.nextPresenceOf(alice.id, 5_000);
    const lateMs = Date.now() - Date.parse(until);
    expect(ended).toEqual({
      userId: alice.id,
      status: "online",
      message: null,
      lastSeen: null,
      until: null,
      devices: ["web"],
      lastSeenBucket: null,
    });
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(END_WITHIN_MS);
    console.info(`until: a friend saw the end ${lateMs} ms after it (${kind})`);
    expect(await nextSelf(phone, (own) => own.status === "online")).toMatchObject({ message: null, until: null, messageUntil: null });
    await w.expectNothingElse();
    await closeAll(phone, w.viewerDevice, w.markerDevice);
  });

  it("ends while the user is offline: no friend sees anything, and they come back online", async () => {
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
    await alice.http.presence.setStatus.mutate({ status: "dnd", message: "flying", until: inMs(800) });
    await vi.waitFor(
      async () => expect(await alice.http.presence.me.query()).toMatchObject({ status: "online", message: null, until: null }),
      {
        timeout: 5_000,
        interval: 50,
      },
    );
    await w.expectNothingElse();
    const device = await connect(server.current.wsUrl, alice);
    expect(await w.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ status: "online", message: null, until: null });
    await closeAll(device, w.viewerDevice, w.markerDevice);
  });

  it("a message that ends alone clears; the status keeps its end; friends see the status's end", async () => {
    const alice = await signUp(server.current.url);
    const w = await watch(server.current, [alice]);
    const device = await connect(server.current.wsUrl, alice);
    await w.viewerDevice.feed.nextPresenceOf(alice.id);
    const statusUntil = inMs(3_600_000);
    await alice.http.presence.setStatus.mutate({ status: "away", until: statusUntil });
    expect(await w.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ status: "away", until: statusUntil });
    await alice.http.presence.setStatus.mutate({ message: "brb", until: inMs(500) });
    expect(await w.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ status: "away", message: "brb", until: statusUntil });
    expect(await w.viewerDevice.feed.nextPresenceOf(alice.id, 5_000)).toMatchObject({ status: "away", message: null, until: statusUntil });
    expect(await alice.http.presence.me.query()).toMatchObject({ status: "away", until: statusUntil, messageUntil: null });
    await closeAll(device, w.viewerDevice, w.markerDevice);
  });

  it("refuses an end it cannot keep, naming until", async () => {
    const alice = await signUp(server.current.url);
    const set = (input: { status?: "dnd"; until: string | null }) => errorOf(alice.http.presence.setStatus.mutate(input));
    expect(await set({ status: "dnd", until: inMs(-1_000) })).toEqual({ code: "BAD_REQUEST", message: "until: must be in the future" });
    expect(await set({ status: "dnd", until: inMs(366 * 24 * 3_600_000) })).toEqual({
      code: "BAD_REQUEST",
      message: "until: must be at most a year ahead",
    });
    expect(await set({ status: "dnd", until: "in an hour" })).toEqual({
      code: "BAD_REQUEST",
      message: "until: must be an ISO-8601 instant with an offset or Z",
    });
    expect((await set({ until: inMs(60_000) })).message).toMatch(/^until: your status is online/);
    expect(await alice.http.presence.me.query()).toMatchObject({ status: "online", until: null });
  });
});

describe.each(DATABASE_KINDS)("until across a restart on %s", (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it("an end set before a restart fires after it", async () => {
    const database = await databaseFor(kind);
    cleanups.push(database.drop);
    const config: Partial<ServerConfig> = {
      databaseUrl: database.databaseUrl,
      dataDir: kind === "pglite" ? mkdtempSync(join(tmpdir(), "herald-until-restart-")) : null,
      offlineGraceMs: GRACE_MS,
    };
    const first = await startTestServer(config);
    const alice = await signUp(first.url);
    const bob = await signUp(first.url);
    await befriend(alice, bob);
    const until = inMs(2_500);
    await alice.http.presence.setStatus.mutate({ status: "dnd", message: "back after lunch", until });
    await first.close();
    // Stopped before the end: only the next server can end it.
    expect(Date.now()).toBeLessThan(Date.parse(until));

    const second = await startTestServer(config);
    cleanups.unshift(() => second.close());
    const bobOnSecond = { ...bob, http: httpClient(second.url, bob.token) };
    const aliceOnSecond = { ...alice, http: httpClient(second.url, alice.token) };
    const aliceDevice = await connect(second.wsUrl, aliceOnSecond);
    const bobDevice = await connect(second.wsUrl, bobOnSecond, { subscribe: true });
    await vi.waitFor(
      async () => expect(await bobOnSecond.http.presence.get.query({ userId: alice.id })).toMatchObject({ status: "online", until: null }),
      { timeout: 10_000, interval: 50 },
    );
    expect(await aliceOnSecond.http.presence.me.query()).toMatchObject({
      status: "online",
      message: null,
      until: null,
      messageUntil: null,
    });
    await closeAll(aliceDevice, bobDevice);
  }, 120_000); // two embedded databases on disk start slowly on two busy cores
});
