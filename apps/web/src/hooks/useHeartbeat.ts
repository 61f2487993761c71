/**
 * Tells the server this connection is alive, every third of the TTL it announces, so one lost
 * beat never lets a healthy connection expire. (WebSocket pings also count; the heartbeat keeps
 * us honest if a proxy in between answers pings itself.)
 */
import { DEFAULT_PRESENCE_TTL_SECONDS } from "@herald/protocol";
import { useEffect, useRef } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "../trpc/react";

/** Until the server has told us its TTL, assume the default (docs/protocol.md §4). */
const ASSUMED_TTL_SECONDS = DEFAULT_PRESENCE_TTL_SECONDS;
const MIN_INTERVAL_MS = 1_000;
/** After a failed beat (e.g. mid-reconnect), try again soon rather than a full interval later. */
const RETRY_MS = 5_000;

export function heartbeatIntervalMs(ttlSeconds: number): number {
  return Math.max(MIN_INTERVAL_MS, Math.floor((ttlSeconds * 1000) / 3));
}

export function useHeartbeat(): void {
  const trpc = useTRPC();
  const { mutateAsync } = useMutation(trpc.presence.heartbeat.mutationOptions());
  const beat = useRef(mutateAsync);
  beat.current = mutateAsync;

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let ttlSeconds = ASSUMED_TTL_SECONDS;
    const run = async () => {
      let delay = heartbeatIntervalMs(ttlSeconds);
      try {
        ttlSeconds = (await beat.current()).ttlSeconds;
        delay = heartbeatIntervalMs(ttlSeconds);
      } catch {
        delay = Math.min(RETRY_MS, delay);
      }
      if (!stopped) timer = setTimeout(() => void run(), delay);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
}
