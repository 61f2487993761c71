/**
 * The host's JWKS when it fails (AUTH_MODE=jwt, docs/protocol.md §3.1): a failed fetch starts the
 * cooldown as a good one does, so tokens naming unknown keys cannot make Herald hammer an identity
 * provider that is down; the last good key set stays in use through an outage longer than its
 * max age, so nobody is signed out for it; and a key the JWKS leaves out once it answers again
 * stops working.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createScratchDatabase } from "@herald/db/testing";
import { pino } from "pino";
import { startHeraldServer, type HeraldServer } from "../src/server.js";
import { codeOf, HostIssuer, httpClient, testServerConfig } from "../src/testing/index.js";

/** HostIssuer's JWKS behind switches: while `failing` it answers 500, while `hanging` nothing. Counts every request. */
async function flakyJwks(issuer: HostIssuer) {
  const jwks = { url: "", fetches: 0, failing: false, hanging: false };
  const http = createServer(async (_req, res) => {
    jwks.fetches++;
    if (jwks.hanging) return; // until the client gives up, or the server closes
    if (jwks.failing) {
      res.writeHead(500).end();
      return;
    }
    const upstream = await fetch(issuer.jwksUrl);
    res.writeHead(200, { "content-type": "application/json" }).end(await upstream.text());
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  jwks.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/jwks.json`;
  const close = async () => {
    http.close();
    http.closeAllConnections();
    await once(http, "close");
  };
  return { jwks, close };
}

describe("the host's JWKS while it fails", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  async function start(timing: { jwksCooldownMs: number; jwksMaxAgeMs?: number }) {
    const issuer = await HostIssuer.start();
    cleanups.push(() => issuer.close());
    const { jwks, close } = await flakyJwks(issuer);
    cleanups.push(close);
    const database = await createScratchDatabase(process.env.TEST_DATABASE_URL);
    cleanups.push(database.drop);
    const logs: Array<{ level: number; msg: string }> = [];
    const log = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const server: HeraldServer = await startHeraldServer(
      testServerConfig({ databaseUrl: database.url, identity: { ...issuer.identity(), jwksUrl: jwks.url, ...timing } }),
      log,
    );
    cleanups.push(() => server.close());
    const me = (token: string) => codeOf(httpClient(server.url, token).auth.me.query());
    const outageWarnings = () => logs.filter((entry) => entry.level === 40 && entry.msg.includes("JWKS at AUTH_JWKS_URL did not answer"));
    return { issuer, jwks, me, outageWarnings };
  }

  it("fetches it at most once per cooldown, however many tokens name keys it has not seen", async () => {
    const { issuer, jwks, me, outageWarnings } = await start({ jwksCooldownMs: 60_000 });
    jwks.failing = true;
    for (let i = 0; i < 20; i++) {
      await issuer.rotate(); // a kid never seen before, every time
      expect(await me(await issuer.sign("user-1"))).toBe("UNAUTHORIZED");
    }
    expect(jwks.fetches).toBe(1);
    expect(outageWarnings()).toHaveLength(1);
  });

  it("keeps the last good keys through an outage longer than their max age, and drops a key the JWKS then leaves out", async () => {
    const { issuer, jwks, me, outageWarnings } = await start({ jwksCooldownMs: 100, jwksMaxAgeMs: 300 });
    const token = await issuer.sign("user-1");
    expect(await me(token)).toBe("ok");
    expect(jwks.fetches).toBe(1);

    jwks.failing = true;
    // Past the max age, one refresh per cooldown fails; the token must pass throughout.
    const answers = new Set<string | undefined>();
    await expect.poll(async () => (answers.add(await me(token)), jwks.fetches), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(answers).toEqual(new Set(["ok"]));
    expect(outageWarnings()).toHaveLength(1);

    await issuer.rotate(); // the host retires the key `token` was signed with
    jwks.failing = false;
    await expect.poll(() => me(token), { timeout: 10_000 }).toBe("UNAUTHORIZED");
    expect(await me(await issuer.sign("user-1"))).toBe("ok");
  });
  it("checks tokens against the keys it has while a refresh hangs, instead of holding them for the fetch's timeout", async () => {
    const { issuer, jwks, me } = await start({ jwksCooldownMs: 100, jwksMaxAgeMs: 300 });
    const token = await issuer.sign("user-1");
    expect(await me(token)).toBe("ok");
    jwks.hanging = true;
    // Past the max age a refresh starts and hangs (Herald gives up after 5 s); no answer waits for it.
    const slowest = { ms: 0 };
    await expect
      .poll(
        async () => {
          const startedAt = performance.now();
          expect(await me(token)).toBe("ok");
          slowest.ms = Math.max(slowest.ms, performance.now() - startedAt);
          return jwks.fetches;
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThanOrEqual(2);
    expect(await me(token)).toBe("ok");
    expect(slowest.ms).toBeLessThan(2_000);
  });
});
