/** "Your status": the picker, the message, and for invisible, who may still see you. */
import type { ChosenStatus } from "@herald/client";
import { useFriends, useOwnPresence } from "@herald/react";
import { startTransition, useOptimistic } from "react";
import { ErrorAlert } from "./ErrorAlert";
import { AllowListEditor } from "./AllowListEditor";
import { MessageEditor } from "./MessageEditor";
import { StatusPicker } from "./StatusPicker";

export function OwnStatusCard() {
  const { own, setStatus, setMessage, setVisibility } = useOwnPresence();
  const friends = useFriends();
  // Show a choice at once, while the server confirms it; on failure the server's value returns.
  const [shownStatus, showStatus] = useOptimistic(own?.status);
  const [shownVisibleTo, showVisibleTo] = useOptimistic(own?.visibleTo ?? []);
  const error = setStatus.error ?? setMessage.error ?? setVisibility.error;

  const choose = (status: ChosenStatus) => {
    startTransition(async () => {
      showStatus(status);
      await setStatus.mutateAsync({ status }).catch(() => undefined);
    });
  };
  const allow = (visibleTo: string[]) => {
    startTransition(async () => {
      showVisibleTo(visibleTo);
      await setVisibility.mutateAsync(visibleTo).catch(() => undefined);
    });
  };

  return (
    <section className="card own-status" aria-labelledby="own-status-title">
      <div className="card__header">
        <h2 id="own-status-title">Your status</h2>
        {own && own.connections > 1 ? <span className="pill">{own.connections} devices connected</span> : null}
      </div>
      <StatusPicker value={shownStatus} onChange={choose} disabled={!own} />
      {own ? (
        // The message alone: sending the status along could re-apply one this device holds stale.
        <MessageEditor message={own.message} saving={setMessage.isPending} onSave={(message) => setMessage.mutate(message)} />
      ) : null}
      {own?.status === "invisible" ? (
        <AllowListEditor friends={friends} visibleTo={shownVisibleTo} saving={setVisibility.isPending} onChange={allow} />
      ) : null}
      <ErrorAlert error={error} />
    </section>
  );
}
