/**
 * Pending requests, both ways, kept live by the server's `requests` events (useRequests), which
 * reach every device of both people: nothing polls, and answering one needs no refresh.
 */
import type { UserSummary } from "@herald/client";
import { useRequests, useTRPC } from "@herald/react";
import { useMutation } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorAlert } from "./ErrorAlert";

export function FriendRequests() {
  const trpc = useTRPC();
  const { incoming, outgoing } = useRequests();
  const accept = useMutation(trpc.friends.accept.mutationOptions());
  const remove = useMutation(trpc.friends.remove.mutationOptions());
  const busyWith = (userId: string) =>
    (accept.isPending && accept.variables.userId === userId) || (remove.isPending && remove.variables.userId === userId);
  const error = accept.error ?? remove.error;

  return (
    <section className="card" aria-labelledby="requests-title">
      <div className="card__header">
        <h2 id="requests-title">Requests</h2>
        {incoming.length > 0 ? <span className="pill pill--accent">{incoming.length} new</span> : null}
      </div>
      {incoming.length === 0 && outgoing.length === 0 ? <p className="empty">No pending requests.</p> : null}
      {incoming.length > 0 ? (
        <RequestList title="Wants to be friends" items={incoming} testIdPrefix="request-in">
          {(user) => (
            <>
              <button
                type="button"
                className="button button--primary button--small"
                disabled={busyWith(user.id)}
                aria-label={`Accept friend request from ${user.username}`}
                onClick={() => accept.mutate({ userId: user.id })}
              >
                Accept
              </button>
              <button
                type="button"
                className="button button--ghost button--small"
                disabled={busyWith(user.id)}
                aria-label={`Decline friend request from ${user.username}`}
                onClick={() => remove.mutate({ userId: user.id })}
              >
                Decline
              </button>
            </>
          )}
        </RequestList>
      ) : null}
      {outgoing.length > 0 ? (
        <RequestList title="Sent" items={outgoing} testIdPrefix="request-out">
          {(user) => (
            <button
              type="button"
              className="button button--ghost button--small"
              disabled={busyWith(user.id)}
              aria-label={`Cancel friend request to ${user.username}`}
              onClick={() => remove.mutate({ userId: user.id })}
            >
              Cancel
            </button>
          )}
        </RequestList>
      ) : null}
      <ErrorAlert error={error} />
    </section>
  );
}

function RequestList(props: {
  title: string;
  items: readonly UserSummary[];
  testIdPrefix: string;
  children: (user: UserSummary) => ReactNode;
}) {
  return (
    <div className="request-group">
      <h3>{props.title}</h3>
      <ul className="request-list">
        {props.items.map((user) => (
          <li key={user.id} className="request" data-testid={`${props.testIdPrefix}-${user.username}`}>
            <span className="request__name">{user.username}</span>
            <span className="request__actions">{props.children(user)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
