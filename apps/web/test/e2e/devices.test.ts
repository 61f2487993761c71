/** "On mobile" (docs/protocol.md §9.2): a friend who is only on their phone shows a phone by their status. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeraldServer } from "@herald/server";
import { expectStatus, friendRow } from "./harness/app";
import { apiConnect, apiSignUp } from "./harness/api-client";
import { closeAll, type BrowserUser } from "./harness/browser";
import { signedUpPeople } from "./harness/people";
import { startTestServer } from "./harness/server";

describe("devices", () => {
  let server: HeraldServer;
  const browsers: BrowserUser[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await closeAll(browsers);
    await server?.close();
  });

  it("shows 'on mobile' for a friend on their phone alone, and not once they are on a computer too", async () => {
    const [ola] = await signedUpPeople(server.url, ["ola"], browsers);
    const pat = await apiSignUp(server.url, `pat_${Date.now().toString(36).slice(-5)}`);
    await pat.http.friends.request.mutate({ username: ola.name });
    await ola.page.getByRole("button", { name: `Accept friend request from ${pat.username}` }).click();
    await friendRow(ola.page, pat.username).waitFor();

    const phone = await apiConnect(server.url, pat, "mobile");
    await expectStatus(ola.page, pat.username, "online");
    const onMobile = friendRow(ola.page, pat.username).getByRole("img", { name: "on mobile" });
    await onMobile.waitFor();

    const laptop = await apiConnect(server.url, pat, "desktop");
    await onMobile.waitFor({ state: "detached" });
    await laptop.close();
    await onMobile.waitFor();
    expect(await friendRow(ola.page, pat.username).getAttribute("data-status")).toBe("online");

    await phone.close();
  });
});
