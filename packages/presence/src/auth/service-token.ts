/**
 * The host backend's credential for `system.*` over HTTP (HERALD_SERVICE_TOKEN). Compared in
 * constant time: both sides are hashed first, so neither the length nor any prefix of the token
 * shows in the time a wrong guess takes. Without a token configured nothing matches, so
 * `system.*` is reachable in-process only (`createSystemCaller`).
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** Long enough that guessing is hopeless (`openssl rand -base64 32` gives 44 characters). */
export const MIN_SERVICE_TOKEN_LENGTH = 32;

export class ServiceToken {
  private readonly digest: Buffer | null;

  constructor(token: string | undefined) {
    if (token !== undefined && token.length < MIN_SERVICE_TOKEN_LENGTH) {
      throw new Error(`HERALD_SERVICE_TOKEN must be at least ${MIN_SERVICE_TOKEN_LENGTH} characters`);
    }
    this.digest = token === undefined ? null : sha256(token);
  }

  /** Whether one is configured: without it, system.* is refused over HTTP. */
  get configured(): boolean {
    return this.digest !== null;
  }

  matches(candidate: string | null | undefined): boolean {
    if (this.digest === null || typeof candidate !== "string") return false;
    return timingSafeEqual(sha256(candidate), this.digest);
  }
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
