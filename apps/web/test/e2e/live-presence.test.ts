/** Two people sign up, become friends, and each watches the other's status change live. */
import { describe, expect, it } from "vitest";
import { befriend, chooseStatus, expectStatus, friendRow, signIn } from "./harness/app";
import { anotherBrowser, signedUpPeople } from "./harness/people";
import { useTestServer } from "./harness/server";

describe("live presence between two friends", () => {
  const scope = useTestServer();
  const { browsers } = scope;

  it("each sees the other go online → away → dnd → offline, then 'last seen'", async () => {
    const [alice, bob] = await signedUpPeople(scope.server.url, ["alice", "bob"], browsers);
    await befriend(alice, bob);

    await expectStatus(alice.page, bob.name, "online");
    await expectStatus(bob.page, alice.name, "online");

    for (const [actor, watcher] of [
      [bob, alice],
      [alice, bob],
    ] as const) {
      await chooseStatus(actor.page, "away");
      await expectStatus(watcher.page, actor.name, "away");
      await chooseStatus(actor.page, "dnd");
      await expectStatus(watcher.page, actor.name, "dnd");
      await chooseStatus(actor.page, "online");
      await expectStatus(watcher.page, actor.name, "online");
    }

    // A custom message shows up on the friend's row.
    await bob.page.getByLabel("Status message").fill("Deep in a code review");
    await bob.page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => friendRow(alice.page, bob.name).textContent()).toContain("Deep in a code review");

    // Bob leaves (closes his browser): after the grace Alice sees him offline, last seen just now.
    await bob.close();
    await expectStatus(alice.page, bob.name, "offline");
    const bobRow = friendRow(alice.page, bob.name);
    await expect.poll(() => bobRow.textContent()).toContain("Last seen just now");
    expect(await bobRow.textContent()).not.toContain("Deep in a code review");
    const exact = await bobRow.locator("time").getAttribute("title");
    expect(exact).toMatch(/\d{4}/);
    expect(Date.parse((await bobRow.locator("time").getAttribute("datetime"))!)).toBeGreaterThan(Date.now() - 60_000);

    // Bob comes back on another device (signing in); then it is Alice who leaves.
    const bobAgain = { ...(await anotherBrowser(scope.server.url, browsers)), name: bob.name };
    await signIn(bobAgain.page, bob.name);
    await expectStatus(alice.page, bob.name, "online");
    await expectStatus(bobAgain.page, alice.name, "online");
    await alice.close();
    await expectStatus(bobAgain.page, alice.name, "offline");
    await expect.poll(() => friendRow(bobAgain.page, alice.name).textContent()).toContain("Last seen just now");
  });
});
