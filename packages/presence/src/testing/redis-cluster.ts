/**
 * A Redis Cluster of a test's own: redis-server in cluster mode on free ports in a temporary
 * directory (3 masters by default, optionally replicas), created with `redis-cli --cluster
 * create`, ready once every node reports `cluster_state:ok` and agrees on the slot map (and every
 * replica is in sync with its master). Nodes can be killed like crashed machines; `stop` kills
 * what is left and deletes the directory. The shared Redis on 6379 is never touched.
 */
import { execFile, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { slotOf } from "../redis/slot.js";
import { spawnOnFreePorts } from "./redis-server.js";

const run = promisify(execFile);
const POLL_MS = 50;
const READY_TIMEOUT_MS = 30_000;

export interface RedisClusterOptions {
  /** Default 3. */
  masters?: number;
  /** Replicas of each master (default 0): what a failover promotes. */
  replicasPerMaster?: number;
  /**
   * How long a node may be silent before the others count it as failed (cluster-node-timeout).
   * Short, so a failover takes a couple of seconds; default 1000 ms.
   */
  nodeTimeoutMs?: number;
}

interface Node {
  port: number;
  process: ChildProcess;
}

export class RedisCluster {
  private constructor(
    private readonly dir: string,
    private readonly nodes: Node[],
  ) {}

  /** Seed nodes for a cluster client: every node (ioredis discovers the rest anyway). */
  get seeds(): Array<{ host: string; port: number }> {
    return this.nodes.map((node) => ({ host: "127.0.0.1", port: node.port }));
  }

  /** The same, as `REDIS_CLUSTER_NODES` takes them. */
  get nodesVariable(): string {
    return this.seeds.map((seed) => `${seed.host}:${seed.port}`).join(",");
  }

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 0;
    const dir = mkdtempSync(join(tmpdir(), "herald-redis-cluster-"));
    const nodes: Node[] = [];
    const cluster = new RedisCluster(dir, nodes);
    try {
      await Promise.all(
        Array.from({ length: masters * (1 + replicas) }, async () => {
          // The cluster bus port is chosen too: the default (port + 10000) may be taken or out of range.
          const { ports, process } = await spawnOnFreePorts(2, ([port, busPort]) => [
            ...["--port", String(port), "--cluster-enabled", "yes", "--cluster-port", String(busPort)],
            ...["--cluster-config-file", join(dir, `nodes-${port}.conf`), "--dir", dir],
            ...["--cluster-node-timeout", String(options.nodeTimeoutMs ?? 1_000)],
            // A replica's first sync starts at once instead of after the default 5 s wait.
            ...["--repl-diskless-sync-delay", "0"],
          ]);
          nodes.push({ port: ports[0]!, process });
        }),
      );
      const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
      await run("redis-cli", ["--cluster", "create", ...addresses, "--cluster-replicas", String(replicas), "--cluster-yes"]);
      await cluster.waitUntilHealthy();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /**
   * Polls every live node until all report `cluster_state:ok`, agree on who serves each slot
   * (no failed master among them), and every replica's link to its master is up.
   */
  async waitUntilHealthy(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const problem = (await this.problem().catch((error: Error) => error.message)) ?? "";
      if (problem === "") return;
      if (Date.now() > deadline) throw new Error(`Redis Cluster not healthy within ${timeoutMs} ms: ${problem}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** The port of the master that serves `key`'s slot now (as the first live node sees it). */
  async masterOf(key: string): Promise<number> {
    const slot = slotOf(key);
    const ranges = (await this.ask(this.live()[0]!.port, ["cluster", "slots"])) as Array<[number, number, [string, number]]>;
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no master serves slot ${slot}`);
    return range[2][1];
  }

  /** Ports of the masters serving slots now. */
  async masters(): Promise<number[]> {
    const ranges = (await this.ask(this.live()[0]!.port, ["cluster", "slots"])) as Array<[number, number, [string, number]]>;
    return [...new Set(ranges.map((range) => range[2][1]))].sort((a, b) => a - b);
  }

  /** The process id of the node on `port` (for CPU figures). */
  pidOf(port: number): number {
    const pid = this.nodes.find((n) => n.port === port)?.process.pid;
    if (pid === undefined) throw new Error(`no node on port ${port}`);
    return pid;
  }

  /** SIGKILL, like a crashed machine; resolves once it is gone. */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    if (!node || node.process.exitCode !== null || node.process.signalCode !== null) return;
    const exited = once(node.process, "exit");
    node.process.kill("SIGKILL");
    await exited;
  }

  /** Sends a command to one node (its own connection, closed after). */
  async ask(port: number, command: [string, ...Array<string | number>]): Promise<unknown> {
    const redis = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on("error", () => {}); // reported through the rejected command
    try {
      await redis.connect();
      return await redis.call(...command);
    } finally {
      redis.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.kill(node.port)));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private live(): Node[] {
    return this.nodes.filter((node) => node.process.exitCode === null && node.process.signalCode === null);
  }

  /** What keeps the cluster from being healthy now, or null. */
  private async problem(): Promise<string | null> {
    const maps = new Set<string>();
    for (const node of this.live()) {
      const info = String(await this.ask(node.port, ["cluster", "info"]));
      if (!info.includes("cluster_state:ok")) return `${node.port} is not cluster_state:ok`;
      const replication = String(await this.ask(node.port, ["info", "replication"]));
      if (replication.includes("role:slave") && !replication.includes("master_link_status:up"))
        return `replica ${node.port} is not in sync`;
      // Who serves which slots, as this node sees it. Line: id addr flags master ping pong epoch link slot…
      const masters: string[] = [];
      for (const line of String(await this.ask(node.port, ["cluster", "nodes"])).split("\n")) {
        const [, address, flags, , , , , , ...slots] = line.trim().split(" ");
        if (!flags?.includes("master") || slots.length === 0) continue;
        if (flags.includes("fail")) return `${node.port} still sees failed master ${address} serving slots`;
        masters.push(`${address!.split("@")[0]} ${slots.join(",")}`);
      }
      maps.add(masters.sort().join("|"));
    }
    return maps.size === 1 ? null : "nodes disagree on the slot map";
  }
}
