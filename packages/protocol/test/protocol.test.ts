import { describe, expect, it } from "vitest";
import { LIMITS, redactUrl, USERNAME_PATTERN } from "../src/index.js";

describe("USERNAME_PATTERN", () => {
  it("takes LIMITS.username's lengths of a-z, 0-9 and _", () => {
    expect(USERNAME_PATTERN.source).toBe("^[a-z0-9_]{3,32}$");
    expect(USERNAME_PATTERN.test("a".repeat(LIMITS.username.minLength))).toBe(true);
    expect(USERNAME_PATTERN.test("a".repeat(LIMITS.username.maxLength + 1))).toBe(false);
    expect(USERNAME_PATTERN.test("Alice")).toBe(false);
  });
});

describe("redactUrl", () => {
  it("hides the password and keeps the rest", () => {
    expect(redactUrl("postgres://herald:s3cret@db:5432/herald")).toBe("postgres://herald:***@db:5432/herald");
    expect(redactUrl("redis://:s3cret@cache:6379")).toBe("redis://:***@cache:6379");
    expect(redactUrl("redis://cache:6379")).toBe("redis://cache:6379");
  });

  it("never echoes what it cannot parse", () => {
    expect(redactUrl("not a url s3cret")).toBe("an unparseable URL");
  });
});
