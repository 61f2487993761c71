/**
 * Takes docs/screenshot.png (and a phone-sized one): the main screen with a realistic set of
 * friends. Friends are Node clients; the viewer is the real app in Chromium.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HeraldServer } from "@herald/server";
import { apiBefriend, apiConnect, apiSignUp, type ApiUser } from "../e2e/harness/api-client";
import { friendRow } from "../e2e/harness/app";
import { closeAll, openBrowser, type BrowserUser } from "../e2e/harness/browser";
import { startTestServer } from "../e2e/harness/server";

const DOCS = fileURLToPath(new URL("../../../../docs/", import.meta.url));

let server: HeraldServer;
const browsers: BrowserUser[] = [];
const devices: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  server = await startTestServer({ offlineGraceMs: 100 });
});
afterAll(async () => {
  await closeAll(browsers);
  await Promise.all(devices.map((d) => d.close()));
  await server?.close();
});

async function friendOf(viewer: ApiUser, username: string): Promise<ApiUser> {
  const user = await apiSignUp(server.url, username);
  await apiBefriend(user, viewer);
  return user;
}

async function connected(
  user: ApiUser,
  status: "online" | "away" | "dnd",
  message: string | null,
  options: { device?: "web" | "desktop" | "mobile"; forHours?: number } = {},
) {
  const device = await apiConnect(server.url, user, options.device);
  devices.push(device);
  const until = options.forHours ? new Date(Date.now() + options.forHours * 3_600_000).toISOString() : undefined;
  await device.client.presence.setStatus.mutate({ status, message, until });
}

/** Connects and leaves, then moves the recorded last-seen moment into the past. */
async function seenAgo(user: ApiUser, minutes: number) {
  const device = await apiConnect(server.url, user);
  await device.close();
  await expect.poll(async () => (await user.http.presence.me.query()).lastSeen).not.toBeNull();
  await server.backends.database.db.execute(
    `update user_presence set last_seen = now() - interval '${minutes} minutes' where user_id = '${user.id}'`,
  );
}

it("main screen", async () => {
  const maya = await apiSignUp(server.url, "maya");
  await connected(await friendOf(maya, "sam"), "online", "Shipping the 2.0 release tonight");
  await connected(await friendOf(maya, "priya"), "away", "Lunch — back at 2", { device: "mobile" });
  await connected(await friendOf(maya, "leo"), "dnd", "Focus time", { forHours: 2 });
  await connected(await friendOf(maya, "noah"), "online", null);
  await seenAgo(await friendOf(maya, "ana"), 7);
  const kai = await friendOf(maya, "kai");
  await kai.http.presence.setLastSeenPrivacy.mutate({ level: "approximate" });
  await seenAgo(kai, 60 * 24 * 5);
  await (await apiSignUp(server.url, "olivia")).http.friends.request.mutate({ username: "maya" });
  await apiSignUp(server.url, "zoe");
  await maya.http.friends.request.mutate({ username: "zoe" });
  await maya.http.presence.setStatus.mutate({ status: "online", message: "Reviewing pull requests" });

  // The server answers from the rows it remembers for up to 30 s; wait until it reads the moved ones.
  const anaLastSeen = async () => {
    const ana = (await maya.http.friends.list.query()).find((friend) => friend.username === "ana");
    return Date.parse(ana?.presence.lastSeen ?? "");
  };
  await expect.poll(anaLastSeen, { timeout: 60_000, interval: 1_000 }).toBeLessThan(Date.now() - 5 * 60_000);
  const session = JSON.stringify({ token: maya.token, user: { id: maya.id, username: maya.username } });
  for (const [name, viewport] of [
    ["screenshot.png", { width: 1280, height: 820 }],
    ["screenshot-phone.png", { width: 390, height: 844 }],
  ] as const) {
    const browser = await openBrowser(server.url, viewport);
    browsers.push(browser);
    await browser.page.evaluate((value) => localStorage.setItem("herald.session", value), session);
    await browser.page.reload();
    await friendRow(browser.page, "kai").getByText("Last seen within a week").waitFor();
    await friendRow(browser.page, "leo").getByText(/until/).waitFor();
    await friendRow(browser.page, "priya").getByLabel("on mobile").waitFor();
    await browser.page.getByTestId("request-in-olivia").waitFor();
    await browser.page.screenshot({ path: `${DOCS}${name}`, fullPage: true });
  }
});
