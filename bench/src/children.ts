/** Child processes of the runner (servers and generators), driven by request/reply over IPC. */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

export class Child {
  private readonly waiters: Array<{ request: string; resolve: (reply: Record<string, unknown>) => void; reject: (error: Error) => void }> =
    [];
  private readonly tail: string[] = [];
  private exited = false;
  /** `metricsUrl`: a Herald server's /metrics (operators' port). */
  readonly ready: Promise<{ url: string; pid: number; metricsUrl?: string }>;

  constructor(
    readonly name: string,
    script: string,
    args: string[],
    /** `bundled`: `script` is a bundle's path (herald-bundle.ts), run by plain node, not a source file under src/. */
    options: { execArgv?: string[]; echo?: boolean; bundled?: boolean } = {},
  ) {
    // A source file runs through tsx, with the workspace's packages resolved to their sources.
    const [entry, loader] = options.bundled
      ? [script, []]
      : [join(BENCH_DIR, "src", script), ["--conditions=@herald/source", "--import", "tsx"]];
    this.process = fork(entry, args, {
      cwd: BENCH_DIR,
      execArgv: [...loader, "--expose-gc", ...(options.execArgv ?? [])],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
    });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        if (options.echo) process.stderr.write(`[${name}] ${line}\n`);
      }
    };
    this.process.stdout!.on("data", keep);
    this.process.stderr!.on("data", keep);
    this.ready = new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${name} exited (${code}) before it was ready:\n${this.tail.join("\n")}`));
      this.process.once("exit", onExit);
      this.process.on("message", (message: Record<string, unknown>) => {
        if (message.type === "ready") {
          this.process.off("exit", onExit);
          resolve(message as unknown as { url: string; pid: number; metricsUrl?: string });
        }
      });
    });
    this.ready.catch(() => {});
    this.process.on("message", (message: Record<string, unknown>) => {
      if (message.type !== "reply") return;
      const index = this.waiters.findIndex((w) => w.request === message.request);
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
    });
    this.process.on("exit", (code) => {
      this.exited = true;
      for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`${name} exited (${code}):\n${this.tail.join("\n")}`));
    });
  }

  readonly process: ChildProcess;

  get pid(): number {
    return this.process.pid!;
  }

  /** Keeps every thread of this process on these CPUs (`taskset` syntax, e.g. "0"). */
  pin(cpuList: string): void {
    pinProcess(this.pid, cpuList);
  }

  request<T = Record<string, unknown>>(message: { type: string } & Record<string, unknown>, timeoutMs = 600_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited:\n${this.tail.join("\n")}`));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no reply to ${message.type} in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        request: message.type,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.process.send(message);
    });
  }

  recentOutput(): string {
    return this.tail.join("\n");
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once("exit", () => resolve()));
    try {
      this.process.send({ type: "stop" });
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Every thread of `pid` on these CPUs, now and the threads it starts later (Linux `taskset`). */
export function pinProcess(pid: number, cpuList: string): void {
  execFileSync("taskset", ["-a", "-cp", cpuList, String(pid)], { stdio: "ignore" });
}
