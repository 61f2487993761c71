/**
 * A host app's token issuer for tests: real signing keys (jose), a real JWKS served over HTTP on
 * port 0, and real JWTs. Keys can be rotated while a Herald server runs, and the issuer counts
 * how often its JWKS was fetched (caching is part of what is tested).
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import type { IdentityOptions } from "@herald/presence";

export const TEST_ISSUER = "https://host.example/";
export const TEST_AUDIENCE = "herald";

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export interface TokenOptions {
  /** Seconds from now (negative: already expired); default one hour. */
  expiresIn?: number;
  issuer?: string;
  audience?: string;
  /** The display-name claim (`name`), or leave it out. */
  name?: string;
  /** Sign with a key the JWKS does not serve, under a `kid` it does: a forgery. */
  forged?: boolean;
  /** Extra claims, or `undefined` values to drop standard ones. */
  claims?: Record<string, unknown>;
}

export class HostIssuer {
  /** Times the JWKS was served. */
  jwksFetches = 0;
  private keys: SigningKey[] = [];
  private constructor(
    private readonly http: Server,
    readonly jwksUrl: string,
  ) {}

  static async start(): Promise<HostIssuer> {
    const http = createServer();
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const { port } = http.address() as AddressInfo;
    const issuer = new HostIssuer(http, `http://127.0.0.1:${port}/.well-known/jwks.json`);
    http.on("request", (req, res) => {
      if (req.url !== "/.well-known/jwks.json") {
        res.writeHead(404).end();
        return;
      }
      issuer.jwksFetches++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: issuer.keys.map((key) => key.jwk) }));
    });
    await issuer.rotate();
    return issuer;
  }

  /** Herald's identity settings for this issuer (a short JWKS cooldown, so rotation tests are quick). */
  identity(): Extract<IdentityOptions, { mode: "jwt" }> {
    return { mode: "jwt", jwksUrl: this.jwksUrl, issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksCooldownMs: 50 };
  }

  /** A new signing key; with `keepOld` the JWKS serves both (a rotation's overlap), else the new one alone. */
  async rotate({ keepOld = false } = {}): Promise<void> {
    const key = await newKey();
    this.keys = keepOld ? [...this.keys, key] : [key];
  }

  /** A JWT for user `sub`, signed with the current key. */
  async sign(sub: string, options: TokenOptions = {}): Promise<string> {
    const current = this.keys[this.keys.length - 1]!;
    const privateKey = options.forged ? (await newKey()).privateKey : current.privateKey;
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      sub,
      iss: options.issuer ?? TEST_ISSUER,
      aud: options.audience ?? TEST_AUDIENCE,
      iat: now,
      exp: now + (options.expiresIn ?? 3600),
      ...(options.name === undefined ? {} : { name: options.name }),
      ...options.claims,
    };
    const present = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
    return new SignJWT(present).setProtectedHeader({ alg: "ES256", kid: current.kid, typ: "JWT" }).sign(privateKey);
  }

  async close(): Promise<void> {
    this.http.close();
    this.http.closeAllConnections();
    await once(this.http, "close");
  }
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" } };
}
