/**
 * Per friend, a last-seen level that replaces your default for them ("Default" removes it).
 * Folded away by default: most people never make one, and a select per friend is a long list.
 */
import type { Friend, LastSeenLevel } from "@herald/client";
import { LAST_SEEN_LEVEL_LABEL, LAST_SEEN_LEVEL_OPTIONS } from "../display/last-seen-labels";

export function LastSeenExceptions(props: {
  friends: readonly Friend[];
  exceptions: Readonly<Record<string, LastSeenLevel>>;
  level: LastSeenLevel;
  onChange: (exceptions: Record<string, LastSeenLevel>) => void;
}) {
  const { friends, exceptions, level, onChange } = props;
  const choose = (friendId: string, choice: string) => {
    const { [friendId]: _old, ...rest } = exceptions;
    onChange(choice === "default" ? rest : { ...rest, [friendId]: choice as LastSeenLevel });
  };
  if (friends.length === 0) return null;
  return (
    <details className="allow-list exceptions">
      <summary>Exceptions ({Object.keys(exceptions).length})</summary>
      <ul className="allow-list__items">
        {[...friends]
          .sort((a, b) => a.username.localeCompare(b.username))
          .map((friend) => (
            <li key={friend.id}>
              <label className="exception">
                {friend.username}{" "}
                <select value={exceptions[friend.id] ?? "default"} onChange={(event) => choose(friend.id, event.target.value)}>
                  <option value="default">Default ({LAST_SEEN_LEVEL_LABEL[level]})</option>
                  {LAST_SEEN_LEVEL_OPTIONS.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
              </label>
            </li>
          ))}
      </ul>
    </details>
  );
}
