/**
 * A feed's events as `tracked()` values for `presence.onChange`, in one of three ways:
 *
 * - Served by apps/server's subscription host, which knows the subscription's address: the feed
 *   writes every frame to the socket itself, the snapshot too, and this generator only waits for
 *   the subscription to end.
 * - Over a WebSocket served by tRPC's adapter with `frameSinkEncoder`: the snapshot goes through
 *   tRPC as usual, which tells us the address (frame-sink.ts); then the feed writes its frames
 *   itself (coalesced per tick, each view serialized once). That skips the adapter's per-event
 *   promise race, envelope copies and `JSON.stringify`.
 * - Anywhere else (another transport, an encoder without the handshake): every event is yielded.
 *   (`createCaller` gets plain `{ id, data }` values instead: see caller-events.ts.)
 */
import { tracked, type TrackedEnvelope } from "@trpc/server";
import type { PresenceEvent } from "./events.js";
import { withFrameSink, type FrameSocket, type SubscriptionAddress } from "./frame-sink.js";
import { FrameWriter, TrackedIds } from "./frame-writer.js";
import type { FriendFeed } from "./friend-feed.js";

export async function* trackedEvents(
  feed: FriendFeed,
  socket: FrameSocket | null,
  signal: AbortSignal,
): AsyncGenerator<TrackedEnvelope<PresenceEvent>, void> {
  const ids = new TrackedIds();
  const handoff: { address: SubscriptionAddress | null } = { address: null };
  let first = true;
  for await (const event of feed.events(signal)) {
    // Only the first event (the snapshot) asks for the address: one handshake per subscription.
    const offered = socket && first ? withFrameSink(event, (address) => (handoff.address = address)) : event;
    first = false;
    yield tracked(ids.next(), offered);
    // The adapter has encoded and sent that event by now (see frame-sink.ts).
    if (handoff.address) break;
  }
  if (!socket || !handoff.address) return;
  await framesUntilClosed(feed, socket, handoff.address, signal, ids);
}

/**
 * The feed writes every event to `socket` as frames of the subscription at `address`, until it
 * closes or `signal` aborts. A plain async function rather than another generator: an idle
 * subscription waits here for its whole life, and each suspended generator costs memory.
 */
export function framesUntilClosed(
  feed: FriendFeed,
  socket: FrameSocket,
  address: SubscriptionAddress,
  signal: AbortSignal,
  ids = new TrackedIds(),
): Promise<void> {
  feed.writeFrames(new FrameWriter(socket, address, ids));
  return feed.untilClosed(signal);
}
