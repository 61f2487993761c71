/**
 * The host app's tokens (AUTH_MODE=jwt): JWTs the host signs, checked with `jose` against its
 * JWKS (host-jwks.ts: fetched, cached, and fetched again when a token names a key it has not
 * seen: rotation without a restart) or against one key (AUTH_JWT_KEY, host-keys.ts). `iss`, `aud`
 * and `exp` must hold; `sub` is the user's id in the host's system, and a user is provisioned the
 * first time a token shows them (`name` from AUTH_NAME_CLAIM). Herald never signs or revokes
 * these: the host does both, so a socket lives until its token's `exp` (then 4401, as for
 * Herald's own sessions).
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { Logger } from "../logger.js";
import { USER_ID_PATTERN } from "@herald/protocol";
import { displayNameInput } from "../inputs.js";
import type { AccountsRepo } from "../repo/accounts.js";
import { HostJwks } from "./host-jwks.js";
import { parseHostKey, type HostKey } from "./host-keys.js";
import type { SessionAuthority } from "./session-authority.js";
import type { SessionClaims } from "./tokens.js";

export interface HostTokenOptions {
  /** AUTH_JWKS_URL: the host's JSON Web Key Set. Exactly one of this and `key`. */
  jwksUrl?: string | undefined;
  /** AUTH_JWT_KEY: one PEM public key, or a shared secret (host-keys.ts). */
  key?: string | undefined;
  /** AUTH_ISSUER: the `iss` every token must carry. */
  issuer: string;
  /** AUTH_AUDIENCE: an `aud` every token must carry. */
  audience: string;
  /** AUTH_NAME_CLAIM: the claim holding the user's display name (default `name`). */
  nameClaim?: string | undefined;
  /**
   * How long after a JWKS fetch, failed or not, a token signed with an unknown key must wait for
   * the next one (default 30 s): a flood of forged `kid`s cannot hammer the host.
   */
  jwksCooldownMs?: number | undefined;
  /** How old the JWKS may get before it is fetched again (default 10 min); a failed fetch keeps it. */
  jwksMaxAgeMs?: number | undefined;
}

export const DEFAULT_NAME_CLAIM = "name";
/** Far above any real JWT; a longer "token" is not parsed at all. */
const MAX_TOKEN_BYTES = 16 * 1024;
/** Users whose row is known to be there (with this name); beyond it the cache starts over. */
const MAX_PROVISIONED_CACHE = 50_000;
/** Algorithms a JWKS may serve keys for: asymmetric only (a JWKS is public). */
const JWKS_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];

export class HostTokenVerifier implements SessionAuthority {
  private readonly key: JWTVerifyGetKey | HostKey["key"];
  private readonly algorithms: string[];
  private readonly nameClaim: string;
  /** user id → display name last written for them (null: none given). */
  private readonly provisioned = new Map<string, string | null>();

  constructor(
    private readonly options: HostTokenOptions,
    private readonly accounts: AccountsRepo,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    // Checked here too, not only in env.ts: a host passing settings in code (attachHerald) must
    // not end up with an issuer or audience check that jose skips because the value is empty.
    if (!options.issuer) throw new Error("AUTH_MODE=jwt needs AUTH_ISSUER: the iss every host token must carry");
    if (!options.audience) throw new Error("AUTH_MODE=jwt needs AUTH_AUDIENCE: an aud every host token must carry");
    if (Boolean(options.jwksUrl) === Boolean(options.key)) {
      throw new Error("AUTH_MODE=jwt needs exactly one of AUTH_JWKS_URL (the host's JWKS) and AUTH_JWT_KEY (one key)");
    }
    if (options.jwksUrl) {
      const jwks = new HostJwks({ url: options.jwksUrl, cooldownMs: options.jwksCooldownMs, maxAgeMs: options.jwksMaxAgeMs }, log, now);
      this.key = jwks.getKey;
      this.algorithms = JWKS_ALGORITHMS;
    } else {
      let parsed: HostKey;
      try {
        parsed = parseHostKey(options.key!);
      } catch (error) {
        throw new Error(`AUTH_JWT_KEY ${(error as Error).message}`, { cause: error });
      }
      this.key = parsed.key;
      this.algorithms = parsed.algorithms;
    }
    this.nameClaim = options.nameClaim ?? DEFAULT_NAME_CLAIM;
  }

  async verify(token: unknown): Promise<SessionClaims | null> {
    if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_BYTES) return null;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as JWTVerifyGetKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.algorithms,
        requiredClaims: ["exp", "sub"],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      this.refused(error);
      return null;
    }
    const sub = payload.sub;
    // jose checks that `sub` is there, not that it is a string; the pattern would coerce 42 or
    // ["user_alice"] into an id, and the latter is someone else's.
    if (typeof sub !== "string" || !USER_ID_PATTERN.test(sub)) {
      this.log.info({ reason: "sub is not a usable user id" }, "refused a host token");
      return null;
    }
    await this.provision(sub, this.nameIn(payload));
    return { sub, exp: payload.exp!, ver: 0 };
  }

  async isCurrent(claims: SessionClaims): Promise<boolean> {
    return claims.exp * 1000 > this.now();
  }

  /** The host revokes its own tokens (short lifetimes); `auth.signOut` refuses before this. */
  async revokeAll(): Promise<number> {
    throw new Error("the host app's tokens are revoked by the host, not by Herald");
  }

  onRevoked(): () => void {
    return () => {};
  }

  /** The display name the token gives, if it is one a client may be shown; else none. */
  private nameIn(payload: JWTPayload): string | null {
    const claim = payload[this.nameClaim];
    if (claim === undefined) return null;
    const parsed = displayNameInput.safeParse(claim);
    if (!parsed.success) this.log.info({ claim: this.nameClaim }, "ignored a host token's display name: not a short line of text");
    return parsed.success ? parsed.data : null;
  }

  /**
   * First sight of a user makes their rows; a new name renames them. Known users cost nothing.
   * If the database does not answer, the token still counts (as Herald's own sessions do during
   * an outage): the rows are made on a later sight, and calls needing them fail meanwhile anyway.
   */
  private async provision(userId: string, name: string | null): Promise<void> {
    const known = this.provisioned.get(userId);
    if (known !== undefined && (name === null || name === known)) return;
    try {
      await this.accounts.provisionHostUsers([{ id: userId, name }]);
    } catch (error) {
      this.log.warn({ err: error, userId }, "could not provision a host user; will try again on their next token");
      return;
    }
    if (this.provisioned.size >= MAX_PROVISIONED_CACHE) this.provisioned.clear();
    this.provisioned.set(userId, name ?? known ?? null);
  }

  /**
   * Routine refusals (expired, malformed) are not news; a wrong key, issuer or audience may be a
   * misconfiguration. A JWKS that does not answer is logged by HostJwks, once per outage.
   */
  private refused(error: unknown): void {
    if (error instanceof errors.JWTExpired || error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return;
    if (!(error instanceof errors.JOSEError)) {
      this.log.warn({ err: error }, "could not check a host token");
      return;
    }
    this.log.info({ reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, "refused a host token");
  }
}
