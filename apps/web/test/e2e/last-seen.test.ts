/**
 * Last-seen controls and "See as" in the browser (docs/protocol.md §9.3, §9.4): a friend who shares
 * their last seen approximately reads "Last seen recently", and the See as panel shows what one
 * friend sees of you, and why.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { befriend, chooseStatus, expectStatus, friendRow } from "./harness/app";
import { signedUpPeople } from "./harness/people";
import { useTestServer } from "./harness/server";

async function chooseLastSeenLevel(page: Page, label: "Friends" | "Approximate" | "Nobody"): Promise<void> {
  const group = page.getByRole("group", { name: "Who sees your last seen" });
  await group.getByRole("radio", { name: new RegExp(`^${label}`) }).check();
  await expect.poll(() => group.getByRole("radio", { name: new RegExp(`^${label}`) }).isChecked()).toBe(true);
}

function seeAs(page: Page) {
  return page.getByRole("region", { name: "See as…" });
}

describe("last seen and See as", () => {
  const scope = useTestServer();
  const { browsers } = scope;

  it("shows a friend an approximate last seen instead of the time", async () => {
    const [carol, dave] = await signedUpPeople(scope.server.url, ["carol", "dave"], browsers);
    await befriend(carol, dave);
    await expectStatus(dave.page, carol.name, "online");

    await chooseLastSeenLevel(carol.page, "Approximate");
    // Hiding from Dave looks to him exactly like Carol leaving (rule 5), now with the bucket.
    await chooseStatus(carol.page, "invisible");
    await expectStatus(dave.page, carol.name, "offline");
    await expect.poll(() => friendRow(dave.page, carol.name).textContent(), { timeout: 10_000 }).toContain("Last seen recently");
    expect(await friendRow(dave.page, carol.name).locator("time").count()).toBe(0);

    // Back to the exact time for friends: Dave's row shows it without a reload.
    await chooseLastSeenLevel(carol.page, "Friends");
    await expect.poll(() => friendRow(dave.page, carol.name).textContent(), { timeout: 10_000 }).toContain("Last seen just now");
  });

  it("See as shows what the chosen friend sees of you, and why", async () => {
    const [erin, frank, gina] = await signedUpPeople(scope.server.url, ["erin", "frank", "gina"], browsers);
    await befriend(erin, frank);
    await befriend(erin, gina);
    await chooseStatus(erin.page, "invisible");
    const allowList = erin.page.getByRole("group", { name: "Still visible to" });
    await allowList.getByRole("checkbox", { name: frank.name }).check();
    await expectStatus(frank.page, erin.name, "online");

    const panel = seeAs(erin.page);
    const friend = panel.getByRole("combobox", { name: "Friend" });
    const view = panel.getByTestId("see-as-view");
    const reasons = panel.getByRole("list", { name: "Why" });

    await friend.selectOption({ label: frank.name });
    await expect.poll(() => view.getAttribute("data-status"), { timeout: 10_000 }).toBe("online");
    await expect.poll(() => reasons.textContent()).toContain("on your allow-list");

    // What Gina's own screen shows (once Erin's grace is over), the panel shows.
    await expectStatus(gina.page, erin.name, "offline");
    await friend.selectOption({ label: gina.name });
    await expect.poll(() => view.getAttribute("data-status"), { timeout: 10_000 }).toBe("offline");
    await expect.poll(() => reasons.textContent()).toContain("not on your allow-list");

    await chooseLastSeenLevel(erin.page, "Approximate");
    await expect.poll(() => view.textContent(), { timeout: 10_000 }).toContain("Last seen recently");
    await expect.poll(() => reasons.textContent()).toContain("your last seen is approximate for everyone");
    await expect.poll(() => friendRow(gina.page, erin.name).textContent(), { timeout: 10_000 }).toContain("Last seen recently");
  });
});
