/** Your friends, live: who is around first, then who was around most recently (the SDK's order). */
import { useFriends, useSynced, useTRPC } from "@herald/react";
import { useMutation } from "@tanstack/react-query";
import { useNow } from "../hooks/useNow";
import { ErrorAlert } from "./ErrorAlert";
import { FriendRow } from "./FriendRow";

/** "Last seen" words change at most once a minute; checking twice as often keeps them right. */
const CLOCK_TICK_MS = 30_000;

export function FriendList() {
  const trpc = useTRPC();
  const friends = useFriends();
  // Before the first snapshot an empty list means "not known yet", not "no friends".
  const loading = !useSynced() && friends.length === 0;
  const now = useNow(CLOCK_TICK_MS);
  // The list follows by itself: the server's `friend_removed` event takes them off.
  const remove = useMutation(trpc.friends.remove.mutationOptions());
  const around = friends.filter((friend) => friend.presence.status !== "offline").length;

  return (
    <section className="card friends" aria-labelledby="friends-title">
      <div className="card__header">
        <h2 id="friends-title">Friends</h2>
        {friends.length > 0 ? (
          <span className="pill" data-testid="friends-around">
            {around} of {friends.length} around
          </span>
        ) : null}
      </div>
      {loading ? <p className="empty">Loading your friends…</p> : null}
      {!loading && friends.length === 0 ? (
        <div className="empty empty--big">
          <p className="empty__title">No friends yet</p>
          <p>Add someone by their username to see when they're around.</p>
        </div>
      ) : null}
      {friends.length > 0 ? (
        <ul className="friend-list" aria-label="Friends">
          {friends.map((friend) => (
            <FriendRow
              key={friend.id}
              friend={friend}
              now={now}
              removing={remove.isPending && remove.variables.userId === friend.id}
              onUnfriend={(f) => remove.mutate({ userId: f.id })}
            />
          ))}
        </ul>
      ) : null}
      <ErrorAlert error={remove.error} />
    </section>
  );
}
