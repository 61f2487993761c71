/**
 * Session tokens: `<payload>.<signature>`, both base64url; the payload is JSON `{ sub, exp }`
 * signed with HMAC-SHA256 under AUTH_SECRET. Stateless, so every server verifies them alone;
 * `ver` ties a token to the user's token version, which `auth.signOut` bumps (see sessions.ts).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { SESSION_TTL_SECONDS } from "../settings.js";

export interface SessionClaims {
  /** user id */
  sub: string;
  /** expiry, seconds since epoch */
  exp: number;
  /** the user's token version when signed (tokens from before versions existed count as 0) */
  ver: number;
}

export class TokenSigner {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds = SESSION_TTL_SECONDS,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.length < 16) throw new Error("AUTH_SECRET must be at least 16 characters");
  }

  sign(userId: string, version = 0): string {
    const claims: SessionClaims = { sub: userId, exp: Math.floor(this.now() / 1000) + this.ttlSeconds, ver: version };
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${payload}.${this.signature(payload)}`;
  }

  /** The claims of a valid, unexpired token; null for anything else (never throws). */
  verify(token: unknown): SessionClaims | null {
    if (typeof token !== "string" || token.length > 1024) return null;
    const [payload, signature, extra] = token.split(".");
    if (!payload || !signature || extra !== undefined) return null;
    const expected = Buffer.from(this.signature(payload));
    const actual = Buffer.from(signature);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
    try {
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Partial<SessionClaims>;
      if (typeof claims.sub !== "string" || typeof claims.exp !== "number") return null;
      if (claims.exp * 1000 <= this.now()) return null;
      const ver = claims.ver ?? 0;
      if (typeof ver !== "number" || !Number.isSafeInteger(ver)) return null;
      return { sub: claims.sub, exp: claims.exp, ver };
    } catch {
      return null;
    }
  }

  private signature(payload: string): string {
    return createHmac("sha256", this.secret).update(payload).digest("base64url");
  }
}
