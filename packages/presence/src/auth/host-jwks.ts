/**
 * The host's JWKS (AUTH_JWKS_URL) as AUTH_MODE=jwt checks tokens against it. Not jose's
 * `createRemoteJWKSet`, for two reasons: its cooldown starts only after a *successful* fetch, so
 * while the host's identity provider fails, every token naming an unknown key fetches again (a
 * flood of forged `kid`s hammers a provider that is already down); and once its cache is older
 * than its max age a failed fetch refuses every token, signing everyone out because the provider
 * is down. Here every attempt starts the cooldown, a failed fetch keeps the last good set, and
 * a set past its max age is still used while the next is fetched.
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import type { Logger } from "../logger.js";

export interface HostJwksOptions {
  url: string;
  /** Least time between two fetches, whether the last one worked or not. */
  cooldownMs?: number | undefined;
  /** A set older than this is fetched again (and used meanwhile), so a key the host removed stops working. */
  maxAgeMs?: number | undefined;
}

export const JWKS_COOLDOWN_MS = 30_000;
export const JWKS_MAX_AGE_MS = 10 * 60_000;
/** A JWKS that has not answered by then counts as failed (jose's default too). */
const JWKS_TIMEOUT_MS = 5_000;

export class HostJwks {
  private keys = createLocalJWKSet({ keys: [] });
  private fetchedAt = -Infinity;
  private attemptedAt = -Infinity;
  /** Callers that need a fetch while one is under way wait for that one. */
  private pending: Promise<void> | null = null;
  /** Whether the latest fetch failed: one warning per outage, not one per token. */
  private failing = false;
  private readonly cooldownMs: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly options: HostJwksOptions,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.cooldownMs = options.cooldownMs ?? JWKS_COOLDOWN_MS;
    this.maxAgeMs = options.maxAgeMs ?? JWKS_MAX_AGE_MS;
  }

  /** The key for a token's header (`jwtVerify`'s key argument). */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (this.now() >= this.fetchedAt + this.maxAgeMs) {
      const refreshing = this.refresh();
      // With a set in hand the token is checked against it meanwhile: a provider that hangs
      // would otherwise hold every sign-in and connect for the fetch's timeout, only for a failed
      // fetch to keep this set anyway. A key the host removed works until the fetch ends (at most
      // its 5-s timeout) on top of the max age. Not awaited, so no failure may escape it.
      if (Number.isFinite(this.fetchedAt)) refreshing.catch(() => {});
      else await refreshing;
    }
    try {
      return await this.keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // Perhaps a key the host has just published (rotation); refresh() does nothing in the cooldown.
      await this.refresh();
      return this.keys(header, token);
    }
  };

  private refresh(): Promise<void> {
    if (this.pending) return this.pending;
    if (this.now() < this.attemptedAt + this.cooldownMs) return Promise.resolve();
    this.pending = this.fetchKeys().finally(() => {
      this.attemptedAt = this.now();
      this.pending = null;
    });
    return this.pending;
  }

  /** Never throws: a failure leaves the last good set in place. */
  private async fetchKeys(): Promise<void> {
    try {
      const response = await fetch(this.options.url, {
        redirect: "manual",
        signal: AbortSignal.timeout(JWKS_TIMEOUT_MS),
        headers: { accept: "application/json, application/jwk-set+json" },
      });
      if (response.status !== 200) throw new Error(`the JWKS answered HTTP ${response.status}`);
      this.keys = createLocalJWKSet((await response.json()) as JSONWebKeySet); // throws on a malformed set
    } catch (error) {
      if (!this.failing) {
        const keeping = Number.isFinite(this.fetchedAt)
          ? `checking host tokens against the keys fetched at ${new Date(this.fetchedAt).toISOString()} until it does`
          : "refusing host tokens until it does";
        this.log.warn({ err: error, url: this.options.url }, `the JWKS at AUTH_JWKS_URL did not answer; ${keeping}`);
      }
      this.failing = true;
      return;
    }
    this.fetchedAt = this.now();
    if (this.failing) this.log.info({ url: this.options.url }, "the JWKS at AUTH_JWKS_URL answers again");
    this.failing = false;
  }
}
