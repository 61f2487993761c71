/** One friend: who, how they are (dot and words, and until when), their message, and unfriending. */
import { useState } from "react";
import { VISIBLE_STATUS_LABEL } from "../display/status-labels";
import type { Friend } from "@herald/client";
import { Avatar } from "./Avatar";
import { LastSeen } from "./LastSeen";
import { UntilTime } from "./UntilTime";

export function FriendRow(props: { friend: Friend; now: number; onUnfriend: (friend: Friend) => void; removing: boolean }) {
  const { friend, now, onUnfriend, removing } = props;
  const { status, message, lastSeen, until } = friend.presence;
  const [confirming, setConfirming] = useState(false);

  return (
    <li className={`friend friend--${status}`} data-testid={`friend-${friend.username}`} data-status={status}>
      <Avatar name={friend.username} status={status} />
      <div className="friend__body">
        <div className="friend__name">{friend.username}</div>
        <div className="friend__status">
          <span className="friend__status-label">{VISIBLE_STATUS_LABEL[status]}</span>
          {status !== "offline" && until ? (
            <>
              <span aria-hidden="true"> · </span>
              <UntilTime at={until} now={now} />
            </>
          ) : null}
          {status === "offline" && lastSeen ? (
            <>
              <span aria-hidden="true"> · </span>
              <LastSeen at={lastSeen} now={now} />
            </>
          ) : null}
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
