/** Accounts: sign up, sign in, sign out, sessions kept across reloads, and one user on two devices. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeraldServer } from "@herald/server";
import { chooseStatus, ownStatus, PASSWORD, signIn, signUp, uniqueName } from "./harness/app";
import { closeAll, openBrowser, type BrowserUser } from "./harness/browser";
import { anotherBrowser } from "./harness/people";
import { startTestServer } from "./harness/server";

describe("accounts and sessions", () => {
  let server: HeraldServer;
  const browsers: BrowserUser[] = [];
  const browser = async () => {
    const opened = await openBrowser(server.url);
    browsers.push(opened);
    return opened;
  };

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await closeAll(browsers);
    await server?.close();
  });

  it("signs up, stays signed in across reloads, signs out, and signs back in", async () => {
    const { page } = await browser();
    const name = uniqueName("mia");
    await signUp(page, name);
    await page.reload();
    await expect.poll(() => page.getByTestId("me-username").textContent()).toBe(name);

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("form", { name: "Sign in" }).waitFor();
    await page.reload();
    await page.getByRole("form", { name: "Sign in" }).waitFor();

    // A wrong password is refused with a message; the right one gets in.
    const form = page.getByRole("form", { name: "Sign in" });
    await form.getByLabel("Username").fill(name);
    await form.getByLabel("Password").fill("not the password");
    await form.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Wrong username or password");
    await signIn(page, name, PASSWORD);
  });

  it("says so when a username is taken", async () => {
    const { page } = await browser();
    const name = uniqueName("ned");
    await signUp(page, name);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("button", { name: "Create account", pressed: false }).click();
    const form = page.getByRole("form", { name: "Create account" });
    await form.getByLabel("Username").fill(name);
    await form.getByLabel("Password").fill(PASSWORD);
    await form.getByRole("button", { name: "Create account" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("is taken");
  });

  it("treats a token the server refuses as signed out", async () => {
    const { page } = await browser();
    await page.evaluate(() =>
      localStorage.setItem(
        "herald.session",
        JSON.stringify({ token: "forged.token.value", user: { id: "00000000-0000-4000-8000-000000000000", username: "mallory" } }),
      ),
    );
    await page.reload();
    await page.getByRole("form", { name: "Sign in" }).waitFor();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "session has ended" }).count()).toBe(1);
  });

  it("shows a change made on one device on the user's other devices", async () => {
    const laptop = await browser();
    const name = uniqueName("ola");
    await signUp(laptop.page, name);
    const phone = await anotherBrowser(server.url, browsers);
    await signIn(phone.page, name);
    await expect.poll(() => laptop.page.getByText("2 devices connected").count()).toBe(1);

    await chooseStatus(laptop.page, "dnd");
    await expect.poll(() => ownStatus(phone.page)).toBe("Do not disturb");
    await expect.poll(() => phone.page.getByRole("radio", { name: /^Do not disturb/ }).isChecked()).toBe(true);

    await phone.page.getByLabel("Status message").fill("On the train");
    await phone.page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => laptop.page.getByLabel("Status message").inputValue()).toBe("On the train");
  });

  it("signs out of all devices at once", async () => {
    const laptop = await browser();
    const name = uniqueName("pam");
    await signUp(laptop.page, name);
    const phone = await anotherBrowser(server.url, browsers);
    await signIn(phone.page, name);

    await laptop.page.getByRole("button", { name: "Sign out of all devices" }).click();
    await laptop.page.getByRole("form", { name: "Sign in" }).waitFor();
    // The phone's socket is closed by the server (its token is revoked): it is signed out too.
    await phone.page.getByRole("form", { name: "Sign in" }).waitFor();
    await expect.poll(() => phone.page.getByRole("status").filter({ hasText: "session has ended" }).count()).toBe(1);
    // Signing in again works, with a fresh token.
    await signIn(phone.page, name);
  });
});
