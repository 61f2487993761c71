/**
 * Rule 7 on the embedded default (PGlite, the in-memory store): the live store dies with its
 * process, so the next server settles the users the dead one vouched were connected to it (last
 * seen its last word), and a server that stops cleanly leaves nothing to settle. Each app here has
 * its own store, as each process would; the first one "dies" by stopping as a hand-over does,
 * which records nothing, as a kill records nothing.
 */
import { liveVouches, liveVouchUsers, openDatabase, userPresence, users, type DatabaseHandle } from "@herald/db";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCaller, createHeraldApp, MemoryPresenceBus, MemoryPresenceStore, type HeraldApp, type Logger } from "../src/index.js";
import { silentLogger } from "../src/logger.js";

describe("servers whose live presence is in their own memory", () => {
  let database: DatabaseHandle;
  const apps: HeraldApp[] = [];
  /** A server process on the embedded database (or on a shared one, not `sole`): its own store and bus. */
  const startServer = ({ sole = true, log = silentLogger }: { sole?: boolean; log?: Logger } = {}) => {
    const app = createHeraldApp({
      db: database.db,
      store: new MemoryPresenceStore({ presenceTtlMs: 2_000 }), // vouches every 0.5 s
      bus: new MemoryPresenceBus(),
      authSecret: "crash-vouches-test-secret",
      rateLimits: false,
      passwordHashing: { params: { N: 1024, r: 8, p: 1 } },
      soleDatabaseWriter: sole,
      log,
    });
    apps.push(app);
    return app;
  };
  /** The word of a server that names all of `userIds`. */
  const vouchesNaming = async (userIds: string[]) => {
    const rows = await database.db
      .select({ word: liveVouches, userId: liveVouchUsers.userId })
      .from(liveVouches)
      .leftJoin(liveVouchUsers, eq(liveVouchUsers.serverId, liveVouches.serverId));
    const words = new Map<string, { word: (typeof rows)[number]["word"]; named: Set<string> }>();
    for (const { word, userId } of rows) {
      const entry = words.get(word.serverId) ?? { word, named: new Set<string>() };
      if (userId !== null) entry.named.add(userId);
      words.set(word.serverId, entry);
    }
    return [...words.values()].find(({ named }) => userIds.every((id) => named.has(id)))?.word;
  };
  const lastSeenOf = async (app: HeraldApp, userId: string) => (await app.service.loadState(userId)).lastSeen;

  beforeEach(async () => {
    database = await openDatabase({ dataDir: null });
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close({ settleGraces: true });
    await database.close();
  });

  async function connectedUsers(app: HeraldApp) {
    const signUp = async (username: string) => (await createCaller(app, null).auth.signUp({ username, password: "password123" })).user;
    const alice = await signUp(`vouch_alice_${Date.now()}`);
    const carol = await signUp(`vouch_carol_${Date.now()}`);
    await createCaller(app, carol.id).presence.setStatus({ status: "invisible" });
    await app.connections.open(alice.id, () => {});
    await app.connections.open(carol.id, () => {});
    return { alice, carol };
  }

  it("one killed is settled by the next at its start: last seen its last word, an invisible user's frozen", async () => {
    const first = startServer();
    const { alice, carol } = await connectedUsers(first);
    await expect.poll(() => vouchesNaming([alice.id, carol.id])).toBeDefined();
    await first.close({ settleGraces: false, handOverConnections: true }); // records nothing, as a kill
    const lastWord = (await vouchesNaming([alice.id, carol.id]))!.vouchedAt.toISOString();
    expect(await lastSeenOf(first, alice.id)).toBeNull();

    const second = startServer();
    await expect.poll(() => lastSeenOf(second, alice.id)).toBe(lastWord);
    expect(await lastSeenOf(second, carol.id)).toBeNull();
    expect(await vouchesNaming([alice.id])).toBeUndefined();
  });

  it("one killed after a connect storm has named every user, a statement at a time, and each is settled", async () => {
    const ids = Array.from({ length: 601 }, (_, i) => `storm_${i}_${Date.now()}`);
    await database.db.insert(users).values(ids.map((id) => ({ id, username: id })));
    await database.db.insert(userPresence).values(ids.map((userId) => ({ userId })));
    const first = startServer();
    await Promise.all(ids.map((id) => first.connections.open(id, () => {})));
    await expect.poll(() => vouchesNaming(ids), { timeout: 10_000 }).toBeDefined();
    await first.close({ settleGraces: false, handOverConnections: true });
    const lastWord = (await vouchesNaming(ids))!.vouchedAt.toISOString();

    const second = startServer();
    // ~0.2 s alone; in CI, beside the suite's other files, it once took past the default 1 s.
    await expect.poll(() => lastSeenOf(second, ids.at(-1)!), { timeout: 10_000 }).toBe(lastWord);
    const settled = await second.service.loadStates(ids);
    expect(new Set([...settled.values()].map((state) => state.lastSeen))).toEqual(new Set([lastWord]));
  });

  it("one that stopped cleanly leaves no word: last seen is its stop, not the last sweep", async () => {
    const first = startServer();
    const { alice } = await connectedUsers(first);
    await expect.poll(() => vouchesNaming([alice.id])).toBeDefined();
    await first.close({ settleGraces: true });
    const recorded = await lastSeenOf(first, alice.id);
    expect(recorded).not.toBeNull();
    expect(await database.db.select().from(liveVouches)).toEqual([]);

    const second = startServer();
    // Its first round settles what it finds, then writes its own word.
    await expect.poll(() => vouchesNaming([])).toBeDefined();
    await second.close({ settleGraces: true });
    expect(await lastSeenOf(second, alice.id)).toBe(recorded);
  });

  it("two alive on one database are a misconfiguration: the newcomer says so once, and nobody is settled", async () => {
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (_context, message) => warnings.push(message) };
    const first = startServer({ sole: false });
    const { alice } = await connectedUsers(first);
    await expect.poll(() => vouchesNaming([alice.id])).toBeDefined();
    startServer({ sole: false, log });
    await expect.poll(() => warnings).toEqual([expect.stringContaining("give every server the same REDIS_URL")]);
    // Rounds go on (its own word moves), and it is not said again.
    const firstServer = (await vouchesNaming([alice.id]))!.serverId;
    const ownWord = async () =>
      (await database.db.select().from(liveVouches)).find((row) => row.serverId !== firstServer)?.vouchedAt.getTime();
    await expect.poll(ownWord).toBeDefined();
    const said = (await ownWord())!;
    await expect.poll(ownWord).toBeGreaterThan(said);
    expect(warnings).toHaveLength(1);
    expect(await lastSeenOf(first, alice.id)).toBeNull();
    expect(await vouchesNaming([alice.id])).toBeDefined();
  });
});
