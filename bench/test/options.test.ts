/** Which runs include the connect storm (storm.ts): full ones, unless told otherwise. */
import { expect, test } from "vitest";
import { parseOptions } from "../src/run.js";

test("a full run storms with 5,000 users; quick and custom runs only when asked; --no-storm always skips", () => {
  expect(parseOptions([]).stormUsers).toBe(5000);
  expect(parseOptions(["--no-storm"]).stormUsers).toBeNull();
  expect(parseOptions(["--quick"]).stormUsers).toBeNull();
  expect(parseOptions(["--quick", "--storm"]).stormUsers).toBe(300);
  expect(parseOptions(["--targets", "floor"]).stormUsers).toBeNull();
  expect(parseOptions(["--targets", "floor", "--storm", "800"]).stormUsers).toBe(800);
  expect(() => parseOptions(["--storm", "many"])).toThrow(/--storm/);
});
