/** "Last seen recently": what a friend who shares their last seen only approximately shows. */
import type { VisiblePresence } from "@herald/client";

export function LastSeenBucket({ bucket }: { bucket: NonNullable<VisiblePresence["lastSeenBucket"]> }) {
  return <span className="last-seen">Last seen {bucket}</span>;
}
