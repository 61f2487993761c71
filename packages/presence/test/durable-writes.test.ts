/**
 * Durable presence written from several servers at once: one compare-and-set statement per
 * change, rows remembered between changes. Two `PresenceService`s stand for two servers; they
 * share a database and one live store and bus, as servers share PostgreSQL and Redis.
 */
import { users, userPresence, type DatabaseHandle } from "@herald/db";
import { createTestDatabase, type DatabaseKind } from "@herald/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryPresenceBus, MemoryPresenceStore } from "../src/index.js";
import { silentLogger } from "../src/logger.js";
import { createDurable, DurablePresenceRepo } from "../src/repo/presence-repo.js";
import { PresenceService } from "../src/service/presence-service.js";
import { OFFLINE_LIVE_PRESENCE } from "../src/types.js";

describe.each<DatabaseKind>(["pglite", "postgres"])("durable writes on %s", (kind) => {
  let database: DatabaseHandle;
  let serverA: PresenceService;
  let serverB: PresenceService;
  let sequence = 0;
  let storeOf: () => MemoryPresenceStore;
  let busOf: () => MemoryPresenceBus;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const store = new MemoryPresenceStore({ presenceTtlMs: 60_000, offlineGraceMs: 60_000 });
    const bus = new MemoryPresenceBus();
    storeOf = () => store;
    busOf = () => bus;
    const service = () => new PresenceService({ db: database.db, store, bus, log: silentLogger });
    serverA = service();
    serverB = service();
  });
  afterAll(async () => {
    await serverA.close();
    await serverB.close();
    await database.close();
  });

  async function newUser(): Promise<string> {
    const [user] = await database.db
      .insert(users)
      .values({ username: `durable_${kind}_${++sequence}`, passwordHash: "not-a-real-hash" })
      .returning();
    await createDurable(database.db, user!.id);
    return user!.id;
  }

  async function revisionOf(userId: string): Promise<number> {
    const [row] = await database.db.select().from(userPresence).where(eq(userPresence.userId, userId));
    return row!.revision;
  }

  it("never overwrites another server's change with a row it remembered from before", async () => {
    const id = await newUser();
    await serverA.changeChoice(id, { message: "first, on A" });
    await serverB.changeChoice(id, { status: "dnd" });
    // A still remembers the row as it wrote it; its next write must start from B's.
    await serverA.changeChoice(id, { message: "again, on A" });
    for (const server of [serverA, serverB]) {
      expect(await server.loadState(id)).toMatchObject({ status: "dnd", message: "again, on A" });
    }
    expect(await revisionOf(id)).toBe(3);
  });

  it("reads back every field as written, hostile strings included, on a server that never read the row", async () => {
    const id = await newUser();
    const friend = await newUser();
    const hostile = `it's \\ "quoted" \\' ; drop table users; -- $1 {a,b} 😀`;
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await serverA.changeChoice(id, { status: "dnd", message: hostile, until, visibleTo: [friend] });
    const written = await serverA.changeLastSeenPrivacy(id, "nobody", { [friend]: "approximate" });
    const fresh = new PresenceService({ db: database.db, store: storeOf(), bus: busOf(), log: silentLogger });
    const read = await fresh.loadState(id);
    await fresh.close();
    const fields = [
      "userId",
      "status",
      "message",
      "statusUntil",
      "messageUntil",
      "visibleTo",
      "lastSeenLevel",
      "lastSeenExceptions",
      "lastSeen",
      "lastSeenBy",
      "lastDisconnectedAt",
      "fades",
    ] as const;
    const durableFields = (state: typeof read) => Object.fromEntries(fields.map((field) => [field, state[field]]));
    expect(durableFields(read)).toEqual(durableFields(written));
    expect(read).toMatchObject({ status: "dnd", message: hostile, statusUntil: until, visibleTo: [friend] });
  });

  it("reads the newer row once another server's change was published, not the one it remembers", async () => {
    const id = await newUser();
    await serverA.changeChoice(id, { status: "away", message: "remembered by A" });
    expect(await serverA.loadState(id)).toMatchObject({ status: "away" });
    await serverB.changeChoice(id, { status: "dnd", message: "written by B" });
    expect(await serverA.loadState(id)).toMatchObject({ status: "dnd", message: "written by B" });
  });

  it("loses no write when servers change the same user at the same moment", async () => {
    const owner = await newUser();
    const viewers = await Promise.all(Array.from({ length: 12 }, () => newUser()));
    await serverA.changeChoice(owner, { status: "invisible", visibleTo: viewers });
    // Each unfriending removes one viewer from the owner's allow-list: a read-modify-write. Half
    // run on each server, all at once; a lost update would leave some viewer on the list.
    await Promise.all(viewers.map((viewer, i) => (i % 2 === 0 ? serverA : serverB).forgetEachOther(owner, viewer)));
    for (const server of [serverA, serverB]) expect((await server.loadState(owner)).visibleTo).toEqual([]);
    expect(await revisionOf(owner)).toBe(1 + viewers.length);
  });

  it("writes the changes of many users made at the same moment, each to its own row", async () => {
    const ids = await Promise.all(Array.from({ length: 60 }, () => newUser()));
    const messages = ids.map((_, i) => `batch message ${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 === 0 ? serverA : serverB).changeChoice(id, { status: "dnd", message: messages[i]! })));
    const states = await serverB.loadStates(ids);
    expect(ids.map((id) => states.get(id)?.message)).toEqual(messages);
    expect(ids.map((id) => states.get(id)?.status)).toEqual(ids.map(() => "dnd"));
  });

  it("gives every snapshot of an unchanged user the same state, and a new one once a live fact changes", async () => {
    const id = await newUser();
    await serverA.changeChoice(id, { status: "away" });
    const before = await serverA.loadState(id);
    // The same object: feeds then share its views instead of holding one copy per viewer.
    expect(await serverA.loadState(id)).toBe(before);
    await serverA.connect({ userId: id, connectionId: `tab-${id}` });
    expect(await serverA.loadState(id)).toMatchObject({ status: "away", online: true, connections: 1 });
    expect(before).toMatchObject({ online: false, connections: 0 });
  });

  it("stores every field of a change exactly as made, read back alike by another server", async () => {
    const id = await newUser();
    const [kept, dropped] = [await newUser(), await newUser()];
    const message = `it's "quoted", {braced}, \\ and ünïcode`;
    await serverA.connect({ userId: id, connectionId: `tab-${id}` });
    // One change at a time: each is a lone write (the one-row statement).
    await serverA.changeChoice(id, { status: "invisible", message, visibleTo: [kept, dropped] });
    await serverA.changeChoice(id, { visibleTo: [kept] });
    const [row] = await database.db.select().from(userPresence).where(eq(userPresence.userId, id));
    expect(row).toMatchObject({ status: "invisible", message, visibleTo: [kept], revision: 2 });
    expect(row!.lastSeen).toBeInstanceOf(Date);
    expect(Object.keys(row!.lastSeenBy)).toEqual([dropped]);
    const written = await serverA.loadState(id);
    expect(await serverB.loadState(id)).toEqual(written);
  });

  it("after the live store lost its data, reads a row once rather than on every snapshot, until a change is published", async () => {
    const id = await newUser();
    await serverA.changeChoice(id, { status: "away", message: "before the loss" });
    // A live store that restarted empty (its durable revisions back to 0), and a server using it.
    const emptied = new MemoryPresenceStore({ presenceTtlMs: 60_000, offlineGraceMs: 60_000 });
    const serverC = new PresenceService({ db: database.db, store: emptied, bus: busOf(), log: silentLogger });
    const serverD = new PresenceService({ db: database.db, store: emptied, bus: busOf(), log: silentLogger });
    try {
      expect(await serverC.loadState(id)).toMatchObject({ status: "away", message: "before the loss" });
      // A write that was never published (its server died first): a server that read the row
      // again on every snapshot would see it; one that trusts its read until a publish does not.
      await database.db
        .update(userPresence)
        .set({ message: "never published", revision: (await revisionOf(id)) + 1 })
        .where(eq(userPresence.userId, id));
      expect(await serverC.loadState(id)).toMatchObject({ message: "before the loss" });
      // A published change moves the store's revision: the row is read again.
      await serverD.changeChoice(id, { status: "dnd" });
      expect(await serverC.loadState(id)).toMatchObject({ status: "dnd", message: "never published" });
    } finally {
      await serverC.close();
      await serverD.close();
    }
  });

  it("reads again a row it remembered when the live store, having lost its data, reports an older revision", async () => {
    const id = await newUser();
    const repo = new DurablePresenceRepo(database.db);
    const storeSays = (durableRevision: number) => new Map([[id, { ...OFFLINE_LIVE_PRESENCE, durableRevision }]]);
    await serverA.changeChoice(id, { message: "one" });
    expect((await repo.currentFor(storeSays(1))).get(id)).toMatchObject({ message: "one" });
    await serverA.changeChoice(id, { message: "two" });
    // Published as revision 2, then the store emptied (a Redis restarted without its data).
    expect((await repo.currentFor(storeSays(0))).get(id)).toMatchObject({ message: "two" });
  });

  it("makes the missing row of an existing user instead of failing", async () => {
    const id = await newUser();
    await database.db.delete(userPresence).where(eq(userPresence.userId, id));
    const state = await serverA.changeChoice(id, { status: "away" });
    expect(state).toMatchObject({ status: "away" });
    expect(await revisionOf(id)).toBe(1);
  });
});
