/**
 * Password hashing with scrypt (node:crypto): slow on purpose, salted, constant-time compare.
 *
 * The cost is OWASP's scrypt recommendation (N=2^17, r=8, p=1: ~128 MiB and a few hundred ms per
 * hash), stored in every hash string (`scrypt$N$r$p$salt$key`), so older, cheaper hashes still
 * verify and are re-hashed at the caller's next successful sign-in (`needsRehash`).
 *
 * Each hash takes a libuv thread and 128 MiB for its whole run, so hashing is bounded: at most
 * `maxConcurrent` run at once and `maxQueued` wait; past that a hash is refused at once
 * (`HashingBusyError`, answered TOO_MANY_REQUESTS) instead of making a legitimate sign-up wait
 * seconds behind a flood of guesses.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1. */
export const OWASP_SCRYPT: ScryptParams = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

export interface PasswordHashingOptions {
  /** scrypt cost of new hashes (default `OWASP_SCRYPT`); tests may choose a cheaper one */
  params?: ScryptParams | undefined;
  /** hashes computed at once (default 2: each holds ~128 MiB and a thread of libuv's pool of 4) */
  maxConcurrent?: number | undefined;
  /** hashes waiting for a free slot before new ones are refused (default 8) */
  maxQueued?: number | undefined;
}

export const DEFAULT_MAX_CONCURRENT_HASHES = 2;
export const DEFAULT_MAX_QUEUED_HASHES = 8;

const KEY_LENGTH = 32;
const SALT_BYTES = 16;
/** Stored hashes above these are refused rather than computed (a hash string is not code to run). */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

export class HashingBusyError extends Error {
  override name = "HashingBusyError";
  constructor() {
    super("password hashing is at capacity");
  }
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses above `maxmem` (32 MiB by default).
  const maxmem = 128 * params.N * params.r * params.p + 32 * 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { ...params, maxmem }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

function sameParams(a: ScryptParams, b: ScryptParams): boolean {
  return a.N === b.N && a.r === b.r && a.p === b.p;
}

export function validScryptParams(params: ScryptParams): boolean {
  const { N, r, p } = params;
  return (
    Number.isInteger(N) &&
    N >= 2 &&
    N <= MAX_N &&
    (N & (N - 1)) === 0 &&
    Number.isInteger(r) &&
    r >= 1 &&
    r <= MAX_R &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= MAX_P
  );
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

/** `scrypt$N$r$p$salt$key`, or null for anything else. */
export function parseHash(stored: string): ParsedHash | null {
  const [scheme, n, r, p, salt, key, ...rest] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key || rest.length > 0) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (!validScryptParams(params)) return null;
  return { params, salt: Buffer.from(salt, "base64url"), key: Buffer.from(key, "base64url") };
}

/** A counting semaphore that refuses, rather than queues, past `maxQueued` waiters. */
class Slots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly maxRunning: number,
    private readonly maxQueued: number,
  ) {}

  /** Admission is decided synchronously: a refused call rejects without running `work`. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.maxRunning) {
      this.running++;
    } else {
      if (this.waiting.length >= this.maxQueued) throw new HashingBusyError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, so nobody can overtake the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

export interface Verification {
  valid: boolean;
  /** The stored hash used other parameters than new hashes do: store `hash(password)` instead. */
  needsRehash: boolean;
}

export class PasswordHasher {
  readonly params: ScryptParams;
  private readonly slots: Slots;

  /** `bounded: false` (RATE_LIMITS=off) still caps concurrency, but queues instead of refusing. */
  constructor(options: PasswordHashingOptions = {}, { bounded = true }: { bounded?: boolean } = {}) {
    this.params = { ...(options.params ?? OWASP_SCRYPT) };
    if (!validScryptParams(this.params)) throw new Error(`invalid scrypt parameters ${JSON.stringify(this.params)}`);
    this.slots = new Slots(
      Math.max(1, options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_HASHES),
      bounded ? Math.max(0, options.maxQueued ?? DEFAULT_MAX_QUEUED_HASHES) : Infinity,
    );
  }

  /** A new hash with the current parameters; rejects with `HashingBusyError` when at capacity. */
  hash(password: string): Promise<string> {
    return this.slots.run(async () => {
      const salt = randomBytes(SALT_BYTES);
      const key = await derive(password, salt, this.params);
      const { N, r, p } = this.params;
      return `scrypt$${N}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
    });
  }

  /**
   * Checks a password against a stored hash. With `stored` null (no such user) it spends the
   * same time as a current-parameter check and answers invalid, so timing does not reveal which
   * usernames exist. Rejects with `HashingBusyError` when at capacity.
   */
  verify(password: string, stored: string | null): Promise<Verification> {
    return this.slots.run(async () => {
      const parsed = stored === null ? null : parseHash(stored);
      if (!parsed) {
        await derive(password, randomBytes(SALT_BYTES), this.params);
        return { valid: false, needsRehash: false };
      }
      const actual = await derive(password, parsed.salt, parsed.params);
      const valid = actual.length === parsed.key.length && timingSafeEqual(actual, parsed.key);
      return { valid, needsRehash: valid && !sameParams(parsed.params, this.params) };
    });
  }
}
