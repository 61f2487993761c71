/** "5 minutes ago" and friends: how long ago someone was last seen, in words. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const calendarDate = new Intl.DateTimeFormat("en", { day: "numeric", month: "short", year: "numeric" });
const exactTime = new Intl.DateTimeFormat("en", { dateStyle: "full", timeStyle: "medium" });

/**
 * Coarse on purpose: "just now" under a minute (so a clock running slightly ahead of the
 * server never reads "in 3 seconds"), whole minutes/hours/days after, a date past a week.
 */
export function formatTimeAgo(thenIso: string, now: number): string {
  const then = Date.parse(thenIso);
  if (Number.isNaN(then)) return "";
  const elapsed = Math.max(0, now - then);
  if (elapsed < MINUTE) return "just now";
  if (elapsed < HOUR) return relative.format(-Math.floor(elapsed / MINUTE), "minute");
  if (elapsed < DAY) return relative.format(-Math.floor(elapsed / HOUR), "hour");
  if (elapsed < 7 * DAY) return relative.format(-Math.floor(elapsed / DAY), "day");
  return `on ${calendarDate.format(then)}`;
}

/** The full date and time, in the reader's time zone, for a tooltip. */
export function formatExactTime(iso: string): string {
  const then = Date.parse(iso);
  return Number.isNaN(then) ? "" : exactTime.format(then);
}
