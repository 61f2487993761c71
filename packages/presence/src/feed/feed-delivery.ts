/**
 * How a feed's events leave it, in one of two ways behind one interface:
 *
 * - `PulledDelivery`: pulled one by one (`events()`), e.g. by a tRPC async generator, or all at
 *   once (`takeQueued`, for tests and transports that write in batches).
 * - `FrameDelivery`: written as frames straight to the subscriber's socket (see frame-writer.ts),
 *   once per tick: everything that arrived in that tick leaves together, updates as one `updates`.
 *   What can wait (a friend's arrival) waits for the next shared beat instead, or for the next
 *   event that cannot wait, and leaves with it.
 *
 * The feed hands over queue items; what each item becomes (or whether it became nothing, when the
 * viewer's view went back to what they already have) is the feed's to say, at the moment it leaves.
 */
import type { PresenceEvent } from "./events.js";
import type { FrameWriter } from "./frame-writer.js";

/**
 * How long a scheduled flush may wait. setImmediate runs only once the microtask queue is empty,
 * and the embedded database works through a queue of writes in one long run of microtasks, each
 * write publishing a change; past this, the next change to arrive flushes at once.
 */
export const MAX_FLUSH_WAIT_MS = 25;

/**
 * How long a friend's arrival (offline to visible, in this viewer's view) may wait to leave with
 * others. In a connect burst each connected viewer hears of several arrivals a second, each its
 * own frame and `write` syscall (~11 frames per connect, a sixth of its CPU: BENCHMARKS.md);
 * held to one beat, those of a tenth of a second leave as one `updates` frame. Nobody notices a
 * friend appear a tenth of a second later. Changes of status and message are never held, and
 * the beat is the same for every cause of an arrival (a connect, leaving invisible, being
 * allowed), so the delay tells nobody more than the arrival itself does (rule 5).
 */
export const ARRIVAL_HOLD_MS = 100;

/** A feed, as its frame delivery sees it. */
export interface QueuedEvents {
  /** Turns the queued items into the events to send now. */
  takeQueued(): PresenceEvent[];
  /** Writing failed: the feed closes. */
  fail(error: unknown): void;
}
/** Turns the next queued item into its event: null when it became nothing, undefined when none is queued. */
export type TakeNext = () => PresenceEvent | null | undefined;

export interface FeedDelivery {
  /** Something was queued; `canWait` when it may wait for the next beat (ARRIVAL_HOLD_MS). */
  queued(canWait?: boolean): void;
  close(): void;
}

/** Events pulled by the transport. */
export class PulledDelivery implements FeedDelivery {
  private wake: (() => void) | null = null;
  private closed = false;

  queued(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  close(): void {
    this.closed = true;
    this.queued();
  }

  /**
   * Every event as it is queued, until the feed closes or `signal` aborts. Each item is resolved
   * only when pulled, so updates that pile up meanwhile still coalesce into it.
   */
  async *events(takeNext: TakeNext, signal: AbortSignal): AsyncGenerator<PresenceEvent> {
    while (!this.closed && !signal.aborted) {
      const event = takeNext();
      if (event === undefined) await this.nextWork(signal);
      else if (event) yield event;
    }
  }

  private nextWork(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.wake = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

/**
 * Events written as frames at the end of each tick in which some were queued, or, when all of
 * them can wait, at the next beat.
 */
export class FrameDelivery implements FeedDelivery {
  /** A flush at the end of this tick is scheduled. */
  private scheduled = false;
  private dueAt = 0;
  private closed = false;

  constructor(
    private readonly frames: FrameWriter,
    /** The feed (not closures over it: a few hundred bytes less per connection). */
    private readonly feed: QueuedEvents,
  ) {}

  queued(canWait = false): void {
    if (this.scheduled) {
      if (Date.now() > this.dueAt) this.flush(); // starved: see MAX_FLUSH_WAIT_MS
      return;
    }
    if (canWait) {
      waitForBeat(this);
      return;
    }
    this.scheduled = true;
    this.dueAt = Date.now() + MAX_FLUSH_WAIT_MS;
    // A shared function rather than a per-feed closure: a few hundred bytes less per connection.
    setImmediate(flushLater, this);
  }

  close(): void {
    this.closed = true;
  }

  /** @internal (for the beat) Flushes what waited for it, unless a flush this tick will. */
  beat(): void {
    if (!this.scheduled) this.flush();
  }

  /** @internal (for `flushLater`) */
  flush(): void {
    this.scheduled = false;
    waitingForBeat.delete(this); // what waited leaves now
    if (this.closed) return;
    try {
      for (const event of this.feed.takeQueued()) this.frames.write(event);
    } catch (error) {
      // Outside any tRPC call here: left alone, this would take the whole process down.
      this.feed.fail(error);
    }
  }
}

function flushLater(delivery: FrameDelivery): void {
  delivery.flush();
}

/**
 * Deliveries waiting for the beat: one timer for all of them rather than one per socket. A
 * delivery leaves the set when it flushes, at the beat or before it.
 */
const waitingForBeat = new Set<FrameDelivery>();
let beatArmed = false;

function waitForBeat(delivery: FrameDelivery): void {
  waitingForBeat.add(delivery);
  if (beatArmed) return;
  beatArmed = true;
  // Unref'd: held arrivals are no reason to keep a process alive that has nothing else to do.
  setTimeout(beat, ARRIVAL_HOLD_MS).unref();
}

function beat(): void {
  beatArmed = false;
  const due = [...waitingForBeat];
  waitingForBeat.clear();
  for (const delivery of due) delivery.beat();
}
