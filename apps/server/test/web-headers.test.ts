/**
 * Issue 10, item 13: the web app is served with a strict Content-Security-Policy, no framing, no
 * referrer, nosniff, and never with its source maps. (apps/web/test/e2e/serving.test.ts checks the
 * same on the real build, in Chromium.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../src/testing/index.js";

/** A GET with any Host header (fetch would not send a forged one). */
function get(server: TestServer, path: string, host?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, headers: host ? { host } : {} }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("web app response headers", () => {
  let server: TestServer;
  let dist: string;
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), "herald-web-dist-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), '<!doctype html><div id="root"></div><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(dist, "assets", "app.js"), "console.log('app');\n//# sourceMappingURL=app.js.map");
    writeFileSync(join(dist, "assets", "app.js.map"), '{"version":3,"sources":["../src/secret-source.tsx"]}');
    server = await startTestServer({ webDistDir: dist });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it("/ carries a strict CSP allowing only the same origin (and its WebSocket), no framing, no referrer, nosniff", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    const host = `127.0.0.1:${server.port}`;
    expect(response.headers.get("content-security-policy")).toBe(
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        `connect-src 'self' ws://${host} wss://${host}`,
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
      ].join("; "),
    );
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await response.text()).toContain('<div id="root">');
  });

  it("assets and client-side routes carry the same headers", async () => {
    for (const path of ["/assets/app.js", "/friends/someone"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-security-policy"), path).toMatch(/^default-src 'self'; script-src 'self';/);
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("referrer-policy"), path).toBe("no-referrer");
    }
  });

  it("never serves a source map, not even one left in the build directory", async () => {
    for (const path of ["/assets/app.js.map", "/assets/APP.JS.MAP", "/assets/missing.js.map", "/assets/app.js.map?x=1"]) {
      const response = await fetch(`${server.url}${path}`);
      const body = await response.text();
      expect(response.status, path).toBe(404);
      expect(body, path).not.toMatch(/secret-source|<div id="root"/);
    }
  });

  it("quotes the Host header only when it is a plain host[:port], so it cannot inject directives", async () => {
    expect((await get(server, "/", "herald.example:8443")).headers["content-security-policy"]).toContain(
      "connect-src 'self' ws://herald.example:8443 wss://herald.example:8443;",
    );
    for (const forged of ["evil.example; script-src *", "a b", "x'y", "[::1]:3000"]) {
      const csp = String((await get(server, "/", forged)).headers["content-security-policy"]);
      expect(csp, forged).toContain("connect-src 'self'; frame-ancestors 'none'");
      expect(csp, forged).not.toContain("evil");
    }
  });
});
