/** Reloading the page is not leaving: friends must never see you flicker offline. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeraldServer } from "@herald/server";
import { befriend, expectStatus } from "./harness/app";
import { closeAll, type BrowserUser } from "./harness/browser";
import { signedUpPeople } from "./harness/people";
import { startTestServer } from "./harness/server";
import { recordStatuses } from "./harness/status-recorder";

const OFFLINE_GRACE_MS = 3_000;

describe("reloading the page", () => {
  let server: HeraldServer;
  const browsers: BrowserUser[] = [];

  beforeAll(async () => {
    server = await startTestServer({ offlineGraceMs: OFFLINE_GRACE_MS });
  });
  afterAll(async () => {
    await closeAll(browsers);
    await server?.close();
  });

  it("keeps you signed in and never flashes you offline on a friend's screen", async () => {
    const [fay, gus] = await signedUpPeople(server.url, ["fay", "gus"], browsers);
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
