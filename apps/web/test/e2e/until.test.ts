/**
 * A status that ends by itself (docs/protocol.md §9.1), in the browser: Alice picks "do not disturb"
 * for 1 hour, or until a time she picks; Bob's row for her reads "until HH:MM" in his local time.
 * An end set from another device brings her back online on Bob's screen by itself.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { apiSignIn } from "./harness/api-client";
import { befriend, chooseStatus, expectStatus, friendRow } from "./harness/app";
import { signedUpPeople } from "./harness/people";
import { useTestServer } from "./harness/server";

const HOUR = 3_600_000;

/** "until 16:00" as the page's own clock and time zone write it ("until Thu 3 Dec, 00:30" past midnight). */
async function untilWords(page: Page, iso: string): Promise<RegExp> {
  const time = await page.evaluate(
    (at) => new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(at)),
    iso,
  );
  expect(time).toMatch(/^\d\d:\d\d$/);
  return new RegExp(`until (\\w{3} \\d{1,2} \\w{3}, )?${time}`);
}

describe("a status that ends by itself", () => {
  const scope = useTestServer();
  const { browsers } = scope;

  it("dnd for 1 hour: the friend sees 'until HH:MM'; a picked time shows its day; the end brings her back", async () => {
    const [alice, bob] = await signedUpPeople(scope.server.url, ["alice", "bob"], browsers);
    await befriend(alice, bob);
    await expectStatus(bob.page, alice.name, "online");

    const chosenAt = Date.now();
    await alice.page.getByLabel("How long").selectOption({ label: "For 1 hour" });
    await chooseStatus(alice.page, "dnd");
    await expectStatus(bob.page, alice.name, "dnd");
    const row = friendRow(bob.page, alice.name);
    const until = (await row.locator("time.until").getAttribute("datetime"))!;
    expect(Date.parse(until) - chosenAt).toBeGreaterThanOrEqual(HOUR - 1_000);
    expect(Date.parse(until) - chosenAt).toBeLessThanOrEqual(HOUR + 60_000);
    const words = await untilWords(bob.page, until);
    await expect.poll(() => row.textContent()).toMatch(words);
    await expect.poll(() => alice.page.getByTestId("me-until").textContent()).toMatch(new RegExp(`Do not disturb ${words.source}`));

    // A time she picks, tomorrow morning: the row says which day.
    await alice.page.getByLabel("How long").selectOption({ label: "Pick a time…" });
    const tomorrow = new Date(Date.now() + 24 * HOUR);
    const picked = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, "0")}-${String(tomorrow.getDate()).padStart(2, "0")}T09:00`;
    await alice.page.getByLabel("Ends at").fill(picked);
    await expect.poll(() => row.textContent()).toMatch(/until \w{3} \d{1,2} \w{3}, 09:00/);

    // Set from another device to end in a moment: Bob sees her online again, with no end.
    const aliceElsewhere = await apiSignIn(scope.server.url, alice.name);
    await aliceElsewhere.http.presence.setStatus.mutate({ status: "away", until: new Date(Date.now() + 1_500).toISOString() });
    await expectStatus(bob.page, alice.name, "away");
    await expectStatus(bob.page, alice.name, "online");
    expect(await row.textContent()).not.toContain("until");
    await expect.poll(() => alice.page.getByTestId("me-status").textContent()).toBe("Online");
    expect(await alice.page.getByTestId("me-until").count()).toBe(0);
  });
});
