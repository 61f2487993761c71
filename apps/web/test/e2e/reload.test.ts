/** Reloading the page is not leaving: friends must never see you flicker offline. */
import { describe, expect, it } from "vitest";
import { befriend, expectStatus } from "./harness/app";
import { signedUpPeople } from "./harness/people";
import { useTestServer } from "./harness/server";
import { recordStatuses } from "./harness/status-recorder";

const OFFLINE_GRACE_MS = 3_000;

describe("reloading the page", () => {
  const scope = useTestServer({ offlineGraceMs: OFFLINE_GRACE_MS });
  const { browsers } = scope;

  it("keeps you signed in and never flashes you offline on a friend's screen", async () => {
    const [fay, gus] = await signedUpPeople(scope.server.url, ["fay", "gus"], browsers);
    await befriend(fay, gus);
    await expectStatus(fay.page, gus.name, "online");

    const onFaysScreen = await recordStatuses(fay.page, gus.name);
    for (let i = 0; i < 3; i++) {
      await gus.page.reload();
      // Still signed in (the token survived the reload), connected, and seeing Fay.
      await expectStatus(gus.page, fay.name, "online");
    }
    // Proving that something does *not* happen needs a window to watch: any offline flash would
    // come one grace after a disconnect, so watch for two graces after the last reload.
    const watchUntil = Date.now() + 2 * OFFLINE_GRACE_MS;
    await expect.poll(() => Date.now() >= watchUntil, { timeout: 4 * OFFLINE_GRACE_MS, interval: 250 }).toBe(true);

    expect(onFaysScreen.seen).toEqual(["online"]);
  });
});
