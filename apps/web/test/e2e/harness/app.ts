/** What a person does in the app, as test steps. Locators follow labels and roles, like a screen reader. */
import { expect } from "vitest";
import type { Locator, Page } from "playwright-core";

export type ShownStatus = "online" | "away" | "dnd" | "offline";

let counter = 0;
/** A fresh username per call; the server's store lives as long as the test file. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36).slice(-4)}${counter}`;
}

export const PASSWORD = "correct horse battery";

export async function signUp(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.getByRole("button", { name: "Create account", pressed: false }).click();
  const form = page.getByRole("form", { name: "Create account" });
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Create account" }).click();
  await expect.poll(() => page.getByTestId("me-username").textContent()).toBe(username);
}

export async function signIn(page: Page, username: string, password = PASSWORD): Promise<void> {
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign in" }).click();
  await expect.poll(() => page.getByTestId("me-username").textContent()).toBe(username);
}

export async function sendFriendRequest(page: Page, username: string): Promise<void> {
  await page.getByLabel("Friend's username").fill(username);
  await page.getByRole("button", { name: "Send request" }).click();
}

/** `from` asks, `to` accepts; both then see each other in their friend lists. */
export async function befriend(from: { page: Page; name: string }, to: { page: Page; name: string }): Promise<void> {
  await sendFriendRequest(from.page, to.name);
  await from.page.getByTestId(`request-out-${to.name}`).waitFor();
  // Pushed to `to` by the `requests` event: nothing to refresh.
  await to.page.getByRole("button", { name: `Accept friend request from ${from.name}` }).click();
  await friendRow(to.page, from.name).waitFor();
  await friendRow(from.page, to.name).waitFor();
}

export function friendRow(page: Page, username: string): Locator {
  return page.getByTestId(`friend-${username}`);
}

export function statusShown(page: Page, username: string): Promise<string | null> {
  return friendRow(page, username).getAttribute("data-status", { timeout: 5_000 });
}

export async function expectStatus(page: Page, username: string, status: ShownStatus): Promise<void> {
  await expect.poll(() => statusShown(page, username), { timeout: 20_000 }).toBe(status);
}

const PICKER_LABEL = { online: "Online", away: "Away", dnd: "Do not disturb", invisible: "Invisible" } as const;

export async function chooseStatus(page: Page, status: keyof typeof PICKER_LABEL): Promise<void> {
  const radio = page.getByRole("radio", { name: new RegExp(`^${PICKER_LABEL[status]}`) });
  await radio.check();
  await expect.poll(() => page.getByTestId("me-status").textContent()).toBe(PICKER_LABEL[status]);
}

/** What the browser does when the tab goes to the background (or comes back). */
export async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  }, hidden);
}

export function ownStatus(page: Page): Promise<string | null> {
  return page.getByTestId("me-status").textContent();
}
