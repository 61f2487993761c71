/** Words for last-seen privacy (docs/protocol.md §9.3): the levels, and what a friend is shown. */
import type { LastSeenLevel } from "@herald/client";

export const LAST_SEEN_LEVEL_OPTIONS: ReadonlyArray<{ value: LastSeenLevel; label: string; hint: string }> = [
  { value: "friends", label: "Friends", hint: "Friends see the exact time" },
  { value: "approximate", label: "Approximate", hint: "Friends see “recently”, “within a week”…" },
  { value: "nobody", label: "Nobody", hint: "Nobody sees when you were last here" },
];

export const LAST_SEEN_LEVEL_LABEL: Record<LastSeenLevel, string> = {
  friends: "Friends",
  approximate: "Approximate",
  nobody: "Nobody",
};
