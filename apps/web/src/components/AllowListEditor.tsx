/** While invisible: the friends who still see you as online. */
import type { Friend } from "@herald/client";

export function AllowListEditor(props: {
  friends: readonly Friend[];
  visibleTo: readonly string[];
  onChange: (visibleTo: string[]) => void;
  saving: boolean;
}) {
  const { friends, visibleTo, onChange, saving } = props;
  const allowed = new Set(visibleTo);
  const toggle = (friendId: string, on: boolean) => {
    const next = new Set(allowed);
    if (on) next.add(friendId);
    else next.delete(friendId);
    onChange([...next]);
  };
  return (
    <fieldset className="allow-list" aria-busy={saving}>
      <legend>Still visible to</legend>
      <p className="field__hint">These friends see you online while you're invisible; everyone else sees you offline.</p>
      {friends.length === 0 ? (
        <p className="empty">Add friends to choose who can still see you.</p>
      ) : (
        <ul className="allow-list__items">
          {[...friends]
            .sort((a, b) => a.username.localeCompare(b.username))
            .map((friend) => (
              <li key={friend.id}>
                <label className="checkbox">
                  <input type="checkbox" checked={allowed.has(friend.id)} onChange={(event) => toggle(friend.id, event.target.checked)} />
                  {friend.username}
                </label>
              </li>
            ))}
        </ul>
      )}
    </fieldset>
  );
}
