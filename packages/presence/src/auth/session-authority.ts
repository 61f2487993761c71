/**
 * Who vouches for the token a caller presents: Herald's own sessions (`SessionVerifier`,
 * AUTH_MODE=builtin) or the host app's JWTs (`HostTokenVerifier`, AUTH_MODE=jwt). The HTTP and
 * WebSocket layers use only this, so both modes share every other line of them, the 4401 on a
 * live socket whose token expires included.
 */
import type { SessionClaims } from "./tokens.js";

export interface SessionAuthority {
  /** The claims of a token that is valid now; null for anything else (never throws). */
  verify(token: unknown): Promise<SessionClaims | null>;
  /** Whether the token these claims came from still holds (not expired, not revoked). */
  isCurrent(claims: SessionClaims): Promise<boolean>;
  /** Revokes every token of the user (`auth.signOut`); the new token version. */
  revokeAll(userId: string): Promise<number>;
  /** Told about revocations made on this server, so that the user's sockets close at once. */
  onRevoked(listener: (userId: string, version: number) => void): () => void;
}
