/**
 * A feed's events as `tracked()` values for `presence.onChange`, in one of two ways:
 *
 * - Served by apps/server's subscription host, which knows the subscription's address
 *   (`ctx.frameAddress`): the feed writes every frame to the socket itself (coalesced per tick,
 *   each view serialized once), and the procedure only waits for the subscription to end
 *   (`framesUntilClosed`).
 * - Anywhere else (another transport, tRPC's own adapter): every event is yielded.
 *   (`createCaller` gets plain `{ id, data }` values instead: see caller-events.ts.)
 */
import { tracked, type TrackedEnvelope } from "@trpc/server";
import type { PresenceEvent } from "./events.js";
import { FrameWriter, TrackedIds, type FrameSocket, type SubscriptionAddress } from "./frame-writer.js";
import type { FriendFeed } from "./friend-feed.js";

export async function* trackedEvents(feed: FriendFeed, signal: AbortSignal): AsyncGenerator<TrackedEnvelope<PresenceEvent>, void> {
  const ids = new TrackedIds();
  for await (const event of feed.events(signal)) yield tracked(ids.next(), event);
}

/**
 * The feed writes every event to `socket` as frames of the subscription at `address`, until it
 * closes or `signal` aborts. A plain async function rather than another generator: an idle
 * subscription waits here for its whole life, and each suspended generator costs memory.
 */
export function framesUntilClosed(feed: FriendFeed, socket: FrameSocket, address: SubscriptionAddress, signal: AbortSignal): Promise<void> {
  feed.writeFrames(new FrameWriter(socket, address, new TrackedIds()));
  return feed.untilClosed(signal);
}
