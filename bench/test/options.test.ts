/** The bench's flags: which runs include the connect storm (storm.ts), which targets exist. */
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

test("a target name that does not exist is refused, naming it and the ones that do", () => {
  expect(() => parseOptions(["--targets", "floor,pg-redis"])).toThrow(
    /no target named pg-redis; the targets are floor, embedded, pg-redis-1, pg-redis-2/,
  );
  expect(() => parseOptions(["--idle-targets", "embeded"])).toThrow(/--idle-targets: no target named embeded/);
  expect(parseOptions(["--targets", "embedded,pg-redis-2"]).targets).toEqual(["embedded", "pg-redis-2"]);
});
