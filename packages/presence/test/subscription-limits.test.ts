/** The per-socket subscription cap and subscribe rate (issue 10, item 8), on a fake clock. */
import { describe, expect, it } from "vitest";
import { SubscriptionLimits } from "../src/feed/subscription-limits.js";

describe("SubscriptionLimits", () => {
  it("holds at most 4 per socket; a refusal holds nothing; release frees exactly one slot, once", () => {
    const limits = new SubscriptionLimits({ subscribesPerWindow: 0 });
    const socket = {};
    const slots = Array.from({ length: 4 }, () => limits.acquire(socket));
    expect(slots.every((slot) => slot.ok)).toBe(true);
    expect(limits.acquire(socket)).toEqual({ ok: false, reason: expect.stringMatching(/at most 4 at once/) });
    expect(limits.active).toBe(4);
    const first = slots[0]!;
    if (!first.ok) throw new Error("unreachable");
    first.release();
    first.release(); // idempotent: a stop and the generator's finally may both release
    expect(limits.active).toBe(3);
    expect(limits.acquire(socket).ok).toBe(true);
    expect(limits.acquire(socket).ok).toBe(false);
    // Another socket has its own slots.
    expect(limits.acquire({}).ok).toBe(true);
  });

  it("allows a burst of 20 subscribe calls per socket, then refills at 20 per 10 s; refused calls spend tokens too", () => {
    let now = 1_000_000;
    const limits = new SubscriptionLimits({ now: () => now });
    const socket = {};
    for (let i = 0; i < 20; i++) {
      const slot = limits.acquire(socket);
      if (slot.ok) slot.release();
      else throw new Error(`call ${i} refused: ${slot.reason}`);
    }
    expect(limits.acquire(socket)).toEqual({ ok: false, reason: expect.stringMatching(/at most 20 per 10 s/) });
    now += 499;
    expect(limits.acquire(socket).ok).toBe(false);
    now += 1; // 500 ms refill one token
    const next = limits.acquire(socket);
    expect(next.ok).toBe(true);
    expect(limits.acquire(socket).ok).toBe(false);
    now += 60_000; // never more than a burst of 20
    let granted = 0;
    for (let i = 0; i < 30; i++) {
      const slot = limits.acquire(socket);
      if (slot.ok) {
        granted++;
        slot.release();
      }
    }
    expect(granted).toBe(20);
    expect(limits.acquire({}).ok).toBe(true); // per socket
  });
});
