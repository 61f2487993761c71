/**
 * One browser per user: a persistent Chromium context with its own temporary profile, so
 * users never share localStorage (and so sessions) with each other.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromiumLaunchOptions } from "@herald/vitest-config";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export interface BrowserUser {
  context: BrowserContext;
  page: Page;
  /** What Chromium refused under the server's Content-Security-Policy; `closeAll` fails on any. */
  cspViolations: string[];
  close(): Promise<void>;
}

/** Opens `count` browsers at once: launching Chromium is the slow part of these tests. */
export function openBrowsers(url: string, count: number): Promise<BrowserUser[]> {
  return Promise.all(Array.from({ length: count }, () => openBrowser(url)));
}

export async function openBrowser(url: string, viewport = { width: 1280, height: 860 }): Promise<BrowserUser> {
  const profileDir = await mkdtemp(join(tmpdir(), "herald-e2e-"));
  const context = await chromium.launchPersistentContext(profileDir, {
    ...chromiumLaunchOptions(),
    headless: true,
    viewport,
  });
  context.setDefaultTimeout(20_000);
  // The app must work under its CSP (issue 10, item 13): every browser test doubles as a check.
  const cspViolations: string[] = [];
  context.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`Content Security Policy violation: ${event.effectiveDirective} blocked ${event.blockedURI}`);
    });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  return {
    context,
    page,
    cspViolations,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/** Closes every browser even if one fails, then reports the first failure (or CSP violation). */
export async function closeAll(users: ReadonlyArray<BrowserUser | undefined>): Promise<void> {
  const results = await Promise.allSettled(users.map(async (user) => user?.close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  const violations = users.flatMap((user) => user?.cspViolations ?? []);
  if (violations.length > 0) throw new Error(`the app broke its Content-Security-Policy:\n${violations.join("\n")}`);
}
