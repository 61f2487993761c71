/**
 * The Redis store and bus against the shared contract, on one Redis and on a Redis Cluster of
 * three masters that this file starts, plus what only Redis can get wrong: several servers
 * racing on the same users, the reap index, and pub/sub across a Redis restart. On the shared
 * Redis each instance gets a random key prefix, so tests share it without seeing each other.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BusMessage } from "../src/bus/types.js";
import {
  connectRedis,
  connectRedisCluster,
  createRedisPresence,
  RedisPresenceBus,
  RedisKeys,
  RedisPresenceStore,
  slotOf,
  type RedisClient,
} from "../src/redis/index.js";
import type { PresenceStoreOptions } from "../src/store/types.js";
import { isStoreUnavailable } from "../src/store/unavailable.js";
import {
  deleteKeysWithPrefix,
  freePort,
  presenceBusContract,
  presenceStoreContract,
  RedisCluster,
  RedisServer,
  StoreClock,
} from "../src/testing/index.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const TTL = 60_000;
const GRACE = 5_000;

const newPrefix = () => `herald-test-${randomUUID()}`;
const ref = (userId: string, connectionId: string = randomUUID()) => ({ userId, connectionId });

/** This file's own cluster: started before its first test, gone after its last. */
let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await RedisCluster.start({ masters: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

/** Where the store and bus under test run, and how a test leaves no keys behind there. */
interface Topology {
  name: string;
  connect(): Promise<RedisClient>;
  /** Deletes a prefix's keys (the shared Redis outlives the tests; the cluster does not). */
  forget(client: RedisClient, prefix: string): Promise<void>;
}

const TOPOLOGIES: Topology[] = [
  { name: "one Redis", connect: () => connectRedis(REDIS_URL), forget: (client, prefix) => deleteKeysWithPrefix(client as Redis, prefix) },
  { name: "Redis Cluster, 3 masters", connect: () => connectRedisCluster(cluster.seeds), forget: async () => {} },
];

/** Things a test opened; closed after it, whatever happened. */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

for (const topology of TOPOLOGIES) {
  /** A store that deletes its keys on close. */
  const makeStore = async (prefix = newPrefix(), options: PresenceStoreOptions = {}): Promise<RedisPresenceStore> => {
    const client = await topology.connect();
    const store = new RedisPresenceStore(client, { prefix, ...options });
    const close = store.close.bind(store);
    store.close = async () => {
      await topology.forget(client, prefix);
      await close();
    };
    return store;
  };

  const busPrefixes = new WeakMap<RedisPresenceBus, string>();
  const makeBus = async (prefix = newPrefix()): Promise<RedisPresenceBus> => {
    const bus = new RedisPresenceBus(await topology.connect(), { prefix });
    busPrefixes.set(bus, prefix);
    return bus;
  };

  presenceStoreContract(`redis (${topology.name})`, (options) => makeStore(newPrefix(), options));
  presenceBusContract(
    `redis (${topology.name})`,
    () => makeBus(),
    async (first) => makeBus(busPrefixes.get(first as RedisPresenceBus)),
  );

  const openStores = async (count: number, options: PresenceStoreOptions = {}): Promise<RedisPresenceStore[]> => {
    const prefix = newPrefix();
    const settings = { presenceTtlMs: TTL, offlineGraceMs: GRACE, ...options };
    const stores = await Promise.all(Array.from({ length: count }, () => makeStore(prefix, settings)));
    for (const store of stores) cleanups.push(() => store.close());
    return stores;
  };

  describe(`RedisPresenceStore across servers (${topology.name})`, () => {
    it("settles each user exactly once when two servers reap at the same moment", async () => {
      const clock = new StoreClock(TTL);
      const [a, b] = await openStores(2, { now: clock.now });
      const crashed = Array.from({ length: 40 }, () => randomUUID());
      const abandoned = Array.from({ length: 40 }, () => randomUUID());
      for (const id of crashed) await clock.expiringIn(50, () => a!.connect(ref(id)));
      for (const id of abandoned) {
        const conn = ref(id);
        await a!.connect(conn);
        await a!.disconnect(conn, new Date());
      }
      const later = new Date(Date.now() + 120_000);
      const [fromA, fromB] = await Promise.all([a!.reap(later), b!.reap(later)]);
      const settled = [...fromA, ...fromB].map((s) => s.userId).sort();
      expect(settled).toEqual([...crashed, ...abandoned].sort());
      expect(await Promise.all([a!.reap(later), b!.reap(later)])).toEqual([[], []]);
    });

    it("lets exactly one of two servers settle a grace", async () => {
      const [a, b] = await openStores(2);
      for (let i = 0; i < 20; i++) {
        const id = randomUUID();
        const conn = ref(id);
        await a!.connect(conn);
        await a!.disconnect(conn, new Date());
        const results = await Promise.all([a!.settleOffline(id), b!.settleOffline(id)]);
        expect(results.filter((r) => r !== null)).toHaveLength(1);
      }
    });

    it("sees one server's changes from another, with versions only growing", async () => {
      const [a, b] = await openStores(2);
      const id = randomUUID();
      const first = await a!.connect(ref(id, "x"));
      const second = await b!.connect(ref(id, "y"));
      expect(second).toMatchObject({ online: true, connections: 2 });
      expect(second.version).toBeGreaterThan(first.version);
      expect((await a!.getLive([id])).get(id)).toEqual(second);
    });

    it("keeps watching a user whose connection was refreshed after the reaper looked", async () => {
      const clock = new StoreClock(10_000);
      const [store] = await openStores(1, { presenceTtlMs: 10_000, now: clock.now });
      const id = randomUUID();
      const start = Date.now();
      await clock.expiringIn(50, () => store!.connect(ref(id, "a")));
      await store!.refresh([ref(id, "a")]);
      // Due by its first expiry, alive by its refresh: the reaper must reschedule, not forget it.
      expect(await store!.reap(new Date(start + 1_000))).toEqual([]);
      const reaped = await store!.reap(new Date(start + 20_000));
      expect(reaped.map((r) => r.userId)).toEqual([id]);
    });

    it("grants the grace to a clean last disconnect even after a crashed sibling expired", async () => {
      const clock = new StoreClock(TTL);
      const [store] = await openStores(1, { now: clock.now });
      const id = randomUUID();
      const start = Date.now();
      await clock.expiringIn(1_000, () => store!.connect(ref(id, "dies-with-its-server")));
      await store!.connect(ref(id, "closes-cleanly"));
      const closedAt = new Date(start + 5_000);
      await store!.disconnect(ref(id, "closes-cleanly"), closedAt);
      // The sibling's expiry is reaped, but the user left cleanly later: the grace still holds.
      expect(await store!.reap(new Date(start + 8_000))).toEqual([]);
      expect((await store!.getLive([id])).get(id)).toMatchObject({ online: true, connections: 0 });
      const [settled] = await store!.reap(new Date(start + 11_000));
      expect(settled?.lastConnectedAt).toBe(closedAt.toISOString());
    });

    it("refreshes many connections in one call and ignores ones already gone", async () => {
      const clock = new StoreClock(TTL);
      const [store] = await openStores(1, { now: clock.now });
      const ids = Array.from({ length: 100 }, () => randomUUID());
      for (const id of ids) await clock.expiringIn(50, () => store!.connect(ref(id, "c")));
      await store!.refresh([...ids.map((id) => ref(id, "c")), ref(randomUUID(), "never-connected")]);
      expect(await store!.reap(new Date(Date.now() + 10_000))).toEqual([]);
      const live = await store!.getLive(ids);
      expect([...live.values()].every((l) => l.online && l.connections === 1)).toBe(true);
    });

    it("lets the event loop turn while it refreshes a whole server's connections", async () => {
      // Every delivery due during a sweep waits for the loop: the refresh must not hold it for all
      // of its commands at once.
      const prefix = newPrefix();
      const client = await topology.connect();
      const issued: string[] = [];
      const zadd = client.zadd.bind(client) as (...args: unknown[]) => Promise<unknown>;
      Object.assign(client, {
        zadd: (...args: unknown[]) => {
          issued.push(String(args[0]));
          return zadd(...args);
        },
      });
      const clock = new StoreClock(TTL);
      const store = new RedisPresenceStore(client, { prefix, presenceTtlMs: TTL, offlineGraceMs: GRACE, now: clock.now });
      cleanups.push(() => store.close());
      cleanups.push(() => topology.forget(client, prefix)); // runs first: cleanups run in reverse
      const conns = Array.from({ length: 1_000 }, () => ref(randomUUID(), "c"));
      await clock.expiringIn(50, () => Promise.all(conns.map((conn) => store.connect(conn))));
      issued.length = 0;

      const refreshed = store.refresh(conns);
      await new Promise((resolve) => setImmediate(resolve));
      const issuedBeforeTheLoopTurned = issued.length;
      await refreshed;

      expect(issuedBeforeTheLoopTurned).toBeGreaterThan(0);
      expect(issuedBeforeTheLoopTurned).toBeLessThanOrEqual(100);
      expect(issued).toHaveLength(1_000);
      expect(issued.every((key) => key.endsWith(":conns"))).toBe(true);
      // Every registration got its whole TTL again: none is due in 10 s.
      expect(await store.reap(new Date(Date.now() + 10_000))).toEqual([]);
    });
  });

  describe(`RedisPresenceBus (${topology.name})`, () => {
    it("keeps delivering to other listeners when one throws", async () => {
      const errors: string[] = [];
      const bus = new RedisPresenceBus(await topology.connect(), {
        prefix: newPrefix(),
        onError: (_error, context) => errors.push(context),
      });
      cleanups.push(() => bus.close());
      const id = randomUUID();
      const got: BusMessage[] = [];
      bus.subscribe(id, () => {
        throw new Error("listener bug");
      });
      bus.subscribe(id, (m) => got.push(m));
      await bus.publish(id, { type: "friend_added", friendId: "f" });
      await waitUntil(() => got.length === 1);
      expect(errors).toEqual([expect.stringMatching(/^listener on /)]);
    });

    it("hears a peer's message once subscriptionsReady resolves, without retrying", async () => {
      const first = await makeBus();
      const second = await makeBus(busPrefixes.get(first));
      cleanups.push(
        () => first.close(),
        () => second.close(),
      );
      const id = randomUUID();
      const got: BusMessage[] = [];
      second.subscribe(id, (m) => got.push(m));
      await second.subscriptionsReady();
      await first.publish(id, { type: "friend_removed", friendId: "f" });
      await waitUntil(() => got.length === 1);
      expect(got).toEqual([{ type: "friend_removed", friendId: "f" }]);
    });
  });
}

describe("createRedisPresence", () => {
  it("builds a working store and bus on one URL and closes them", async () => {
    const prefix = newPrefix();
    const presence = await createRedisPresence(REDIS_URL, { prefix });
    const id = randomUUID();
    const got: BusMessage[] = [];
    presence.bus.subscribe(id, (m) => got.push(m));
    const live = await presence.store.connect(ref(id));
    await presence.bus.publish(id, { type: "friend_added", friendId: "f" });
    await waitUntil(() => got.length === 1);
    expect(live).toMatchObject({ online: true, connections: 1 });
    const cleaner = await connectRedis(REDIS_URL);
    await deleteKeysWithPrefix(cleaner, prefix);
    await cleaner.quit();
    await presence.close();
    await expect(presence.store.ping()).rejects.toThrow();
  });
});

describe("connectRedis", () => {
  it("fails fast with a message naming REDIS_URL when nothing answers", async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(connectRedis(`redis://127.0.0.1:${port}`, { timeoutMs: 1_000 })).rejects.toThrow(/REDIS_URL/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("RedisPresenceBus on one Redis", () => {
  it("resubscribes and announces a resync after its Redis restarts", async () => {
    const server = await RedisServer.start();
    cleanups.push(() => server.stop());
    const prefix = newPrefix();
    const bus = new RedisPresenceBus(await connectRedis(server.url), { prefix });
    cleanups.push(() => bus.close());
    const id = randomUUID();
    const got: BusMessage[] = [];
    let resyncs = 0;
    bus.subscribe(id, (m) => got.push(m));
    bus.onResync(() => resyncs++);
    await bus.publish(id, { type: "friend_added", friendId: "before" });
    await waitUntil(() => got.length === 1);

    await server.stop();
    await server.restart();
    await waitUntil(() => resyncs === 1, 20_000);

    // A peer connected only to the new server proves the subscription exists there.
    const peer = new RedisPresenceBus(await connectRedis(server.url), { prefix });
    cleanups.push(() => peer.close());
    await peer.publish(id, { type: "friend_added", friendId: "from-peer" });
    await bus.publish(id, { type: "friend_added", friendId: "after" });
    await waitUntil(() => got.length === 3);
    expect(got.map((m) => (m.type === "friend_added" ? m.friendId : m.type))).toEqual(["before", "from-peer", "after"]);
    expect(bus.listenerCount()).toBe(2);
  });
});

describe("on a Redis Cluster", () => {
  it("keeps a user's keys and channel on one slot, as Redis itself computes it", async () => {
    const keys = new RedisKeys("herald");
    const [port] = await cluster.masters();
    for (const userId of Array.from({ length: 20 }, () => randomUUID())) {
      const slots = new Set<unknown>();
      for (const key of [keys.connections(userId), keys.live(userId), keys.connectionFacts(userId), keys.events(userId)]) {
        const slot = await cluster.ask(port!, ["cluster", "keyslot", key]);
        expect(slot).toBe(slotOf(key));
        slots.add(slot);
      }
      expect(slots.size).toBe(1);
    }
  });

  it("spreads the reap index over every master, and reaps users of every shard", async () => {
    const clock = new StoreClock(TTL);
    const client = await connectRedisCluster(cluster.seeds);
    const store = new RedisPresenceStore(client, { prefix: newPrefix(), now: clock.now });
    cleanups.push(() => store.close());
    const keys = new RedisKeys("herald");
    const bucketsByMaster = new Map<number, number>();
    for (const bucket of keys.expiryBuckets()) {
      const master = await cluster.masterOf(bucket);
      bucketsByMaster.set(master, (bucketsByMaster.get(master) ?? 0) + 1);
    }
    expect([...bucketsByMaster.keys()].sort()).toEqual(await cluster.masters());
    expect(Math.max(...bucketsByMaster.values()) - Math.min(...bucketsByMaster.values())).toBeLessThanOrEqual(1);

    const users = Array.from({ length: 60 }, () => randomUUID());
    for (const id of users) await clock.expiringIn(50, () => store.connect(ref(id)));
    const mastersOfUsers = new Set(await Promise.all(users.map((id) => cluster.masterOf(keys.live(id)))));
    expect(mastersOfUsers.size).toBe(3);
    const reaped = await store.reap(new Date(Date.now() + 10_000));
    expect(reaped.map((r) => r.userId).sort()).toEqual([...users].sort());
  });

  it("reports a node's MOVED reply (a slot whose master is failing over) as unavailable, not as a bug", async () => {
    const [port] = await cluster.masters();
    // A plain connection to one master sees what a cluster client sees mid-failover: MOVED.
    const store = new RedisPresenceStore(await connectRedis(`redis://127.0.0.1:${port}`), { prefix: "herald" });
    cleanups.push(() => store.close());
    const keys = new RedisKeys("herald");
    let elsewhere: string = randomUUID();
    while ((await cluster.masterOf(keys.live(elsewhere))) === port) elsewhere = randomUUID();
    const error: unknown = await store.getLive([elsewhere]).catch((e: unknown) => e);
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it("builds a working store and bus from seed nodes and closes them", async () => {
    const presence = await createRedisPresence(cluster.seeds.slice(0, 1), { prefix: newPrefix() });
    const id = randomUUID();
    const got: BusMessage[] = [];
    presence.bus.subscribe(id, (m) => got.push(m));
    await presence.bus.subscriptionsReady();
    const live = await presence.store.connect(ref(id));
    await presence.bus.publish(id, { type: "friend_added", friendId: "f" });
    await waitUntil(() => got.length === 1);
    expect(live).toMatchObject({ online: true, connections: 1 });
    await expect(presence.store.ping()).resolves.toBeUndefined();
    await expect(presence.bus.ping()).resolves.toBeUndefined();
    await presence.close();
    await expect(presence.store.ping()).rejects.toThrow();
  });

  it("fails fast with a message naming REDIS_CLUSTER_NODES when no seed answers", async () => {
    const ports = [await freePort(), await freePort()];
    const started = Date.now();
    await expect(
      connectRedisCluster(
        ports.map((port) => ({ host: "127.0.0.1", port })),
        { timeoutMs: 1_000 },
      ),
    ).rejects.toThrow(/REDIS_CLUSTER_NODES/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("RedisPresenceBus on a Redis Cluster whose slots move", () => {
  it("follows a channel's slot to its new master and announces a resync", async () => {
    const moving = await RedisCluster.start({ masters: 3 });
    cleanups.push(() => moving.stop());
    const prefix = newPrefix();
    const keys = new RedisKeys(prefix);
    let resyncs = 0;
    const bus = new RedisPresenceBus(await connectRedisCluster(moving.seeds), { prefix, onError: () => {} });
    const peer = new RedisPresenceBus(await connectRedisCluster(moving.seeds), { prefix, onError: () => {} });
    cleanups.push(
      () => bus.close(),
      () => peer.close(),
    );
    bus.onResync(() => resyncs++);
    const id = randomUUID();
    const got: string[] = [];
    bus.subscribe(id, (m) => got.push(m.type === "friend_added" ? m.friendId : m.type));
    await bus.subscriptionsReady();
    await peer.publish(id, { type: "friend_added", friendId: "before" });
    await waitUntil(() => got.length === 1);

    // Resharding by hand, as redis-cli --cluster reshard does it: the channel's slot (no keys in
    // it) goes from its master to another one, and every master is told.
    const slot = slotOf(keys.events(id));
    const from = await moving.masterOf(keys.events(id));
    const to = (await moving.masters()).find((port) => port !== from)!;
    const idOf = async (port: number) => String(await moving.ask(port, ["cluster", "myid"]));
    const [fromId, toId] = [await idOf(from), await idOf(to)];
    await moving.ask(to, ["cluster", "setslot", slot, "importing", fromId]);
    await moving.ask(from, ["cluster", "setslot", slot, "migrating", toId]);
    for (const port of await moving.masters()) await moving.ask(port, ["cluster", "setslot", slot, "node", toId]);
    await moving.waitUntilHealthy();
    expect(await moving.masterOf(keys.events(id))).toBe(to);

    await waitUntil(() => resyncs === 1, 10_000);
    // The peer's publish lands on the new master (MOVED is followed); the bus hears it there.
    await peer.publish(id, { type: "friend_added", friendId: "after" });
    await waitUntil(() => got.length === 2);
    expect(got).toEqual(["before", "after"]);
  });
});

describe("RedisPresenceBus on a Redis Cluster whose master fails over", () => {
  it("moves its subscriptions to the promoted replica and announces a resync", async () => {
    const failing = await RedisCluster.start({ masters: 3, replicasPerMaster: 1 });
    cleanups.push(() => failing.stop());
    const prefix = newPrefix();
    const keys = new RedisKeys(prefix);
    let resyncs = 0;
    let reconnects = 0;
    const bus = new RedisPresenceBus(await connectRedisCluster(failing.seeds), {
      prefix,
      onError: () => {},
      onReconnect: () => reconnects++,
    });
    const peer = new RedisPresenceBus(await connectRedisCluster(failing.seeds), { prefix, onError: () => {} });
    cleanups.push(
      () => bus.close(),
      () => peer.close(),
    );
    bus.onResync(() => resyncs++);
    // Users on every shard, each followed here.
    const users: string[] = Array.from({ length: 30 }, () => randomUUID());
    const got = new Map<string, string[]>(users.map((id) => [id, []]));
    for (const id of users) bus.subscribe(id, (m) => got.get(id)!.push(m.type === "friend_added" ? m.friendId : m.type));
    await bus.subscriptionsReady();
    for (const id of users) await peer.publish(id, { type: "friend_added", friendId: "before" });
    await waitUntil(() => [...got.values()].every((messages) => messages.length === 1));

    const victim = await failing.masterOf(keys.events(users[0]!));
    const onVictim = (
      await Promise.all(users.map(async (id) => ((await failing.masterOf(keys.events(id))) === victim ? id : null)))
    ).filter((id): id is string => id !== null);
    await failing.kill(victim);
    await waitUntil(() => resyncs === 1, 20_000);
    expect(reconnects).toBe(1);
    expect(await failing.masters()).not.toContain(victim);

    // Every channel delivers again, the failed shard's too, each message once.
    for (const id of users) await peer.publish(id, { type: "friend_added", friendId: "after" });
    await waitUntil(() => [...got.values()].every((messages) => messages.length === 2));
    for (const id of users) expect(got.get(id)).toEqual(["before", "after"]);
    expect(onVictim.length).toBeGreaterThan(0);
    await expect(bus.ping()).resolves.toBeUndefined();
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
