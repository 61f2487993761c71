/**
 * The control channel every benchmarked server process answers on (IPC from the runner):
 * forced GC and memory figures, CPU profiles and heap snapshots on demand, and stop.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { getHeapStatistics, writeHeapSnapshot } from "node:v8";
import { LoopDelayMeter, type LoopDelay } from "./loop-delay.js";

const ALLOC_PROFILE = Boolean(process.env.BENCH_ALLOC_PROFILE);
/**
 * The CPU profiler's sampling interval, µs. 200 resolves short functions but costs the server
 * ~10 % more CPU, which at 1,000 changes/s pushes it into saturation; BENCH_PROFILE_INTERVAL_US
 * (e.g. 2000) watches the stalls of an unsaturated server without making its own.
 */
const PROFILE_INTERVAL_US = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 200);
/**
 * One sample per 4 KiB allocated, keeping those a GC has since collected (most of a server's).
 * BENCH_ALLOC_SURVIVORS=1 leaves out what a scavenge collected: what is left is what was promoted
 * to the old generation (or is still alive), the bytes that make major collections come often.
 */
const ALLOC_SAMPLING = {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: !process.env.BENCH_ALLOC_SURVIVORS,
};

export type ControlRequest =
  | { type: "gc" }
  | { type: "profile-start" }
  | { type: "profile-stop"; path: string }
  | { type: "heap-snapshot"; path: string }
  /** Start measuring event-loop delay (one step); `loop-stop` answers what was measured. */
  | { type: "loop-start" }
  | { type: "loop-stop" }
  | { type: "stop" };

export interface ControlReply {
  type: "reply";
  request: ControlRequest["type"];
  /** V8 heap in use, bytes. (RSS is read by the runner from /proc: `process.memoryUsage()` opens a
   * file, which fails with EMFILE when the server holds as many sockets as its fd limit allows.) */
  heapUsed?: number;
  path?: string;
  /** Event-loop delay since `loop-start`, ms: how long ready work waited for the thread. */
  loopDelay?: LoopDelay;
}

export function answerControl(stop: () => Promise<void>): void {
  let session: Session | null = null;
  const loopDelay = new LoopDelayMeter();
  const reply = (message: ControlReply) => process.send?.(message);
  process.on("message", (raw) => {
    const request = raw as ControlRequest;
    void (async () => {
      switch (request.type) {
        case "gc": {
          const gc = (globalThis as { gc?: () => void }).gc;
          for (let i = 0; i < 3; i++) gc?.();
          await new Promise((resolve) => setTimeout(resolve, 50));
          gc?.();
          return reply({ type: "reply", request: "gc", heapUsed: getHeapStatistics().used_heap_size });
        }
        case "profile-start": {
          session = new Session();
          session.connect();
          await session.post("Profiler.enable");
          await session.post("Profiler.setSamplingInterval", { interval: PROFILE_INTERVAL_US });
          await session.post("Profiler.start");
          // BENCH_ALLOC_PROFILE=1: where the bytes are allocated too, the collected ones included.
          if (ALLOC_PROFILE) await session.post("HeapProfiler.startSampling", ALLOC_SAMPLING);
          return reply({ type: "reply", request: "profile-start" });
        }
        case "profile-stop": {
          if (session) {
            const { profile } = await session.post("Profiler.stop");
            writeFileSync(request.path, JSON.stringify(profile));
            if (ALLOC_PROFILE) {
              const { profile: allocations } = await session.post("HeapProfiler.stopSampling");
              writeFileSync(request.path.replace(/\.cpuprofile$/, ".heapprofile"), JSON.stringify(allocations));
            }
            session.disconnect();
            session = null;
          }
          return reply({ type: "reply", request: "profile-stop", path: request.path });
        }
        case "loop-start": {
          loopDelay.start();
          return reply({ type: "reply", request: "loop-start" });
        }
        case "loop-stop": {
          const measured = loopDelay.stop();
          return reply({ type: "reply", request: "loop-stop", ...(measured ? { loopDelay: measured } : {}) });
        }
        case "heap-snapshot": {
          const path = writeHeapSnapshot(request.path);
          return reply({ type: "reply", request: "heap-snapshot", path });
        }
        case "stop": {
          await stop().catch((error) => console.error("stop failed:", error));
          reply({ type: "reply", request: "stop" });
          process.exit(0);
        }
      }
    })();
  });
  process.on("disconnect", () => void stop().finally(() => process.exit(0)));
}
