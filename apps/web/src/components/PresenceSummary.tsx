/**
 * A friend's presence in words: the status ("on mobile" beside it when that is their only kind of
 * device), then until when it lasts or when they were last seen (exactly or roughly).
 */
import type { VisiblePresence } from "@herald/client";
import { VISIBLE_STATUS_LABEL } from "../display/status-labels";
import { LastSeen } from "./LastSeen";
import { LastSeenBucket } from "./LastSeenBucket";
import { MobileBadge } from "./MobileBadge";
import { UntilTime } from "./UntilTime";

export function PresenceSummary({ presence, now }: { presence: VisiblePresence; now: number }) {
  const { status, lastSeen, lastSeenBucket, until, devices } = presence;
  const when =
    status !== "offline" ? (
      until ? (
        <UntilTime at={until} now={now} />
      ) : null
    ) : lastSeen ? (
      <LastSeen at={lastSeen} now={now} />
    ) : lastSeenBucket ? (
      <LastSeenBucket bucket={lastSeenBucket} />
    ) : null;
  return (
    <>
      <span className="friend__status-label">{VISIBLE_STATUS_LABEL[status]}</span>
      <MobileBadge devices={devices} />
      {when ? (
        <>
          <span aria-hidden="true"> · </span>
          {when}
        </>
      ) : null}
    </>
  );
}
