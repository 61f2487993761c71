/** "Last seen 5 minutes ago", with the exact moment on hover. */
import { formatExactTime, formatTimeAgo } from "../display/relative-time";

export function LastSeen({ at, now }: { at: string; now: number }) {
  const exact = formatExactTime(at);
  return (
    <span className="last-seen">
      Last seen{" "}
      <time dateTime={at} title={exact}>
        {formatTimeAgo(at, now)}
      </time>
    </span>
  );
}
