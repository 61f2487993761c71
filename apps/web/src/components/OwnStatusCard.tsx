/** "Your status": the picker, the message, and for invisible, who may still see you. */
import type { ChosenStatus } from "@herald/client";
import { useFriends, useOwnPresence } from "@herald/react";
import { startTransition, useOptimistic, useState } from "react";
import { CHOSEN_STATUS_LABEL } from "../display/status-labels";
import { untilOf, type UntilChoice } from "../display/until-time";
import { useNow } from "../hooks/useNow";
import { ErrorAlert } from "./ErrorAlert";
import { AllowListEditor } from "./AllowListEditor";
import { MessageEditor } from "./MessageEditor";
import { StatusPicker } from "./StatusPicker";
import { UntilPicker } from "./UntilPicker";
import { UntilTime } from "./UntilTime";

const CLOCK_TICK_MS = 30_000;

export function OwnStatusCard() {
  const { own, setStatus, setMessage, setVisibility } = useOwnPresence();
  const friends = useFriends();
  // Show a choice at once, while the server confirms it; on failure the server's value returns.
  const [shownStatus, showStatus] = useOptimistic(own?.status);
  const [shownVisibleTo, showVisibleTo] = useOptimistic(own?.visibleTo ?? []);
  const error = setStatus.error ?? setMessage.error ?? setVisibility.error;
  // How long the next status lasts (docs/protocol.md §9.1); an online status has nothing to end.
  const [untilChoice, setUntilChoice] = useState<UntilChoice>("none");
  const [picked, setPicked] = useState("");
  const now = useNow(CLOCK_TICK_MS);

  const choose = (status: ChosenStatus) => {
    const until = status === "online" ? null : untilOf(untilChoice, new Date(), picked);
    startTransition(async () => {
      showStatus(status);
      await setStatus.mutateAsync({ status, until }).catch(() => undefined);
    });
  };
  const changeUntil = (choice: UntilChoice, pickedValue: string) => {
    setUntilChoice(choice);
    setPicked(pickedValue);
    // It also sets when the status shown now ends (choosing it again would change nothing).
    if (!own || own.status === "online" || (choice === "pick" && !pickedValue)) return;
    void setStatus.mutateAsync({ status: own.status, until: untilOf(choice, new Date(), pickedValue) }).catch(() => undefined);
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
      <UntilPicker choice={untilChoice} picked={picked} onChange={changeUntil} disabled={!own} />
      {own?.until ? (
        <p className="own-status__until" data-testid="me-until">
          {CHOSEN_STATUS_LABEL[own.status]} <UntilTime at={own.until} now={now} />, then online
        </p>
      ) : null}
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
