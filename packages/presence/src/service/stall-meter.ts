/**
 * How long this process stood still between two runs of a periodic check, beyond the check's
 * own period: a paused VM or container, a SIGSTOP, a debugger, a machine that slept, an event
 * loop blocked for seconds, or the wall clock jumping ahead. Meanwhile the process read nothing
 * from anyone, and when it runs again its timers fire before it reads what clients sent. So a
 * check that judges clients by how long it has not heard from them would blame them for our
 * silence: it should not count this time against them (the checks shift their "last heard"
 * marks forward by it).
 *
 * A run up to one period late is not a stall: the TTL's and deadlines' margins cover that.
 */
export class StallMeter {
  private lastRunAt = Date.now();

  constructor(private readonly periodMs: number) {}

  /** Call once per run; how long the process stood still since the run before (0 when on time). */
  stalledMs(now: number): number {
    const late = now - this.lastRunAt - this.periodMs;
    this.lastRunAt = now;
    return late > this.periodMs ? late : 0;
  }
}

/** A "last heard" mark moved forward by `stalledMs` (never past `now`): the stall is not counted as silence. */
export function excuseStall(heardAt: number, stalledMs: number, now: number): number {
  return Math.min(now, heardAt + stalledMs);
}
