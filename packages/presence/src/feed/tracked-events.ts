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
  knownAddress: SubscriptionAddress | undefined,
): AsyncGenerator<TrackedEnvelope<PresenceEvent>, void> {
  const ids = new TrackedIds();
  const handoff: { address: SubscriptionAddress | null } = { address: (socket && knownAddress) ?? null };
  let first = true;
  if (!handoff.address) {
    for await (const event of feed.events(signal)) {
      // Only the first event (the snapshot) asks for the address: one handshake per subscription.
      const offered = socket && first ? withFrameSink(event, (address) => (handoff.address = address)) : event;
      first = false;
      yield tracked(ids.next(), offered);
      // The adapter has encoded and sent that event by now (see frame-sink.ts).
      if (handoff.address) break;
    }
  }
  if (!socket || !handoff.address) return;
  feed.writeFrames(new FrameWriter(socket, handoff.address, ids));
  await feed.untilClosed(signal);
}
