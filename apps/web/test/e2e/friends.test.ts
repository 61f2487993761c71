/** Friend requests both ways (accept, decline, cancel), asking back, and unfriending. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeraldServer } from "@herald/server";
import { befriend, friendRow, sendFriendRequest } from "./harness/app";

/** Requests are pushed (the `requests` event): well inside this, with nothing polling. */
const LIVE_MS = 3_000;
import { closeAll, type BrowserUser } from "./harness/browser";
import { signedUpPeople } from "./harness/people";
import { startTestServer } from "./harness/server";

describe("friends", () => {
  let server: HeraldServer;
  const browsers: BrowserUser[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await closeAll(browsers);
    await server?.close();
  });

  it("cancels, declines, accepts by asking back, and unfriends", async () => {
    const [pia, rex] = await signedUpPeople(server.url, ["pia", "rex"], browsers);

    // Nobody by that name.
    await sendFriendRequest(pia.page, "nobody_by_that_name");
    await expect.poll(() => pia.page.getByRole("alert").textContent()).toContain('No user named "nobody_by_that_name"');

    // Pia asks, then thinks better of it.
    await sendFriendRequest(pia.page, rex.name);
    await pia.page.getByTestId(`request-out-${rex.name}`).waitFor();
    // Live: no polling and no refetch on focus brings it, only the `requests` event.
    await rex.page.getByTestId(`request-in-${pia.name}`).waitFor({ timeout: LIVE_MS });
    await pia.page.getByRole("button", { name: `Cancel friend request to ${rex.name}` }).click();
    await pia.page.getByTestId(`request-out-${rex.name}`).waitFor({ state: "detached" });
    await rex.page.getByTestId(`request-in-${pia.name}`).waitFor({ state: "detached", timeout: LIVE_MS });

    // Pia asks again; Rex declines.
    await sendFriendRequest(pia.page, rex.name);
    await rex.page.getByRole("button", { name: `Decline friend request from ${pia.name}` }).click();
    await rex.page.getByTestId(`request-in-${pia.name}`).waitFor({ state: "detached" });
    await pia.page.getByTestId(`request-out-${rex.name}`).waitFor({ state: "detached", timeout: LIVE_MS });

    // Rex asks Pia; Pia asking Rex back is accepting.
    await sendFriendRequest(rex.page, pia.name);
    await sendFriendRequest(pia.page, rex.name);
    await expect.poll(() => pia.page.getByText(`You and ${rex.name} are now friends.`).count()).toBe(1);
    await friendRow(pia.page, rex.name).waitFor();
    await friendRow(rex.page, pia.name).waitFor();

    // Unfriending takes them off both lists, live.
    await friendRow(pia.page, rex.name)
      .getByRole("button", { name: `Remove ${rex.name} from friends` })
      .click();
    await friendRow(pia.page, rex.name).getByRole("button", { name: "Unfriend" }).click();
    await friendRow(pia.page, rex.name).waitFor({ state: "detached" });
    await friendRow(rex.page, pia.name).waitFor({ state: "detached" });

    // And they can become friends again the ordinary way.
    await befriend(rex, pia);
  });
});
