/** "On mobile" (docs/protocol.md §9.2): a friend who is only on their phone shows a phone by their status. */
import { describe, expect, it } from "vitest";
import { expectStatus, friendRow } from "./harness/app";
import { apiConnect, apiSignUp } from "./harness/api-client";
import { signedUpPeople } from "./harness/people";
import { useTestServer } from "./harness/server";

describe("devices", () => {
  const scope = useTestServer();
  const { browsers } = scope;

  it("shows 'on mobile' for a friend on their phone alone, and not once they are on a computer too", async () => {
    const [ola] = await signedUpPeople(scope.server.url, ["ola"], browsers);
    const pat = await apiSignUp(scope.server.url, `pat_${Date.now().toString(36).slice(-5)}`);
    await pat.http.friends.request.mutate({ username: ola.name });
    await ola.page.getByRole("button", { name: `Accept friend request from ${pat.username}` }).click();
    await friendRow(ola.page, pat.username).waitFor();

    const phone = await apiConnect(scope.server.url, pat, "mobile");
    await expectStatus(ola.page, pat.username, "online");
    const onMobile = friendRow(ola.page, pat.username).getByRole("img", { name: "on mobile" });
    await onMobile.waitFor();

    const laptop = await apiConnect(scope.server.url, pat, "desktop");
    await onMobile.waitFor({ state: "detached" });
    await laptop.close();
    await onMobile.waitFor();
    expect(await friendRow(ola.page, pat.username).getAttribute("data-status")).toBe("online");

    await phone.close();
  });
});
