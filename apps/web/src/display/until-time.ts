/**
 * When a status ends (docs/protocol.md §9.1), in the reader's own time zone: the choices the
 * picker offers, the instant each stands for, and "until 16:00" in words.
 */

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

export type UntilChoice = "none" | "30m" | "1h" | "4h" | "today" | "week" | "pick";

export const UNTIL_CHOICES: ReadonlyArray<{ value: UntilChoice; label: string }> = [
  { value: "none", label: "Until I change it" },
  { value: "30m", label: "For 30 minutes" },
  { value: "1h", label: "For 1 hour" },
  { value: "4h", label: "For 4 hours" },
  { value: "today", label: "Today" },
  { value: "week", label: "This week" },
  { value: "pick", label: "Pick a time…" },
];

/**
 * The instant a choice made at `now` stands for; null for no end. "Today" ends at the last minute
 * of today and "this week" at the last minute of Sunday, both in the browser's time zone;
 * `picked` is a `datetime-local` value (local time), for "pick".
 */
export function untilOf(choice: UntilChoice, now: Date, picked = ""): Date | null {
  switch (choice) {
    case "none":
      return null;
    case "30m":
      return new Date(now.getTime() + 30 * MINUTE);
    case "1h":
      return new Date(now.getTime() + HOUR);
    case "4h":
      return new Date(now.getTime() + 4 * HOUR);
    case "today":
      return endOfDay(now, 0);
    case "week":
      // getDay(): Sunday is 0, so Sunday ends this week's today, Monday has six days to go.
      return endOfDay(now, (7 - now.getDay()) % 7);
    case "pick": {
      const at = picked ? new Date(picked) : null; // "YYYY-MM-DDTHH:mm" is read as local time
      return at && !Number.isNaN(at.getTime()) ? at : null;
    }
  }
}

function endOfDay(day: Date, daysLater: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + daysLater, 23, 59, 59, 999);
}

const clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const dayOfYear = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short" });

/** "until 16:00" today; "until Thu 3 Dec, 09:00" on another day (local time). */
export function formatUntil(iso: string, now: number): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  const sameDay = at.toDateString() === new Date(now).toDateString();
  return sameDay ? `until ${clock.format(at)}` : `until ${dayOfYear.format(at).replace(",", "")}, ${clock.format(at)}`;
}

/** A `datetime-local` value (local time, to the minute) for `at`: the picker's bounds. */
export function localInputValue(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}
