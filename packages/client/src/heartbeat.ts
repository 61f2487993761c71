/**
 * Tells the server this connection is alive, every third of the TTL it announces, so one lost
 * beat never lets a healthy connection expire (docs/protocol.md §5). The server's own pings count
 * too; the heartbeat keeps us alive where something in between answers (or eats) those pings.
 * It beats only while connected: a call on a dropped socket would open a new one at once,
 * skipping the reconnect backoff.
 */
import { DEFAULT_PRESENCE_TTL_SECONDS } from "@herald/protocol";

/** Never more often than this, whatever TTL a server announces. */
const MIN_INTERVAL_MS = 1_000;
/** After a failed beat, try again soon rather than a full interval later. */
const RETRY_MS = 5_000;

export function heartbeatIntervalMs(ttlSeconds: number): number {
  return Math.max(MIN_INTERVAL_MS, Math.floor((ttlSeconds * 1000) / 3));
}

export interface Heartbeat {
  /** Beats now, then on schedule; restarts the schedule if already running. */
  start(): void;
  stop(): void;
}

export function createHeartbeat(beat: () => Promise<{ ttlSeconds: number }>): Heartbeat {
  // Until a server has told us its TTL, assume the default (docs/protocol.md §4).
  let ttlSeconds = DEFAULT_PRESENCE_TTL_SECONDS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let run = 0;

  const tick = async (myRun: number) => {
    let delay: number;
    try {
      ttlSeconds = (await beat()).ttlSeconds;
      delay = heartbeatIntervalMs(ttlSeconds);
    } catch {
      // Usually the socket dropped; `stop` ends this run then. Otherwise (a rare server error) retry soon.
      delay = Math.min(RETRY_MS, heartbeatIntervalMs(ttlSeconds));
    }
    if (myRun === run) timer = setTimeout(() => void tick(myRun), delay);
  };

  return {
    start() {
      clearTimeout(timer);
      void tick(++run);
    },
    stop() {
      run++;
      clearTimeout(timer);
    },
  };
}
