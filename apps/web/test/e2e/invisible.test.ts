/** Invisible with an allow-list: the allowed friend sees you online, every other friend offline. */
import { describe, expect, it } from "vitest";
import { befriend, chooseStatus, expectStatus, friendRow } from "./harness/app";
import { signedUpPeople } from "./harness/people";
import { useTestServer } from "./harness/server";

describe("invisible with an allow-list", () => {
  const scope = useTestServer();
  const { browsers } = scope;

  it("the allowed friend sees online, the other sees offline", async () => {
    const [carol, dave, erin] = await signedUpPeople(scope.server.url, ["carol", "dave", "erin"], browsers);
    await befriend(carol, dave);
    await befriend(carol, erin);
    await expectStatus(dave.page, carol.name, "online");
    await expectStatus(erin.page, carol.name, "online");

    await chooseStatus(carol.page, "invisible");
    const allowList = carol.page.getByRole("group", { name: "Still visible to" });
    await allowList.getByRole("checkbox", { name: dave.name }).check();
    await expect.poll(() => allowList.getByRole("checkbox", { name: dave.name }).isChecked()).toBe(true);

    await expectStatus(erin.page, carol.name, "offline");
    await expectStatus(dave.page, carol.name, "online");
    // Erin sees exactly what she would if Carol had just left: offline, last seen just now.
    await expect.poll(() => friendRow(erin.page, carol.name).textContent()).toContain("Last seen just now");

    // Taking Dave off the list hides Carol from him too; coming back online shows her to both.
    await allowList.getByRole("checkbox", { name: dave.name }).uncheck();
    await expectStatus(dave.page, carol.name, "offline");
    await chooseStatus(carol.page, "online");
    await expectStatus(dave.page, carol.name, "online");
    await expectStatus(erin.page, carol.name, "online");
  });
});
