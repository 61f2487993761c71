import { describe, expect, it } from "vitest";
import { PRESENCE_DEFAULTS, presenceSettingsProblems, resolvePresenceSettings, withPresenceDefaults } from "../src/settings.js";

describe("presence settings", () => {
  it("fills in the defaults, also for settings given as undefined", () => {
    expect(withPresenceDefaults({ presenceTtlMs: undefined, offlineGraceMs: 300 })).toEqual({ presenceTtlMs: 60_000, offlineGraceMs: 300 });
    expect(resolvePresenceSettings()).toMatchObject(PRESENCE_DEFAULTS);
  });

  it("derives the sweep and keep-alive intervals from the TTL", () => {
    expect(resolvePresenceSettings({ presenceTtlMs: 60_000 })).toMatchObject({
      sweepIntervalMs: 5_000,
      keepAlive: { pingMs: 20_000, pongWaitMs: 10_000 },
    });
    expect(resolvePresenceSettings({ presenceTtlMs: 3_000 })).toMatchObject({
      sweepIntervalMs: 750,
      keepAlive: { pingMs: 1_000, pongWaitMs: 1_000 },
    });
    expect(resolvePresenceSettings({ presenceTtlMs: 300 })).toMatchObject({
      sweepIntervalMs: 100,
      keepAlive: { pingMs: 250, pongWaitMs: 250 },
    });
  });

  it("refuses settings that cannot work together, naming the setting", () => {
    expect(presenceSettingsProblems({ presenceTtlMs: 200, offlineGraceMs: 0 })).toEqual([
      { setting: "presenceTtlMs", message: expect.stringMatching(/ping interval \(250 ms\)/) },
    ]);
    expect(presenceSettingsProblems({ presenceTtlMs: 100, offlineGraceMs: 0 }).map((p) => p.message)).toEqual([
      expect.stringMatching(/sweep interval \(100 ms\)/),
      expect.stringMatching(/ping interval/),
    ]);
    expect(presenceSettingsProblems({ presenceTtlMs: 0, offlineGraceMs: -1 }).map((p) => p.setting)).toEqual([
      "presenceTtlMs",
      "offlineGraceMs",
    ]);
    expect(() => resolvePresenceSettings({ offlineGraceMs: 1.5 })).toThrow(/offlineGraceMs must be a whole number/);
  });
});
