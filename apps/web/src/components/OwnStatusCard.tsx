/** "Your status": the picker, the message, and for invisible, who may still see you. */
import { startTransition, useOptimistic } from "react";
import type { useOwnPresence } from "../hooks/useOwnPresence";
import type { ChosenStatus, Friend } from "../presence/types";
import { ErrorAlert } from "./ErrorAlert";
import { AllowListEditor } from "./AllowListEditor";
import { MessageEditor } from "./MessageEditor";
import { StatusPicker } from "./StatusPicker";

export function OwnStatusCard(props: {
  own: ReturnType<typeof useOwnPresence>;
  friends: readonly Friend[];
  onChosen: (status: ChosenStatus) => void;
}) {
  const { own, friends, onChosen } = props;
  const { me, setStatus, setVisibility } = own;
  const current = me.data;
  // Show a choice at once, while the server confirms it; on failure the server's value returns.
  const [shownStatus, showStatus] = useOptimistic(current?.status);
  const [shownVisibleTo, showVisibleTo] = useOptimistic(current?.visibleTo ?? []);
  const error = setStatus.error ?? setVisibility.error ?? me.error;

  const choose = (status: ChosenStatus) => {
    onChosen(status);
    startTransition(async () => {
      showStatus(status);
      await setStatus.mutateAsync({ status }).catch(() => undefined);
    });
  };
  const allow = (visibleTo: string[]) => {
    startTransition(async () => {
      showVisibleTo(visibleTo);
      await setVisibility.mutateAsync({ visibleTo }).catch(() => undefined);
    });
  };

  return (
    <section className="card own-status" aria-labelledby="own-status-title">
      <div className="card__header">
        <h2 id="own-status-title">Your status</h2>
        {current && current.connections > 1 ? <span className="pill">{current.connections} devices connected</span> : null}
      </div>
      <StatusPicker value={shownStatus} onChange={choose} disabled={!current} />
      {current ? (
        <MessageEditor
          message={current.message}
          saving={setStatus.isPending}
          onSave={(message) => setStatus.mutate({ status: current.status, message })}
        />
      ) : null}
      {current?.status === "invisible" ? (
        <AllowListEditor friends={friends} visibleTo={shownVisibleTo} saving={setVisibility.isPending} onChange={allow} />
      ) : null}
      <ErrorAlert error={error} />
    </section>
  );
}
