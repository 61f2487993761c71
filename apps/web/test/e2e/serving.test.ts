/** The server hands out the built app: at `/`, on client-side routes, with sensible caching. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeraldServer } from "@herald/server";
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

  it("answers a malformed URL with 400 and keeps serving", async () => {
    const bad = await fetch(`${server.url}/%E0%A4%A`);
    expect(bad.status).toBe(400);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
