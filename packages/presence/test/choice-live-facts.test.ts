/**
 * A status, message or allow-list change asks the live store for the user's live facts only when
 * it may hide them from someone (`mayLoseAudience`): for every other patch, `choiceChanged` must
 * come out the same whether the user is connected or not, on whatever devices — or skipping the
 * read would change what friends see.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { choiceChanged, mayLoseAudience, type ChoicePatch } from "../src/engine/transitions.js";
import { CHOSEN_STATUSES, DEFAULT_DURABLE_PRESENCE, DEVICE_KINDS, type DurablePresence } from "../src/types.js";

const FRIENDS = ["00000000-0000-4000-8000-0000000000f1", "00000000-0000-4000-8000-0000000000f2", "00000000-0000-4000-8000-0000000000f3"];
const AT = "2026-01-01T10:00:00.000Z";
const UNTIL = "2026-01-01T10:00:05.000Z";

const allowList = fc.subarray(FRIENDS);
const before: fc.Arbitrary<DurablePresence> = fc
  .record({
    status: fc.constantFrom(...CHOSEN_STATUSES),
    message: fc.option(fc.constantFrom("lunch", "focus"), { nil: null }),
    visibleTo: allowList,
  })
  .map((row) => ({ ...DEFAULT_DURABLE_PRESENCE, ...row }));
const patch: fc.Arbitrary<ChoicePatch> = fc.record(
  {
    status: fc.constantFrom(...CHOSEN_STATUSES),
    message: fc.option(fc.constant("away for a bit"), { nil: null }),
    visibleTo: allowList,
    until: fc.option(fc.constant("2026-01-01T12:00:00.000Z"), { nil: null }),
  },
  { requiredKeys: [] },
);
const seen = fc.record({ devices: fc.subarray([...DEVICE_KINDS], { minLength: 1 }), idle: fc.boolean() });

describe("the live facts a choice change needs", () => {
  it("change nothing in a patch that cannot hide the user from anyone", () => {
    fc.assert(
      fc.property(
        before,
        patch.filter((p) => !mayLoseAudience(p)),
        seen,
        (row, change, devices) => {
          expect(choiceChanged(row, change, true, AT, UNTIL, devices)).toEqual(choiceChanged(row, change, false, AT, UNTIL));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("are asked for by going invisible while friends see the user, which starts a fade", () => {
    const row = { ...DEFAULT_DURABLE_PRESENCE, status: "online" as const };
    const change = { status: "invisible" as const };
    expect(mayLoseAudience(change)).toBe(true);
    const connected = choiceChanged(row, change, true, AT, UNTIL, { devices: ["web"], idle: false });
    expect(connected.fades.length).toBeGreaterThan(0);
    expect(connected).not.toEqual(choiceChanged(row, change, false, AT, UNTIL));
  });
});
