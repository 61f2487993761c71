/**
 * The host app's token issuer: it signs short-lived JWTs for its signed-in users and publishes
 * the public half of its key as a JWKS, which Herald fetches (AUTH_JWKS_URL) to check them. To
 * rotate, publish the new key next to the old one, then sign with it: Herald picks it up.
 */
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import type { HostUser } from "./users.js";

/** Short: Herald closes a socket (4401) when its token expires, and the client reconnects with a fresh one. */
const TOKEN_LIFETIME = "15m";

export class HostIssuer {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly jwk: JWK,
    /** Who signs (`iss`): the app's own URL. */
    readonly issuer: string,
    /** Who the tokens are for (`aud`). */
    readonly audience: string,
  ) {}

  static async create(issuer: string, audience: string): Promise<HostIssuer> {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(publicKey)), kid: randomUUID(), alg: "ES256", use: "sig" };
    return new HostIssuer(privateKey, jwk, issuer, audience);
  }

  /** What `GET /.well-known/jwks.json` answers. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.jwk] };
  }

  /** A token for `user`: `sub` is the app's id for them, `name` what Herald shows. */
  sign(user: HostUser): Promise<string> {
    return new SignJWT({ name: user.name })
      .setProtectedHeader({ alg: "ES256", kid: this.jwk.kid!, typ: "JWT" })
      .setSubject(user.id)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt()
      .setExpirationTime(TOKEN_LIFETIME)
      .sign(this.privateKey);
  }
}
