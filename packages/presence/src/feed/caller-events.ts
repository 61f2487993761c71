/**
 * A feed's events for a server-side caller (`createCaller`), as `{ id, data }`.
 *
 * tRPC hands a caller the subscription generator's raw values, and a `tracked()` value is an
 * `[id, data, symbol]` tuple, while the type tRPC infers for the output (and the shape every
 * transport delivers) is `{ id, data }`. Yielding that shape here makes the caller's values match
 * its types. The cast keeps the procedure's inferred output the `tracked()` one, so the router's
 * types stay the same for every client.
 */
import type { TrackedEnvelope } from "@trpc/server";
import type { PresenceEvent } from "./events.js";
import { TrackedIds } from "./frame-writer.js";
import type { FriendFeed } from "./friend-feed.js";

export async function* callerEvents(feed: FriendFeed, signal: AbortSignal): AsyncGenerator<TrackedEnvelope<PresenceEvent>, void> {
  const ids = new TrackedIds();
  for await (const data of feed.events(signal)) {
    yield { id: ids.next(), data } as unknown as TrackedEnvelope<PresenceEvent>;
  }
}
