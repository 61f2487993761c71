/**
 * A redis-server of a test's own on a free port, to kill, hang and restart at will (the shared
 * Redis on 6379 must never be disturbed). Every one still running is killed when the test
 * process exits, even if an afterAll never ran.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export class RedisServer {
  private process: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const { ports, process } = await spawnOnFreePorts(1, ([port]) => ["--port", String(port)]);
    const server = new RedisServer(ports[0]!);
    server.process = process;
    return server;
  }

  /** Starts it again on the same port, empty (no persistence), like a replaced instance. */
  async restart(): Promise<void> {
    this.process = await spawnRedisServer(["--port", String(this.port)]);
  }

  /** The process id (for CPU figures), or undefined while it is stopped. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** SIGSTOP: it keeps its sockets and its data but answers nothing, like a hung host. */
  pause(): void {
    this.process?.kill("SIGSTOP");
  }

  resume(): void {
    this.process?.kill("SIGCONT");
  }

  /** Kills it like a crash (no goodbye to clients) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Starts /usr/bin/redis-server on 127.0.0.1 with nothing persisted, plus `args`, and resolves
 * once it accepts connections. Killed when the test process exits, whatever happens.
 */
export async function spawnRedisServer(args: string[]): Promise<ChildProcess> {
  const child = spawn("/usr/bin/redis-server", ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  void once(child, "exit").then(() => running.delete(child));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
  return child;
}

/** How many times a redis-server is started on new free ports after losing one of them. */
const PORT_ATTEMPTS = 5;

/**
 * A redis-server on `count` ports that were free a moment before (`argsFor` places them). Another
 * process (a test elsewhere, an outgoing connection) can take a port between `freePort` and the
 * server's bind, and it then exits "Failed listening on port": it is started again on new ports.
 */
export async function spawnOnFreePorts(
  count: number,
  argsFor: (ports: number[]) => string[],
): Promise<{ ports: number[]; process: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    while (ports.length < count) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    try {
      return { ports, process: await spawnRedisServer(argsFor(ports)) };
    } catch (error) {
      if (attempt >= PORT_ATTEMPTS || !/Failed listening on port/.test(String(error))) throw error;
    }
  }
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}
