/**
 * AUTH_JWT_KEY (one key instead of a JWKS) and the configuration of the host's identity: a PEM
 * public key admits only its own algorithms (no HMAC with the public key as the secret), a shared
 * secret admits HMAC; bad settings stop the server at start, naming the variable.
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { createScratchDatabase } from "@herald/db/testing";
import { readEnv } from "../src/env.js";
import { errorOf, httpClient, startTestServer, TEST_AUDIENCE, TEST_ISSUER, type TestServer } from "../src/testing/index.js";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PUBLIC_PEM = publicKey.export({ type: "spki", format: "pem" }).toString();
const SHARED_SECRET = "a-shared-secret-of-at-least-thirty-two-bytes";

function token(alg: string, key: Parameters<SignJWT["sign"]>[0], sub = "user-1"): Promise<string> {
  return new SignJWT({ name: "Key Holder" })
    .setProtectedHeader({ alg })
    .setSubject(sub)
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setExpirationTime("1h")
    .sign(key);
}

describe("one key in AUTH_JWT_KEY", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  async function serverWithKey(key: string): Promise<TestServer> {
    const database = await createScratchDatabase(process.env.TEST_DATABASE_URL);
    cleanups.push(database.drop);
    const server = await startTestServer({
      databaseUrl: database.url,
      identity: { mode: "jwt", key, issuer: TEST_ISSUER, audience: TEST_AUDIENCE },
    });
    cleanups.push(() => server.close());
    return server;
  }

  it("a PEM public key: RS256 tokens pass; HS256 signed with the public key itself does not", async () => {
    // Written as one line with \n, as env files hold it.
    const server = await serverWithKey(PUBLIC_PEM.replaceAll("\n", "\\n"));
    expect(await httpClient(server.url, await token("RS256", privateKey)).auth.me.query()).toEqual({
      id: "user-1",
      username: "Key Holder",
    });
    const confused = await token("HS256", new TextEncoder().encode(PUBLIC_PEM));
    expect(await errorOf(httpClient(server.url, confused).auth.me.query())).toMatchObject({ code: "UNAUTHORIZED" });
    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    expect(await errorOf(httpClient(server.url, await token("RS256", otherKey)).auth.me.query())).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("a shared secret: HS256 tokens under it pass, under any other secret they do not", async () => {
    const server = await serverWithKey(SHARED_SECRET);
    const good = await token("HS256", new TextEncoder().encode(SHARED_SECRET), "user-2");
    expect(await httpClient(server.url, good).auth.me.query()).toMatchObject({ id: "user-2" });
    const bad = await token("HS256", new TextEncoder().encode(`${SHARED_SECRET}-not`), "user-2");
    expect(await errorOf(httpClient(server.url, bad).auth.me.query())).toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("configuration of the host's identity", () => {
  const jwt = { AUTH_MODE: "jwt", AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE };
  const problems: Array<[Record<string, string>, RegExp]> = [
    [{ AUTH_MODE: "jwt" }, /AUTH_JWKS_URL or AUTH_JWT_KEY is required/],
    [{ ...jwt, AUTH_JWKS_URL: "http://127.0.0.1:1/jwks", AUTH_JWT_KEY: SHARED_SECRET }, /AUTH_JWT_KEY and AUTH_JWKS_URL are both set/],
    [{ ...jwt, AUTH_ISSUER: "", AUTH_JWT_KEY: SHARED_SECRET }, /AUTH_ISSUER is required when AUTH_MODE=jwt/],
    [{ ...jwt, AUTH_AUDIENCE: "", AUTH_JWT_KEY: SHARED_SECRET }, /AUTH_AUDIENCE is required when AUTH_MODE=jwt/],
    [{ ...jwt, AUTH_JWKS_URL: "ftp://host/jwks" }, /AUTH_JWKS_URL must be an http/],
    [{ ...jwt, AUTH_JWT_KEY: "short" }, /AUTH_JWT_KEY must be a PEM public key, or a shared secret of at least 32 bytes/],
    [{ ...jwt, AUTH_JWT_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString() }, /AUTH_JWT_KEY holds a private key/],
    [{ ...jwt, AUTH_JWT_KEY: "-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----" }, /AUTH_JWT_KEY is not a PEM public key/],
    [{ AUTH_ISSUER: TEST_ISSUER }, /AUTH_ISSUER is for the host's tokens: set AUTH_MODE=jwt/],
    [{ AUTH_MODE: "oauth" }, /AUTH_MODE/],
    [{ FRIENDS: "both" }, /FRIENDS/],
    [{ HERALD_SERVICE_TOKEN: "too-short" }, /HERALD_SERVICE_TOKEN must be at least 32 characters/],
  ];

  it.each(problems)("refuses %j at start, naming the variable", (env, message) => {
    expect(() => readEnv(env)).toThrow(message);
  });

  it("takes a complete jwt configuration; production needs no AUTH_SECRET then", () => {
    expect(readEnv({ ...jwt, NODE_ENV: "production", AUTH_JWKS_URL: "https://host.example/jwks.json", FRIENDS: "host" })).toMatchObject({
      AUTH_MODE: "jwt",
      FRIENDS: "host",
    });
    expect(readEnv({})).toMatchObject({ AUTH_MODE: "builtin", FRIENDS: "herald" });
  });
});
