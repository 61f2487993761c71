/**
 * A feed's events as `tracked()` values for `presence.onChange`, in one of two ways:
 *
 * - Served by apps/server's subscription host, which knows the subscription (`ctx.hosted`): the
 *   feed writes every frame to the socket itself (coalesced per tick, each view serialized once)
 *   until the host stops it or it closes (`handOverToFrames`).
 * - Anywhere else (another transport, tRPC's own adapter): every event is yielded.
 *   (`createCaller` gets plain `{ id, data }` values instead: see caller-events.ts.)
 */
import { tracked, type TrackedEnvelope } from "@trpc/server";
import type { PresenceEvent } from "./events.js";
import { FrameWriter, TrackedIds, type FrameSocket, type HostedSubscription } from "./frame-writer.js";
import type { FriendFeed } from "./friend-feed.js";

export async function* trackedEvents(feed: FriendFeed, signal: AbortSignal): AsyncGenerator<TrackedEnvelope<PresenceEvent>, void> {
  const ids = new TrackedIds();
  for await (const event of feed.events(signal)) yield tracked(ids.next(), event);
}

/**
 * From now on the feed writes every event to `socket` as frames of `hosted`, until the host stops
 * it or it closes (fails included); then `release` runs, and the host hears of the end.
 */
export function handOverToFrames(feed: FriendFeed, socket: FrameSocket, hosted: HostedSubscription, release: () => void): void {
  feed.writeFrames(new FrameWriter(socket, hosted, new TrackedIds()));
  hosted.feed = feed;
  feed.whenClosed(() => {
    release();
    hosted.ended();
  });
  if (hosted.stopRequested) feed.close(); // stopped while the snapshot was read
}
