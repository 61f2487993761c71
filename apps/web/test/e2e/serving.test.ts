/** The server hands out the built app: at `/`, on client-side routes, with sensible caching. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeraldServer } from "@herald/server";
import { befriend, expectStatus } from "./harness/app";
import { closeAll, type BrowserUser } from "./harness/browser";
import { signedUpPeople } from "./harness/people";
import { startTestServer } from "./harness/server";

describe("serving the web app", () => {
  let server: HeraldServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("serves index.html at / and on unknown paths, never cached, and its assets forever", async () => {
    for (const path of ["/", "/friends/anyone"]) {
      const page = await fetch(`${server.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get("cache-control")).toBe("no-cache");
      const html = await page.text();
      expect(html).toContain('<div id="root">');
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(`${server.url}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toContain("javascript");
      expect(asset.headers.get("cache-control")).toContain("immutable");
    }
  });

  it("sends a strict CSP, no framing, no referrer, nosniff; never the source maps", async () => {
    const page = await fetch(`${server.url}/`);
    const host = new URL(server.url).host;
    expect(page.headers.get("content-security-policy")).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        `connect-src 'self' ws://${host} wss://${host}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'`,
    );
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await page.text();
    // Nothing inline for the policy to refuse: Vite emits none, and the policy allows none.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=/);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const map = await fetch(`${server.url}${script}.map`);
    expect(map.status).toBe(404);
    expect(await map.text()).not.toContain('"mappings"');
  });

  it("the app signs up, connects its WebSocket and shows a friend live under that policy", async () => {
    const browsers: BrowserUser[] = [];
    try {
      const [alice, bob] = await signedUpPeople(server.url, ["csp_a", "csp_b"], browsers);
      await befriend(alice, bob);
      await expectStatus(alice.page, bob.name, "online");
      expect(await alice.page.locator(".connection-banner").getAttribute("data-connection")).toBe("connected");
      expect(alice.cspViolations).toEqual([]);
    } finally {
      await closeAll(browsers);
    }
  });

  it("answers a malformed URL with 400 and keeps serving", async () => {
    const bad = await fetch(`${server.url}/%E0%A4%A`);
    expect(bad.status).toBe(400);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
