/** Reads a process's CPU time and resident memory from /proc (Linux), and the machine's CPU. */
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** CPU time of a process (all its threads), or with `mainThread` of its main thread alone, ms. */
export function processCpuMs(pid: number, mainThread = false): number {
  try {
    const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat; after the ")" they are 12th and 13th.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export function processRssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Busy and total jiffies of the whole machine, and of the busy ones those stolen: time the
 * hypervisor gave another guest while this one wanted to run (a shared VM's host is busy).
 */
export function machineCpu(): { busy: number; total: number; steal: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const values = line.split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total, steal: values[7] ?? 0 };
}

/**
 * CPU use of a set of processes between two moments, in cores (1.0 = one core busy); with
 * `mainThread`, of their main threads only (a Node process's JavaScript thread; the rest is
 * V8's and libuv's helpers, and the kernel's work done on the process's behalf elsewhere).
 */
export class CpuMeter {
  private startCpu = 0;
  private startAt = 0;
  constructor(
    private readonly pids: () => number[],
    private readonly mainThread = false,
  ) {}
  start(): void {
    this.startCpu = this.total();
    this.startAt = performance.now();
  }
  cores(): number {
    const elapsed = performance.now() - this.startAt;
    return elapsed > 0 ? (this.total() - this.startCpu) / elapsed : 0;
  }
  /** CPU milliseconds used since `start`. */
  usedMs(): number {
    return this.total() - this.startCpu;
  }
  private total(): number {
    return this.pids().reduce((sum, pid) => sum + processCpuMs(pid, this.mainThread), 0);
  }
}
