/**
 * "See as" (docs/protocol.md §9.4): what one friend sees of you now, and why. Asked again
 * whenever your own presence or what you see of that friend changes, since either may change
 * their view of you, and every few seconds while shown: some changes reach nobody's feed of you
 * (a fade ending after the offline grace, the friend changing their own last-seen level).
 * `null` asks nothing.
 */
import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { Preview } from "@herald/client";
import { useHeraldClient } from "./client-context.js";
import { useClientValue } from "./use-client-value.js";

const REFRESH_MS = 3_000;

export function usePreview(friendId: string | null): UseQueryResult<Preview, Error> {
  const client = useHeraldClient();
  const own = useClientValue((c) => c.getOwnPresence());
  const friend = useClientValue((c) => (friendId === null ? undefined : c.getPresence(friendId)));
  return useQuery({
    queryKey: ["herald", "preview", friendId, own, friend],
    queryFn: () => client.preview(friendId!),
    enabled: friendId !== null,
    staleTime: 0,
    refetchInterval: REFRESH_MS,
  });
}
