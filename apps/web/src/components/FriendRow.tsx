/** One friend: who, how they are (dot and words, and until when), their message, and unfriending. */
import { useState } from "react";
import type { Friend } from "@herald/client";
import { Avatar } from "./Avatar";
import { PresenceSummary } from "./PresenceSummary";

export function FriendRow(props: { friend: Friend; now: number; onUnfriend: (friend: Friend) => void; removing: boolean }) {
  const { friend, now, onUnfriend, removing } = props;
  const { status, message } = friend.presence;
  const [confirming, setConfirming] = useState(false);

  return (
    <li className={`friend friend--${status}`} data-testid={`friend-${friend.username}`} data-status={status}>
      <Avatar name={friend.username} status={status} />
      <div className="friend__body">
        <div className="friend__name">{friend.username}</div>
        <div className="friend__status">
          <PresenceSummary presence={friend.presence} now={now} />
        </div>
        {message ? (
          <p className="friend__message" title={message}>
            {message}
          </p>
        ) : null}
      </div>
      <div className="friend__actions">
        {confirming ? (
          <>
            <button type="button" className="button button--danger button--small" disabled={removing} onClick={() => onUnfriend(friend)}>
              Unfriend
            </button>
            <button type="button" className="button button--ghost button--small" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button
            type="button"
            className="button button--ghost button--small"
            aria-label={`Remove ${friend.username} from friends`}
            onClick={() => setConfirming(true)}
          >
            Remove
          </button>
        )}
      </div>
    </li>
  );
}
