/**
 * The live store on Redis (one server or a Cluster), shared by every server of a deployment.
 * Each change to a user's live facts is one Lua script on that user's keys (see
 * store-scripts.ts), which share the user's slot; liveness is decided by expiry scores, never by
 * keyspace notifications, which arrive late or not at all.
 *
 * `reap` finds its candidates through the reap index, userId → the moment to look at that user
 * next, split into buckets on slots spread over the cluster (keys.ts): every master holds a
 * share, and every reaper reads every bucket. A bucket lives on another slot than the user's
 * keys, so it cannot change in the same script (CROSSSLOT under Cluster); it is kept safe by one
 * invariant instead: whenever a user may need settling at time T, the index holds them with a
 * score ≤ T. Early entries cost one extra look; a missing one would leave a ghost online forever.
 * Hence:
 *  - connect and disconnect write the index *before* their script, and only run the script once
 *    that write is acknowledged (under Cluster the two go to different masters, so order on one
 *    connection proves nothing): a failure between the two leaves an entry too early, never a
 *    missing one. They overwrite: connect with its own expiry (its connection keeps the user
 *    online till then), disconnect with `at` (the grace starts; the reaper looks, then
 *    reschedules);
 *  - only `reap` removes an entry or moves it to the user's next due moment, by compare-and-set
 *    against the score it read, so a writer that came in between always keeps its entry. (If a
 *    disconnect rewrites the very same score meanwhile, the user is looked at by their old
 *    connection's expiry instead: late by at most the TTL, never lost.)
 *  - refresh never touches the index: it only makes users due later, and a reaper that looks
 *    too early reschedules them.
 */
import { Cluster } from "ioredis";
import { withPresenceDefaults, type PresenceSettings } from "../settings.js";
import { DEFAULT_CONNECTION_FACTS, type ConnectionFacts, type DeviceKind, type LivePresence } from "../types.js";
import type { ConnectionRef, OfflineSettlement, PresenceStore, PresenceStoreOptions } from "../store/types.js";
import { storeUnavailable } from "../store/unavailable.js";
import { closeClient, type RedisClient } from "./connect.js";
import { RedisKeys } from "./keys.js";
import { definePresenceCommands, type LiveReply, type PresenceCommands } from "./store-scripts.js";

export interface RedisPresenceStoreOptions extends PresenceStoreOptions {
  /** Key prefix; tests give each instance its own. Default `herald`. */
  prefix?: string;
  /** Users examined per `reap` call; the rest wait for the next tick. */
  reapBatchSize?: number;
}

type Settled = { userId: string } & OfflineSettlement;

/**
 * Registrations one write refreshes. A sweep refreshes every live connection; issued all at once,
 * 5,000 of them held the event loop ~22 ms (the commands, then their replies; 1,000 ~5 ms), and
 * every delivery due meanwhile waited that out (`pnpm --filter @herald/bench sweep-stall`).
 */
const REFRESH_CHUNK = 100;

export class RedisPresenceStore implements PresenceStore {
  readonly diesWithProcess = false;
  readonly settings: Readonly<PresenceSettings>;
  private readonly redis: RedisClient & PresenceCommands;
  private readonly keys: RedisKeys;
  private readonly reapBatchSize: number;
  private readonly now: () => number;

  /** Takes ownership of `redis`: `close()` quits it. */
  constructor(redis: RedisClient, options: RedisPresenceStoreOptions = {}) {
    this.settings = Object.freeze(withPresenceDefaults(options));
    this.redis = definePresenceCommands(redis);
    this.keys = new RedisKeys(options.prefix);
    this.reapBatchSize = options.reapBatchSize ?? 1000;
    this.now = options.now ?? Date.now;
  }

  connect({ userId, connectionId }: ConnectionRef, facts: ConnectionFacts = DEFAULT_CONNECTION_FACTS): Promise<LivePresence> {
    return this.guard(() => this.connectNow(userId, connectionId, facts));
  }

  private async connectNow(userId: string, connectionId: string, { device, idle }: ConnectionFacts): Promise<LivePresence> {
    const expiry = Math.ceil(this.now() + this.settings.presenceTtlMs);
    // Nothing about this user can need settling before `expiry`; a dead sibling connection is
    // swept by then at the latest.
    await this.redis.zadd(this.keys.expiries(userId), expiry, userId);
    return toLive(await this.redis.heraldConnect(...this.userKeys(userId), connectionId, expiry, device, idle ? 1 : 0));
  }

  setIdle({ userId, connectionId }: ConnectionRef, idle: boolean): Promise<LivePresence | null> {
    return this.guard(async () => {
      const reply = await this.redis.heraldSetIdle(...this.userKeys(userId), connectionId, idle ? 1 : 0);
      return reply ? toLive(reply) : null;
    });
  }

  disconnect({ userId, connectionId }: ConnectionRef, at: Date): Promise<LivePresence> {
    return this.guard(() => this.disconnectNow(userId, connectionId, at));
  }

  private async disconnectNow(userId: string, connectionId: string, at: Date): Promise<LivePresence> {
    // If this was the last connection the grace starts at `at`; the reaper takes a look then.
    await this.redis.zadd(this.keys.expiries(userId), at.getTime(), userId);
    return toLive(await this.redis.heraldDisconnect(...this.userKeys(userId), connectionId, at.getTime()));
  }

  refresh(refs: ConnectionRef[]): Promise<void> {
    return this.guard(() => this.refreshNow(refs));
  }

