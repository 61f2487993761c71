/**
 * Ends statuses and messages when their `until` comes (docs/protocol.md §9.1). The database is
 * the clock's memory: every server looks there for ends coming soon and sets a timer for each, so
 * an end fires whether or not its user is connected, and after a restart. Every server ends it;
 * the compare-and-set write lets exactly one of them change the row and publish the change.
 */
import type { Logger } from "../logger.js";
import type { PresenceService } from "./presence-service.js";

/** How often each server looks for ends coming soon. */
export const CHOICE_END_SCAN_MS = 500;
/** Each look covers ends this far ahead, so every end has a timer before it is due. */
const LOOKAHEAD_MS = 2 * CHOICE_END_SCAN_MS;
/** Rows read per look, soonest first; more wait for the next one. */
const SCAN_BATCH = 500;
/** A timer fires this long after its end, so that rounding never finds the end still to come. */
const END_SLACK_MS = 2;

export class ChoiceEnds {
  private readonly interval: NodeJS.Timeout;
  /** Per user, the timer that ends their next status or message, and when it fires. */
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private scanning = false;
  /** Set while scans (or ends) fail, so that an outage is logged once, not twice a second. */
  private failing = false;
  private endsFailing = false;
  private closed = false;

  constructor(
    private readonly service: PresenceService,
    private readonly log: Logger,
  ) {
    this.interval = setInterval(() => void this.scan(), CHOICE_END_SCAN_MS);
    this.interval.unref();
    void this.scan(); // at start: ends that came while no server was running fire now
  }

  /** Sets a timer for every end due within the lookahead (one already set earlier stays). */
  async scan(): Promise<void> {
    if (this.scanning || this.closed) return;
    this.scanning = true;
    try {
      const ends = await this.service.choicesEndingBy(new Date(Date.now() + LOOKAHEAD_MS), SCAN_BATCH);
      for (const [userId, end] of ends) this.schedule(userId, Date.parse(end) + END_SLACK_MS);
      if (this.failing) this.log.info({}, "looking for statuses that end works again");
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.log.warn({ err: error }, "looking for statuses that end failed; will retry");
      this.failing = true;
    } finally {
      this.scanning = false;
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.interval);
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(userId: string, at: number): void {
    const scheduled = this.timers.get(userId);
    if (this.closed || (scheduled && scheduled.at <= at)) return;
    if (scheduled) clearTimeout(scheduled.timer);
    const timer = setTimeout(
      () => {
        this.timers.delete(userId);
        // A failure leaves the row due: the next scan finds it again.
        this.service.endChoices(userId).then(
          () => {
            this.endsFailing = false;
          },
          (error: unknown) => {
            if (!this.endsFailing) this.log.warn({ err: error, userId }, "ending a status failed; will retry");
            this.endsFailing = true;
          },
        );
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
    this.timers.set(userId, { at, timer });
  }
}
