import { describe, expect, it } from "vitest";
import { formatUntil, localInputValue, untilOf } from "../../src/display/until-time";

// Local times throughout: "today" and "this week" are the reader's own (whatever TZ this runs in).
const WEDNESDAY_1430 = new Date(2026, 11, 2, 14, 30, 0);
const SUNDAY_2200 = new Date(2026, 11, 6, 22, 0, 0);
const MINUTE = 60_000;

describe("untilOf", () => {
  it("adds the durations", () => {
    expect(untilOf("30m", WEDNESDAY_1430)!.getTime() - WEDNESDAY_1430.getTime()).toBe(30 * MINUTE);
    expect(untilOf("1h", WEDNESDAY_1430)!.getTime() - WEDNESDAY_1430.getTime()).toBe(60 * MINUTE);
    expect(untilOf("4h", WEDNESDAY_1430)!.getTime() - WEDNESDAY_1430.getTime()).toBe(240 * MINUTE);
    expect(untilOf("none", WEDNESDAY_1430)).toBeNull();
  });

  it("ends today and this week at the last minute of the local day, Sunday for the week", () => {
    expect(untilOf("today", WEDNESDAY_1430)).toEqual(new Date(2026, 11, 2, 23, 59, 59, 999));
    expect(untilOf("week", WEDNESDAY_1430)).toEqual(new Date(2026, 11, 6, 23, 59, 59, 999));
    expect(untilOf("week", SUNDAY_2200)).toEqual(new Date(2026, 11, 6, 23, 59, 59, 999));
    expect(untilOf("week", new Date(2026, 11, 7, 8, 0))).toEqual(new Date(2026, 11, 13, 23, 59, 59, 999));
  });

  it("reads a picked time as local time; nothing picked is no end", () => {
    expect(untilOf("pick", WEDNESDAY_1430, "2026-12-03T09:00")).toEqual(new Date(2026, 11, 3, 9, 0));
    expect(untilOf("pick", WEDNESDAY_1430, "")).toBeNull();
    expect(localInputValue(new Date(2026, 0, 5, 7, 3))).toBe("2026-01-05T07:03");
  });
});

describe("formatUntil", () => {
  it("says the time today, and the day too when it is another day", () => {
    const now = WEDNESDAY_1430.getTime();
    expect(formatUntil(new Date(2026, 11, 2, 16, 0).toISOString(), now)).toBe("until 16:00");
    expect(formatUntil(new Date(2026, 11, 3, 9, 0).toISOString(), now)).toBe("until Thu 3 Dec, 09:00");
    expect(formatUntil("not a time", now)).toBe("");
  });
});
