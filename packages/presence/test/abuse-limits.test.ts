/** The sign-in limiters on a fake clock: growing delays, counting before the check, refunds. */
import { describe, expect, it } from "vitest";
import { HashingBusyError, PasswordHasher } from "../src/auth/password.js";
import { addressKey, FailureBackoff, RateLimiter } from "../src/auth/rate-limiter.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe("FailureBackoff", () => {
  const setup = () => {
    let now = 1_000_000;
    const backoff = new FailureBackoff(10, 30 * SECOND, 15 * MINUTE, 15 * MINUTE, () => now);
    return { backoff, advance: (ms: number) => (now += ms) };
  };

  it("lets 10 failures through, then makes each further attempt wait a doubling delay, up to 15 minutes", () => {
    const { backoff, advance } = setup();
    for (let i = 0; i < 10; i++) {
      expect(backoff.begin("k")).toBe(0);
      backoff.failed("k");
    }
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const wait = backoff.begin("k");
      delays.push(wait);
      advance(wait - 1);
      expect(backoff.begin("k")).toBe(1); // still waiting, and waiting does not count
      advance(1);
      expect(backoff.begin("k")).toBe(0);
      backoff.failed("k");
    }
    expect(delays).toEqual([30, 60, 120, 240, 480, 900, 900, 900].map((s) => s * SECOND));
  });

  it("counts attempts in flight: 100 at once pass only 10, then one at a time", () => {
    const { backoff } = setup();
    const passed = Array.from({ length: 100 }, () => backoff.begin("k")).filter((wait) => wait === 0);
    expect(passed).toHaveLength(10);
    for (let i = 0; i < 9; i++) backoff.failed("k");
    expect(backoff.begin("k")).toBeGreaterThan(0); // the 10th is still in flight
    backoff.cancelled("k"); // ...and was never checked
    expect(backoff.begin("k")).toBe(0);
  });

  it("a success forgets the key; other keys are never affected; a quiet key is forgotten", () => {
    const { backoff, advance } = setup();
    for (let i = 0; i < 10; i++) {
      backoff.begin("a");
      backoff.failed("a");
    }
    expect(backoff.begin("a")).toBe(30 * SECOND);
    expect(backoff.begin("b")).toBe(0);
    backoff.succeeded("b");
    advance(30 * SECOND);
    expect(backoff.begin("a")).toBe(0);
    backoff.succeeded("a");
    expect(backoff.begin("a")).toBe(0);
    backoff.failed("a");
    advance(15 * MINUTE);
    expect(backoff.begin("a")).toBe(0);
  });

  it("is off with 0 free attempts (RATE_LIMITS=off)", () => {
    const backoff = new FailureBackoff(0, 1, 1, 1);
    for (let i = 0; i < 1000; i++) {
      expect(backoff.begin("k")).toBe(0);
      backoff.failed("k");
    }
  });
});

describe("RateLimiter.refund", () => {
  it("takes back the latest hit", () => {
    const limiter = new RateLimiter(2, MINUTE);
    expect(limiter.tryHit("k")).toBe(true);
    expect(limiter.tryHit("k")).toBe(true);
    expect(limiter.tryHit("k")).toBe(false);
    limiter.refund("k");
    expect(limiter.tryHit("k")).toBe(true);
  });
});

describe("addressKey", () => {
  it("keeps IPv4 addresses, and groups IPv6 addresses by /64", () => {
    expect(addressKey("203.0.113.5")).toBe("203.0.113.5");
    expect(addressKey("::ffff:203.0.113.5")).toBe("203.0.113.5");
    expect(addressKey("2001:db8:1:2::20")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0db8:0001:0002:ffff:1:2:3")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("64:ff9b::192.0.2.1")).toBe("64:ff9b:0:0::/64");
  });
});

describe("PasswordHasher", () => {
  const cheap = { params: { N: 1024, r: 8, p: 1 } };

  it("stores its parameters in the hash and asks for a re-hash when they differ", async () => {
    const old = await new PasswordHasher({ params: { N: 512, r: 8, p: 1 } }).hash("long enough");
    const hasher = new PasswordHasher(cheap);
    expect(old).toMatch(/^scrypt\$512\$8\$1\$/);
    expect(await hasher.verify("long enough", old)).toEqual({ valid: true, needsRehash: true });
    expect(await hasher.verify("wrong one!", old)).toEqual({ valid: false, needsRehash: false });
    const current = await hasher.hash("long enough");
    expect(await hasher.verify("long enough", current)).toEqual({ valid: true, needsRehash: false });
    expect(await hasher.verify("long enough", null)).toEqual({ valid: false, needsRehash: false });
    expect(await hasher.verify("long enough", "scrypt$99999999$8$1$AAAA$AAAA")).toEqual({ valid: false, needsRehash: false });
  });

  it("defaults to OWASP's scrypt parameters", () => {
    expect(new PasswordHasher().params).toEqual({ N: 2 ** 17, r: 8, p: 1 });
  });

  it("refuses at once past its running and queued slots; unbounded, it queues instead", async () => {
    const bounded = new PasswordHasher({ ...cheap, maxConcurrent: 1, maxQueued: 1 });
    const results = await Promise.allSettled([0, 1, 2, 3].map(() => bounded.hash("long enough")));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected"]);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(HashingBusyError);
    expect(await bounded.hash("long enough")).toMatch(/^scrypt\$1024\$/);
    const unbounded = new PasswordHasher({ ...cheap, maxConcurrent: 1, maxQueued: 0 }, { bounded: false });
    const all = await Promise.allSettled([0, 1, 2, 3].map(() => unbounded.hash("long enough")));
    expect(all.every((r) => r.status === "fulfilled")).toBe(true);
  });
});
