/**
 * docs/protocol.md §9.1 on two real server processes on one PostgreSQL and one Redis: every server
 * looks for ends, exactly one writes each (the row's revision moves once, the end is published
 * once), and an end still fires when the server that took the `setStatus` is killed.
 */
import type { OwnPresence, PresenceEvent } from "@herald/presence";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { connect, httpClient, signUp, type Device } from "../../src/testing/index.js";
import { reportServerLogsOnFailure, useCluster, type ServerProcess } from "./cluster.js";
import { closeAll, watchAcross } from "./watch.js";

/** How late an end may reach a friend (docs/protocol.md §9.1). */
const END_WITHIN_MS = 1_000;

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Every `self` presence the device was sent. */
const selves = (device: Device): OwnPresence[] =>
  device.feed.all.flatMap((event: PresenceEvent) => (event.type === "self" ? [event.presence] : []));

describe("until on two servers", () => {
  const cluster = useCluster({ count: 2, offlineGraceMs: 500 });
  reportServerLogsOnFailure(cluster);
  const servers = () => cluster.current.servers as [ServerProcess, ServerProcess];
  let sql: postgres.Sql;
  afterAll(async () => {
    await sql?.end();
  });
  const revisionOf = async (userId: string): Promise<number> => {
    sql ??= postgres(cluster.current.databaseUrl, { max: 1, onnotice: () => {} });
    const [row] = await sql<Array<{ revision: number }>>`select revision from user_presence where user_id = ${userId}`;
    return row!.revision;
  };

  it("both servers look for the end; it is written once and published once, within a second", async () => {
    const [a, b] = servers();
    const alice = await signUp(a.url);
    const w = await watchAcross(b, a, [alice]);
    const onA = await connect(a.wsUrl, alice, { subscribe: true });
    const onB = await connect(b.wsUrl, alice, { subscribe: true });
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");

    const until = inMs(1_500);
    await alice.http.presence.setStatus.mutate({ status: "dnd", message: "in a meeting", until });
    const revisionOfSet = await revisionOf(alice.id);
    expect(await w.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ status: "dnd", until });
    const ended = await w.viewerDevice.feed.nextPresenceOf(alice.id, 5_000);
    const lateMs = Date.now() - Date.parse(until);
    expect(ended).toMatchObject({ status: "online", message: null, until: null });
    expect(lateMs).toBeLessThan(END_WITHIN_MS);
    console.info(`until on two servers: a friend saw the end ${lateMs} ms after it`);

    // A change after the end, on A: once every device has it, everything before it has arrived.
    await alice.http.presence.setStatus.mutate({ message: "marker" });
    for (const device of [onA, onB]) {
      while (!selves(device).some((own) => own.message === "marker")) await device.feed.next();
      const ends = selves(device).filter((own, i, all) => own.status === "online" && all[i - 1]?.status === "dnd");
      expect(ends).toHaveLength(1);
      expect(ends[0]).toMatchObject({ message: null, until: null, messageUntil: null });
    }
    expect(await revisionOf(alice.id)).toBe(revisionOfSet + 2); // the end, then the marker: nothing else
    expect(await w.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ status: "online", message: "marker" });
    await w.expectNothingElse(); // the viewer got the end once, then the marker message: nothing else
    await closeAll(onA, onB, w);
  });

  it("fires when the server that took the setStatus was killed", async () => {
    const [a, b] = servers();
    const alice = await signUp(b.url);
    const w = await watchAcross(b, b, [alice]);
    const device = await connect(b.wsUrl, alice);
    expect((await w.viewerDevice.feed.nextPresenceOf(alice.id)).status).toBe("online");

    const until = inMs(2_000);
    await httpClient(a.url, alice.token).presence.setStatus.mutate({ status: "dnd", message: "do not call", until });
    expect(await w.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ status: "dnd", message: "do not call", until });
    await a.crash();
    expect(Date.now()).toBeLessThan(Date.parse(until)); // A died before the end: B alone ends it

    const ended = await w.viewerDevice.feed.nextPresenceOf(alice.id, 5_000);
    const lateMs = Date.now() - Date.parse(until);
    expect(ended).toMatchObject({ status: "online", message: null, until: null });
    expect(lateMs).toBeLessThan(END_WITHIN_MS);
    await w.expectNothingElse();
    await closeAll(device, w);
  });
});
