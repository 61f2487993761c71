/**
 * The one key in AUTH_JWT_KEY (AUTH_MODE=jwt without a JWKS): a PEM public key or certificate
 * (RSA, EC or Ed25519), or a shared secret for HMAC. Each key admits only the algorithms of its
 * own kind, so a token cannot pick one that the key was never meant for (an RSA public key used
 * as an HMAC secret is the classic), and `alg: none` is never among them.
 */
import { createPublicKey, type KeyObject } from "node:crypto";

/** RFC 7518 §3.2: an HMAC key at least as long as the hash (HS256: 32 bytes). */
export const MIN_SHARED_SECRET_BYTES = 32;

export interface HostKey {
  key: KeyObject | Uint8Array;
  algorithms: string[];
}

const RSA = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
const EC_BY_CURVE: Record<string, string> = { prime256v1: "ES256", secp384r1: "ES384", secp521r1: "ES512" };

/** The key and its algorithms; throws an Error whose message says what is wrong with `text`. */
export function parseHostKey(text: string): HostKey {
  // Env files often hold a PEM on one line, with its line breaks written as \n.
  const value = text.includes("\\n") && !text.includes("\n") ? text.replaceAll("\\n", "\n") : text;
  if (!value.trimStart().startsWith("-----BEGIN")) {
    const secret = new TextEncoder().encode(value);
    if (secret.length < MIN_SHARED_SECRET_BYTES) {
      throw new Error(
        `must be a PEM public key, or a shared secret of at least ${MIN_SHARED_SECRET_BYTES} bytes (HS256 needs 256 bits); this one has ${secret.length}`,
      );
    }
    return { key: secret, algorithms: ["HS256", "HS384", "HS512"] };
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) {
    throw new Error("holds a private key: give Herald the public key only (the host keeps the private one to sign with)");
  }
  let key: KeyObject;
  try {
    key = createPublicKey(value);
  } catch (error) {
    throw new Error(`is not a PEM public key or certificate Node.js can read (${(error as Error).message})`, { cause: error });
  }
  return { key, algorithms: algorithmsFor(key) };
}

function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return RSA;
    case "rsa-pss":
      return RSA.filter((alg) => alg.startsWith("PS"));
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve ?? "";
      const alg = EC_BY_CURVE[curve];
      if (!alg) throw new Error(`is an EC key on ${curve || "an unknown curve"}; JWTs use P-256, P-384 or P-521`);
      return [alg];
    }
    case "ed25519":
      return ["EdDSA", "Ed25519"];
    default:
      throw new Error(`is a ${key.asymmetricKeyType ?? "unknown"} key; use an RSA, EC (P-256/384/521) or Ed25519 public key`);
  }
}
