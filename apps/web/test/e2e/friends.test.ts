/** Friend requests both ways (accept, decline, cancel), asking back, and unfriending. */
import { describe, expect, it } from "vitest";
import { befriend, friendRow, sendFriendRequest } from "./harness/app";
import { signedUpPeople } from "./harness/people";
import { recordSentCalls } from "./harness/sent-calls";
import { useTestServer } from "./harness/server";

/** Requests are pushed (the `requests` event): well inside this, with nothing polling. */
const LIVE_MS = 3_000;

describe("friends", () => {
  const scope = useTestServer();
  const { browsers } = scope;

  it("shows a request to its receiver in under a second, pushed: the receiver's page asks nothing for it", async () => {
    const [uma, vic] = await signedUpPeople(scope.server.url, ["uma", "vic"], browsers);
    const vicSent = recordSentCalls(vic.page);
    // Reloaded so that the recording sees the page's socket from its start.
    await vic.page.reload();
    await vic.page.getByRole("heading", { name: "Requests" }).waitFor();
    await uma.page.getByLabel("Friend's username").fill(vic.name);
    // The recording works: it saw the page subscribe again after the reload.
    expect(vicSent.calls).toContain("subscription presence.onChange");
    // Each snapshot is followed by the reads that go with it (names, own presence, requests):
    // on a busy machine they may leave after the heading shows, so wait for them to be sent.
    await expect
      .poll(() => vicSent.calls.slice(vicSent.calls.lastIndexOf("subscription presence.onChange")))
      .toEqual(expect.arrayContaining(["query friends.list", "query presence.me", "query friends.requests"]));
    const callsBefore = vicSent.calls.length;

    const sent = Date.now();
    await uma.page.getByRole("button", { name: "Send request" }).click();
    await vic.page.getByTestId(`request-in-${uma.name}`).waitFor({ timeout: 1_000 });
    expect(Date.now() - sent).toBeLessThan(1_000);
    // Nothing but keeping the connection alive: no query brought it (a poll would be one).
    expect(vicSent.calls.slice(callsBefore).filter((call) => call !== "mutation presence.heartbeat")).toEqual([]);
  });

  it("cancels, declines, accepts by asking back, and unfriends", async () => {
    const [pia, rex] = await signedUpPeople(scope.server.url, ["pia", "rex"], browsers);

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
