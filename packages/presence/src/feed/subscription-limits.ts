/**
 * How many `presence.onChange` subscriptions one WebSocket may hold at once, and how fast it may
 * start them. Every subscription is a feed with its own bus listeners and its own frame per
 * change: 10,000 on one socket took 125 MiB of heap and made one friend's change send 10,000
 * frames. A client needs one per socket (the web app holds exactly one), so a handful is plenty.
 *
 * Keyed by the socket object and held in a WeakMap: a closed socket's entry goes with it.
 * Server-side callers (`createCaller`) have no socket and no limit.
 */

/** Concurrent subscriptions per socket. Always on: it bounds memory, and no real client is near it. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 4;
/** Subscribe calls per socket per window (a token bucket: a burst of this many, then refills). */
export const SUBSCRIBES_PER_WINDOW = 20;
export const SUBSCRIBE_WINDOW_MS = 10_000;

export interface SubscriptionLimitsConfig {
  /** concurrent subscriptions per socket (default 4) */
  maxPerSocket?: number | undefined;
  /** subscribe calls per socket per `windowMs` (default 20); 0 turns the rate limit off (`RATE_LIMITS=off`) */
  subscribesPerWindow?: number | undefined;
  windowMs?: number | undefined;
  now?: () => number;
}

export type SlotResult = { ok: true; release: () => void } | { ok: false; reason: string };

interface SocketSlots {
  held: number;
  tokens: number;
  refilledAt: number;
}

export class SubscriptionLimits {
  readonly maxPerSocket: number;
  readonly subscribesPerWindow: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private readonly sockets = new WeakMap<object, SocketSlots>();
  private heldTotal = 0;

  constructor(config: SubscriptionLimitsConfig = {}) {
    this.maxPerSocket = config.maxPerSocket ?? MAX_SUBSCRIPTIONS_PER_SOCKET;
    this.subscribesPerWindow = config.subscribesPerWindow ?? SUBSCRIBES_PER_WINDOW;
    this.windowMs = config.windowMs ?? SUBSCRIBE_WINDOW_MS;
    this.now = config.now ?? Date.now;
  }

  /** Slots held right now on every socket (for tests and leak checks). */
  get active(): number {
    return this.heldTotal;
  }

  /**
   * One subscribe call on `socket`: takes a slot, or says why not. Every call spends a token,
   * refused ones too (that is what makes hammering slow); only a granted call holds a slot, and
   * `release` (idempotent) gives it back.
   */
  acquire(socket: object): SlotResult {
    const now = this.now();
    let slots = this.sockets.get(socket);
    if (!slots) {
      slots = { held: 0, tokens: this.subscribesPerWindow, refilledAt: now };
      this.sockets.set(socket, slots);
    }
    if (this.subscribesPerWindow > 0) {
      const refill = ((now - slots.refilledAt) / this.windowMs) * this.subscribesPerWindow;
      slots.tokens = Math.min(this.subscribesPerWindow, slots.tokens + refill);
      slots.refilledAt = now;
      if (slots.tokens < 1) {
        const seconds = this.windowMs / 1000;
        return {
          ok: false,
          reason: `Too many subscribe calls on this connection: at most ${this.subscribesPerWindow} per ${seconds} s; wait a few seconds`,
        };
      }
      slots.tokens -= 1;
    }
    if (slots.held >= this.maxPerSocket) {
      return {
        ok: false,
        reason: `Too many subscriptions on this connection: at most ${this.maxPerSocket} at once; stop one before starting another`,
      };
    }
    slots.held += 1;
    this.heldTotal += 1;
    const held = slots;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        held.held -= 1;
        this.heldTotal -= 1;
      },
    };
  }
}
