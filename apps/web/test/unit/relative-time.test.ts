import { describe, expect, it } from "vitest";
import { formatExactTime, formatTimeAgo } from "../../src/display/relative-time";

const NOW = Date.parse("2025-03-14T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("formatTimeAgo", () => {
  it.each([
    [0, "just now"],
    [59 * SECOND, "just now"],
    [MINUTE, "1 minute ago"],
    [5 * MINUTE + 59 * SECOND, "5 minutes ago"],
    [59 * MINUTE, "59 minutes ago"],
    [HOUR, "1 hour ago"],
    [23 * HOUR, "23 hours ago"],
    [DAY, "yesterday"],
    [3 * DAY + 5 * HOUR, "3 days ago"],
  ])("%i ms ago reads %s", (elapsed, words) => {
    expect(formatTimeAgo(ago(elapsed), NOW)).toBe(words);
  });

  it("gives a date past a week", () => {
    expect(formatTimeAgo("2025-02-01T09:00:00.000Z", NOW)).toBe("on Feb 1, 2025");
  });

  it("never reads as the future when the local clock lags the server's", () => {
    expect(formatTimeAgo(new Date(NOW + 20 * SECOND).toISOString(), NOW)).toBe("just now");
  });

  it("says nothing for a value that is not a time", () => {
    expect(formatTimeAgo("yesterday-ish", NOW)).toBe("");
  });
});

describe("formatExactTime", () => {
  it("spells out the date and time", () => {
    const text = formatExactTime("2025-03-14T12:00:00.000Z");
    expect(text).toMatch(/2025/);
    expect(text).toMatch(/March/);
  });
});
