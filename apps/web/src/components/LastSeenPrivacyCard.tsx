/** "Last seen": who sees when you were last here, by default and per friend (docs/protocol.md §9.3). */
import type { LastSeenPrivacy } from "@herald/client";
import { useFriends, useOwnPresence } from "@herald/react";
import { startTransition, useOptimistic } from "react";
import { ErrorAlert } from "./ErrorAlert";
import { LastSeenExceptions } from "./LastSeenExceptions";
import { LastSeenLevelPicker } from "./LastSeenLevelPicker";

const DEFAULT_PRIVACY: LastSeenPrivacy = { level: "friends", exceptions: {} };

export function LastSeenPrivacyCard() {
  const { own, setLastSeenPrivacy } = useOwnPresence();
  const friends = useFriends();
  // Shown at once while the server confirms; on failure the server's value returns.
  const [shown, show] = useOptimistic(own?.lastSeenPrivacy ?? DEFAULT_PRIVACY);
  const save = (privacy: LastSeenPrivacy) => {
    startTransition(async () => {
      show(privacy);
      await setLastSeenPrivacy.mutateAsync(privacy).catch(() => undefined);
    });
  };
  return (
    <section className="card" aria-labelledby="last-seen-title">
      <div className="card__header">
        <h2 id="last-seen-title">Last seen</h2>
      </div>
      <LastSeenLevelPicker value={shown.level} onChange={(level) => save({ ...shown, level })} disabled={!own} />
      <LastSeenExceptions
        friends={friends}
        exceptions={shown.exceptions}
        level={shown.level}
        onChange={(exceptions) => save({ ...shown, exceptions })}
      />
      <ErrorAlert error={setLastSeenPrivacy.error} />
    </section>
  );
}
