/** "until 16:00" (a date too when not today), with the exact moment on hover. */
import { formatExactTime } from "../display/relative-time";
import { formatUntil } from "../display/until-time";

export function UntilTime({ at, now }: { at: string; now: number }) {
  return (
    <time className="until" dateTime={at} title={formatExactTime(at)}>
      {formatUntil(at, now)}
    </time>
  );
}
