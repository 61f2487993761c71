/**
 * How a feed's events leave it, in one of two ways behind one interface:
 *
 * - `PulledDelivery`: pulled one by one (`events()`), e.g. by a tRPC async generator, or all at
 *   once (`takeQueued`, for tests and transports that write in batches).
 * - `FrameDelivery`: written as frames straight to the subscriber's socket (see frame-writer.ts),
 *   once per tick: everything that arrived in that tick leaves together, updates as one `updates`.
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
  /** Something was queued. */
  queued(): void;
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

/** Events written as frames at the end of each tick in which some were queued. */
export class FrameDelivery implements FeedDelivery {
  private scheduled = false;
  private dueAt = 0;
  private closed = false;

  constructor(
    private readonly frames: FrameWriter,
    /** The feed (not closures over it: a few hundred bytes less per connection). */
    private readonly feed: QueuedEvents,
  ) {}

  queued(): void {
    if (this.scheduled) {
      if (Date.now() > this.dueAt) this.flush(); // starved: see MAX_FLUSH_WAIT_MS
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

  /** @internal (for `flushLater`) */
  flush(): void {
    this.scheduled = false;
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
