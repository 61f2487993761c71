/**
 * The live feed (`presence.onChange`): friends' presence from its events, your own from `self`
 * events (changes made on your other devices), pending friend requests from `requests` events.
 * The server sends a fresh snapshot on every (re)subscribe, so after a reconnect everything is
 * replaced, not patched (and the request lists, which the snapshot does not carry, are refetched).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useReducer } from "react";
import { applyPresenceEvent, INITIAL_FEED_STATE, type PresenceFeedState } from "../presence/friend-presence";
import type { PresenceEvent } from "../presence/types";
import { useTRPC } from "../trpc/react";

export function usePresenceFeed(): PresenceFeedState {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [feed, dispatch] = useReducer(applyPresenceEvent, INITIAL_FEED_STATE);

  const refetchFriends = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.friends.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.friends.requests.queryKey() });
  };

  const onEvent = (event: PresenceEvent) => {
    dispatch(event);
    switch (event.type) {
      case "self":
        queryClient.setQueryData(trpc.presence.me.queryKey(), event.presence);
        break;
      case "snapshot":
        // Anything may have changed while we were away: who our friends are, and what we
        // chose on another device. The snapshot has presence; the list has the names.
        refetchFriends();
        void queryClient.invalidateQueries({ queryKey: trpc.presence.me.queryKey() });
        break;
      case "friend_added":
      case "friend_removed":
        refetchFriends();
        break;
      case "requests":
        queryClient.setQueryData(trpc.friends.requests.queryKey(), { incoming: event.incoming, outgoing: event.outgoing });
        break;
    }
  };

  useSubscription(trpc.presence.onChange.subscriptionOptions(undefined, { onData: ({ data }) => onEvent(data) }));
  return feed;
}
