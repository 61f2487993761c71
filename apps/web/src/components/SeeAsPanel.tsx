/** "See as…": pick a friend, see exactly what they see of you now, and why (docs/protocol.md §9.4). */
import { useFriends, usePreview } from "@herald/react";
import { useState } from "react";
import { useNow } from "../hooks/useNow";
import { ErrorAlert } from "./ErrorAlert";
import { PresenceSummary } from "./PresenceSummary";

export function SeeAsPanel() {
  const friends = useFriends();
  const [friendId, setFriendId] = useState<string | null>(null);
  const chosen = friends.some((friend) => friend.id === friendId) ? friendId : null;
  const preview = usePreview(chosen);
  const now = useNow(30_000);
  if (friends.length === 0) return null;
  return (
    <section className="card see-as" aria-labelledby="see-as-title">
      <div className="card__header">
        <h2 id="see-as-title">See as…</h2>
      </div>
      <label className="field">
        <span className="field__label">Friend</span>
        <select value={chosen ?? ""} onChange={(event) => setFriendId(event.target.value || null)}>
          <option value="">Pick a friend</option>
          {[...friends]
            .sort((a, b) => a.username.localeCompare(b.username))
            .map((friend) => (
              <option key={friend.id} value={friend.id}>
                {friend.username}
              </option>
            ))}
        </select>
      </label>
      {preview.data ? (
        <div data-testid="see-as-result">
          <p className="friend__status" data-testid="see-as-view" data-status={preview.data.view.status}>
            <PresenceSummary presence={preview.data.view} now={now} />
          </p>
          {preview.data.view.message ? <p className="friend__message">{preview.data.view.message}</p> : null}
          <ul className="see-as__reasons" aria-label="Why">
            {preview.data.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <ErrorAlert error={preview.error} />
    </section>
  );
}