  private async refreshNow(refs: ConnectionRef[]): Promise<void> {
    const expiry = Math.ceil(this.now() + this.settings.presenceTtlMs);
    // A chunk at a time, each issued in one tick: auto-pipelining sends it in one write per Redis
    // (per master under Cluster, where one pipeline may not span slots), and the event loop turns
    // while its replies come back. XX: a connection already reaped (or closed) stays gone. GT:
    // expiries never move back. A single ZADD is atomic on its own, and a refresh changes no
    // version.
    for (let start = 0; start < refs.length; start += REFRESH_CHUNK) {
      await Promise.all(
        refs
          .slice(start, start + REFRESH_CHUNK)
          .map(({ userId, connectionId }) => this.redis.zadd(this.keys.connections(userId), "XX", "GT", expiry, connectionId)),
      );
    }
  }

  settleOffline(userId: string): Promise<OfflineSettlement | null> {
    return this.guard(() => this.settleOfflineNow(userId));
  }

  private async settleOfflineNow(userId: string): Promise<OfflineSettlement | null> {
    const reply = await this.redis.heraldSettleOffline(...this.userKeys(userId));
    if (!reply) return null;
    const [version, lastConnectedAt, durableRevision] = reply;
    return {
      live: { online: false, connections: 0, devices: [], idle: false, version, durableRevision },
      lastConnectedAt: new Date(lastConnectedAt).toISOString(),
    };
  }

  reap(now: Date): Promise<Settled[]> {
    return this.guard(() => this.reapNow(now));
  }

  private async reapNow(now: Date): Promise<Settled[]> {
    const nowMs = now.getTime();
    // Every bucket at once (each on its own master under Cluster), up to the batch size in all.
    const perBucket = Math.max(1, Math.ceil(this.reapBatchSize / this.keys.expiryBuckets().length));
    const buckets = await Promise.all(
      this.keys.expiryBuckets().map((bucket) => this.redis.zrangebyscore(bucket, "-inf", nowMs, "WITHSCORES", "LIMIT", 0, perBucket)),
    );
    const candidates: Array<{ userId: string; seen: number }> = [];
    for (const due of buckets) {
      for (let i = 0; i + 1 < due.length; i += 2) candidates.push({ userId: due[i]!, seen: Number(due[i + 1]) });
    }

    // Several servers may reap the same users at once: the script settles a user only while
    // they are still online with no connection, so exactly one of them reports each.
    return Promise.all(
      candidates.map(async ({ userId, seen }) => {
        const [settled, online, connections, version, lastConnectedAt, nextDue, durableRevision, devices, idle] =
          await this.redis.heraldReap(...this.userKeys(userId), nowMs, Math.floor(this.settings.offlineGraceMs));
        await this.redis.heraldReschedule(this.keys.expiries(userId), userId, seen, nextDue);
        if (settled !== 1) return null;
        return {
          userId,
          live: toLive([online, connections, version, durableRevision, devices, idle]),
          lastConnectedAt: new Date(lastConnectedAt).toISOString(),
        };
      }),
    ).then((results) => results.filter((r): r is Settled => r !== null));
  }

  orderDurableChange(userId: string, durableRevision: number): Promise<LivePresence> {
    return this.guard(async () => toLive(await this.redis.heraldOrderDurableChange(...this.userKeys(userId), durableRevision)));
  }

  getLive(userIds: readonly string[]): Promise<Map<string, LivePresence>> {
    return this.guard(() => this.getLiveNow(userIds));
  }

  private async getLiveNow(userIds: readonly string[]): Promise<Map<string, LivePresence>> {
    // One command per user, issued in the same tick: auto-pipelining sends them, and whatever
    // other users' commands are pending, in one write, without a Pipeline object per call.
    const replies = await Promise.all(userIds.map((userId) => this.redis.heraldGetLive(...this.userKeys(userId))));
    return new Map(userIds.map((userId, i) => [userId, toLive(replies[i]!)]));
  }

  async ping(): Promise<void> {
    // Not queued for a reconnect: a health check must answer now.
    if (this.redis.status !== "ready") throw new Error(`Redis connection is ${this.redis.status}`);
    // Under Cluster, every master: each holds a share of the users.
    const nodes = this.redis instanceof Cluster ? this.redis.nodes("master") : [this.redis];
    await Promise.all(nodes.map((node) => node.ping()));
  }

  async close(): Promise<void> {
    await closeClient(this.redis);
  }

  /**
   * Runs `work` only on a connected client, and reports a lost connection as "unavailable"
   * (SERVICE_UNAVAILABLE) rather than a driver error. Redis' own error replies (a script bug,
   * a wrong type) pass through unchanged: those are ours to fix, not the caller's to retry;
   * except a cluster's replies that mean "this slot has no reachable master right now"
   * (during a failover, a replica answers MOVED to its dead master until it is promoted).
   */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.redis.status !== "ready") throw storeUnavailable(new Error(`Redis connection is ${this.redis.status}`));
    try {
      return await work();
    } catch (error) {
      throw isReplyError(error) && !isClusterInTransition(error) ? error : storeUnavailable(error);
    }
  }

  private userKeys(userId: string): [conns: string, live: string, facts: string] {
    return [this.keys.connections(userId), this.keys.live(userId), this.keys.connectionFacts(userId)];
  }
}

function toLive([online, connections, version, durableRevision, devices, idle]: LiveReply): LivePresence {
  return {
    online: online === 1,
    connections,
    // Sorted and unique already (the script's `table.sort`, the same order as combineConnections).
    devices: devices === "" ? [] : (devices.split(",") as DeviceKind[]),
    idle: idle === 1,
    version,
    durableRevision,
  };
}

function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

/** Replies a cluster gives while a slot's master is failing over or moving: retry later, not a bug. */
function isClusterInTransition(error: unknown): boolean {
  return error instanceof Error && /^(MOVED|ASK|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|LOADING|READONLY)\b/.test(error.message);
}
