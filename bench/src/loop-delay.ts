/** How long ready work waited for a process' thread, over a span (a step): a stall shows here. */
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/** Sampled this often (ms): finer than the stalls worth reporting. */
const RESOLUTION_MS = 5;

export interface LoopDelay {
  p99: number;
  max: number;
}

export class LoopDelayMeter {
  private histogram: IntervalHistogram | null = null;

  start(): void {
    this.histogram?.disable();
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
  }

  /** The delay since `start`, ms; undefined if it was not started or saw no sample. */
  stop(): LoopDelay | undefined {
    const histogram = this.histogram;
    this.histogram = null;
    histogram?.disable();
    if (!histogram || histogram.count === 0) return undefined;
    // Nanoseconds in the histogram; the sampling interval itself is not delay.
    const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    return { p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
  }
}
