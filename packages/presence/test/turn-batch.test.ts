/** Keys asked for in one turn are looked up by one call, and each caller gets its own answer. */
import { describe, expect, it } from "vitest";
import { TurnBatch } from "../src/repo/turn-batch.js";

function squares() {
  const calls: number[][] = [];
  const batch = new TurnBatch<number, number>(async (keys) => {
    calls.push(keys);
    return new Map(keys.filter((key) => key >= 0).map((key) => [key, key * key]));
  });
  return { batch, calls };
}

describe("TurnBatch", () => {
  it("looks up the keys of one turn in one call, each key once, and answers each caller with its own keys", async () => {
    const { batch, calls } = squares();
    const answers = await Promise.all([batch.get(2), batch.get(3), batch.get(2), batch.get(-1), batch.get(-5)]);
    expect(calls).toEqual([[2, 3, -1, -5]]);
    expect(answers).toEqual([4, 9, 4, undefined, undefined]);
    // The next turn is a new call: nothing is cached.
    expect(await batch.get(2)).toBe(4);
    expect(calls).toHaveLength(2);
  });

  it("fails every caller of a failed lookup, and the next turn looks up afresh", async () => {
    let fail = true;
    const batch = new TurnBatch<string, string>(async (keys) => {
      if (fail) throw new Error("database down");
      return new Map(keys.map((key) => [key, key.toUpperCase()]));
    });
    const results = await Promise.allSettled([batch.get("a"), batch.get("b")]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await batch.get("a")).toBe("A");
  });
});
