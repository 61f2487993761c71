/**
 * One contract, every implementation: the in-memory and the Redis store and bus must pass the
 * same suite. Call these from a test file with a factory that makes a fresh, isolated instance.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { BusMessage, PresenceBus } from "../bus/types.js";
import type { PresenceStore, PresenceStoreOptions } from "../store/types.js";

/** The settings of the stores under test, unless a test says otherwise. */
const TTL = 60_000;
const GRACE = 5_000;
const user = (): string => randomUUID();
const ref = (userId: string, connectionId: string = randomUUID()) => ({ userId, connectionId });

/**
 * A store clock that a test can set back, so that one connection expires sooner than the store's
 * TTL: `clock.expiringIn(50, () => store.connect(ref))` connects as if `presenceTtlMs - 50` ms ago.
 */
export class StoreClock {
  private offsetMs = 0;

  constructor(private readonly presenceTtlMs: number) {}

  readonly now = (): number => Date.now() + this.offsetMs;

  async expiringIn<T>(ms: number, action: () => Promise<T>): Promise<T> {
    this.offsetMs = ms - this.presenceTtlMs;
    try {
      return await action();
    } finally {
      this.offsetMs = 0;
    }
  }
}

export function presenceStoreContract(name: string, makeStore: (options: PresenceStoreOptions) => Promise<PresenceStore>): void {
  describe(`PresenceStore contract: ${name}`, () => {
    const opened: PresenceStore[] = [];
    const open = async (options: PresenceStoreOptions = {}) => {
      const store = await makeStore({ presenceTtlMs: TTL, offlineGraceMs: GRACE, ...options });
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it("counts connections and bumps the version on every change", async () => {
      const store = await open();
      const id = user();
      const a = await store.connect(ref(id, "a"));
      const b = await store.connect(ref(id, "b"));
      expect(a).toMatchObject({ online: true, connections: 1 });
      expect(b).toMatchObject({ online: true, connections: 2 });
      expect(b.version).toBeGreaterThan(a.version);
      const afterOne = await store.disconnect(ref(id, "a"), new Date());
      expect(afterOne).toMatchObject({ online: true, connections: 1 });
      expect(afterOne.version).toBeGreaterThan(b.version);
    });

    it("reports users it never saw as offline at version 0", async () => {
      const store = await open();
      const id = user();
      expect((await store.getLive([id])).get(id)).toEqual({
        online: false,
        connections: 0,
        devices: [],
        idle: false,
        version: 0,
        durableRevision: 0,
      });
    });

    it("keeps a user online through the grace until settled, once", async () => {
      const store = await open();
      const id = user();
      await store.connect(ref(id, "a"));
      const endedAt = new Date("2026-01-01T10:00:00.000Z");
      const graced = await store.disconnect(ref(id, "a"), endedAt);
      expect(graced).toMatchObject({ online: true, connections: 0 });
      const settled = await store.settleOffline(id);
      expect(settled?.live).toMatchObject({ online: false, connections: 0 });
      expect(settled?.live.version).toBeGreaterThan(graced.version);
      expect(settled?.lastConnectedAt).toBe(endedAt.toISOString());
      expect(await store.settleOffline(id)).toBeNull();
      expect((await store.getLive([id])).get(id)).toMatchObject({ online: false, connections: 0 });
    });

    it("does not settle a user who reconnected within the grace", async () => {
      const store = await open();
      const id = user();
      await store.connect(ref(id, "a"));
      await store.disconnect(ref(id, "a"), new Date());
      await store.connect(ref(id, "b"));
      expect(await store.settleOffline(id)).toBeNull();
      expect((await store.getLive([id])).get(id)).toMatchObject({ online: true, connections: 1 });
    });

    it("ignores the disconnect of an unknown connection", async () => {
      const store = await open();
      const id = user();
      const before = await store.connect(ref(id, "a"));
      const after = await store.disconnect(ref(id, "zzz"), new Date());
      expect(after).toEqual(before);
    });

    it("reaps expired connections exactly once, with the expiry as last seen", async () => {
      const clock = new StoreClock(TTL);
      const store = await open({ now: clock.now });
      const id = user();
      const other = user();
      await clock.expiringIn(50, () => store.connect(ref(id, "a")));
      await store.connect(ref(other, "b"));
      const later = new Date(Date.now() + 10_000);
      const reaped = await store.reap(later);
      expect(reaped.map((r) => r.userId)).toEqual([id]);
      expect(reaped[0]?.live).toMatchObject({ online: false, connections: 0 });
      expect(Date.parse(reaped[0]!.lastConnectedAt)).toBeLessThanOrEqual(later.getTime());
      expect(await store.reap(later)).toEqual([]);
      expect((await store.getLive([other])).get(other)).toMatchObject({ online: true, connections: 1 });
    });

    it("keeps refreshed connections alive past their first expiry", async () => {
      const clock = new StoreClock(TTL);
      const store = await open({ now: clock.now });
      const id = user();
      await clock.expiringIn(50, () => store.connect(ref(id, "a")));
      await store.refresh([ref(id, "a")]);
      expect(await store.reap(new Date(Date.now() + 10_000))).toEqual([]);
    });

    it("settles an abandoned grace (its server died) after the grace has passed", async () => {
      const store = await open({ offlineGraceMs: 60_000 });
      const id = user();
      await store.connect(ref(id, "a"));
      await store.disconnect(ref(id, "a"), new Date());
      expect(await store.reap(new Date())).toEqual([]);
      const reaped = await store.reap(new Date(Date.now() + 120_000));
      expect(reaped.map((r) => r.userId)).toEqual([id]);
    });

    it("orders a durable change after live ones, and keeps the newest revision it was told", async () => {
      const store = await open();
      const id = user();
      const { version } = await store.connect(ref(id, "a"));
      const ordered = await store.orderDurableChange(id, 3);
      expect(ordered).toMatchObject({ online: true, connections: 1, durableRevision: 3 });
      expect(ordered.version).toBeGreaterThan(version);
      // A slower writer of an older revision orders after it: a new version, the revision stays.
      const late = await store.orderDurableChange(id, 2);
      expect(late.version).toBeGreaterThan(ordered.version);
      expect(late.durableRevision).toBe(3);
      expect((await store.getLive([id])).get(id)).toEqual(late);
      // Live changes report the revision too, so their publishers know which row is current enough.
      expect((await store.disconnect(ref(id, "a"), new Date())).durableRevision).toBe(3);
      expect((await store.settleOffline(id))?.live.durableRevision).toBe(3);
    });

    it("keeps each connection's kind and idle flag: devices sorted and unique, idle only when every connection is", async () => {
      const store = await open();
      const id = user();
      expect(await store.connect(ref(id, "a"))).toMatchObject({ devices: ["web"], idle: false });
      await store.connect(ref(id, "b"), { device: "mobile", idle: false });
      const three = await store.connect(ref(id, "c"), { device: "mobile", idle: true });
      expect(three).toMatchObject({ connections: 3, devices: ["mobile", "web"], idle: false });
      const oneIdle = await store.setIdle(ref(id, "a"), true);
      expect(oneIdle).toMatchObject({ devices: ["mobile", "web"], idle: false });
      expect(oneIdle!.version).toBeGreaterThan(three.version);
      const allIdle = await store.setIdle(ref(id, "b"), true);
      expect(allIdle).toMatchObject({ idle: true });
      expect((await store.getLive([id])).get(id)).toEqual(allIdle);
      // A flag already so, or a connection the store does not hold: nothing changes, no version.
      expect(await store.setIdle(ref(id, "b"), true)).toBeNull();
      expect(await store.setIdle(ref(id, "zzz"), false)).toBeNull();
      expect((await store.getLive([id])).get(id)?.version).toBe(allIdle!.version);
      const desktop = await store.connect(ref(id, "d"), { device: "desktop", idle: false });
      expect(desktop).toMatchObject({ devices: ["desktop", "mobile", "web"], idle: false });
      expect(await store.disconnect(ref(id, "d"), new Date())).toMatchObject({ devices: ["mobile", "web"], idle: true });
      expect(await store.disconnect(ref(id, "a"), new Date())).toMatchObject({ devices: ["mobile"], idle: true });
      expect(await store.setIdle(ref(id, "a"), false)).toBeNull();
      await store.disconnect(ref(id, "b"), new Date());
      expect(await store.disconnect(ref(id, "c"), new Date())).toMatchObject({ online: true, connections: 0, devices: [], idle: false });
    });

    it("replaces a connection's facts when it is registered again (a resync)", async () => {
      const store = await open();
      const id = user();
      await store.connect(ref(id, "a"), { device: "mobile", idle: false });
      expect(await store.connect(ref(id, "a"), { device: "mobile", idle: true })).toMatchObject({
        connections: 1,
        devices: ["mobile"],
        idle: true,
      });
      expect(await store.connect(ref(id, "a"), { device: "desktop", idle: false })).toMatchObject({ devices: ["desktop"], idle: false });
    });

    it("forgets the kind and idle flag of a reaped connection", async () => {
      const clock = new StoreClock(TTL);
      const store = await open({ now: clock.now });
      const id = user();
      await store.connect(ref(id, "alive"), { device: "desktop", idle: true });
      await clock.expiringIn(50, () => store.connect(ref(id, "dead"), { device: "mobile", idle: false }));
      expect(await store.reap(new Date(Date.now() + 10_000))).toEqual([]);
      expect((await store.getLive([id])).get(id)).toMatchObject({ connections: 1, devices: ["desktop"], idle: true });
      expect(await store.setIdle(ref(id, "dead"), true)).toBeNull();
    });

    it("answers ping", async () => {
      const store = await open();
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

export function presenceBusContract(
  name: string,
  makeBus: () => Promise<PresenceBus>,
  /** For implementations where several instances share one transport (servers on one Redis). */
  makePeer?: (first: PresenceBus) => Promise<PresenceBus>,
): void {
  describe(`PresenceBus contract: ${name}`, () => {
    const opened: PresenceBus[] = [];
    const open = async () => {
      const bus = await makeBus();
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((b) => b.close()));
    });

    const friendAdded = (friendId: string): BusMessage => ({ type: "friend_added", friendId });

    it("delivers a user's messages, in order, to that user's listeners only", async () => {
      const bus = await open();
      const [alice, bob] = [user(), user()];
      const gotAlice: BusMessage[] = [];
      const gotBob: BusMessage[] = [];
      bus.subscribe(alice, (m) => gotAlice.push(m));
      bus.subscribe(bob, (m) => gotBob.push(m));
      const messages = Array.from({ length: 20 }, (_, i) => friendAdded(`f${i}`));
      for (const m of messages) await bus.publish(alice, m);
      await waitUntil(() => gotAlice.length === 20);
      expect(gotAlice).toEqual(messages);
      expect(gotBob).toEqual([]);
    });

    it("stops delivering after unsubscribe and counts listeners back to zero", async () => {
      const bus = await open();
      const id = user();
      const got: BusMessage[] = [];
      const baseline = bus.listenerCount();
      const unsubscribers = Array.from({ length: 1000 }, () => bus.subscribe(id, (m) => got.push(m)));
      expect(bus.listenerCount()).toBe(baseline + 1000);
      for (const unsubscribe of unsubscribers) unsubscribe();
      unsubscribers[0]!();
      expect(bus.listenerCount()).toBe(baseline);
      const probe: BusMessage[] = [];
      bus.subscribe(id, (m) => probe.push(m));
      await bus.publish(id, friendAdded("x"));
      await waitUntil(() => probe.length === 1);
      expect(got).toEqual([]);
    });

    if (makePeer) {
      it("delivers between peers sharing one transport", async () => {
        const first = await open();
        const second = await makePeer(first);
        opened.push(second);
        const id = user();
        const got: BusMessage[] = [];
        second.subscribe(id, (m) => got.push(m));
        await waitUntil(async () => {
          await first.publish(id, friendAdded("peer"));
          return got.length > 0;
        });
        expect(got[0]).toEqual(friendAdded("peer"));
      });
    }
  });
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
