/**
 * Auto-away (docs/protocol.md §7.2): a page idle or hidden reports its connection idle; friends see
 * an `online` user as `away` once every connection is, and `online` again when any one is back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeraldServer } from "@herald/server";
import { befriend, chooseStatus, expectStatus, friendRow, ownStatus, setTabHidden } from "./harness/app";
import { closeAll, type BrowserUser } from "./harness/browser";
import { signedUpPeople } from "./harness/people";
import { startTestServer } from "./harness/server";
import { apiSignIn } from "./harness/api-client";
import { recordStatuses } from "./harness/status-recorder";
import { startTcpProxy } from "./harness/tcp-proxy";
import type { Page } from "playwright-core";

/** A frame's JSON; keep-alive frames (`PING`, `PONG`) are plain text, and carry no call. */
function jsonOf(payload: string | Buffer): unknown {
  const text = String(payload);
  return text === "PING" || text === "PONG" ? {} : JSON.parse(text);
}

/** Waits until every mutation the page sent over its WebSocket (from now on) has been answered. */
function answeredMutations(page: Page): { allAnswered(): Promise<void>; paths: string[] } {
  const pending = new Set<number>();
  const paths: string[] = [];
  page.on("websocket", (socket) => {
    socket.on("framesent", ({ payload }) => {
      const message = jsonOf(payload) as { id?: number; method?: string; params?: { path?: string } };
      if (message.method === "mutation" && message.id !== undefined) {
        pending.add(message.id);
        paths.push(message.params?.path ?? "?");
      }
    });
    socket.on("framereceived", ({ payload }) => {
      const message = jsonOf(payload) as { id?: number };
      if (message.id !== undefined) pending.delete(message.id);
    });
  });
  return {
    paths,
    allAnswered: () => expect.poll(() => pending.size, { timeout: 15_000 }).toBe(0),
  };
}

const IDLE_MS = 1_500;

describe("auto-away", () => {
  let server: HeraldServer;
  const browsers: BrowserUser[] = [];

  beforeAll(async () => {
    // Generous grace: the test reloads Ivy's page, and a reload must never look like leaving.
    server = await startTestServer({ offlineGraceMs: 5_000 });
  });
  afterAll(async () => {
    await closeAll(browsers);
    await server?.close();
  });

  it("goes away when idle or hidden, comes back on return, and never overrides dnd", async () => {
    const [ivy, jon] = await signedUpPeople(server.url, ["ivy", "jon"], browsers);
    await befriend(ivy, jon);
    await expectStatus(jon.page, ivy.name, "online");

    // From here on Ivy's page goes idle after a short while.
    await ivy.page.goto(`${server.url}/?idleMs=${IDLE_MS}`);
    await expect.poll(() => ownStatus(ivy.page)).toBe("Away");
    await expectStatus(jon.page, ivy.name, "away");

    // Any input brings her back.
    await ivy.page.mouse.move(200, 200);
    await ivy.page.mouse.move(240, 260);
    await expect.poll(() => ownStatus(ivy.page)).toBe("Online");
    await expectStatus(jon.page, ivy.name, "online");

    // A hidden tab counts as away at once; showing it again is coming back.
    await setTabHidden(ivy.page, true);
    await expectStatus(jon.page, ivy.name, "away");
    await setTabHidden(ivy.page, false);
    await expectStatus(jon.page, ivy.name, "online");

    // A manual "do not disturb" is never overridden: not by hiding the tab, not by idling.
    await chooseStatus(ivy.page, "dnd");
    await expectStatus(jon.page, ivy.name, "dnd");
    const onJonsScreen = await recordStatuses(jon.page, ivy.name);
    await setTabHidden(ivy.page, true);
    await setTabHidden(ivy.page, false);
    // Going idle must leave dnd alone too. Nothing happening makes no event to wait for, so
    // watch for twice the idle time, then make a change that must reach Jon after anything
    // auto-away could have sent.
    const idleFrom = Date.now();
    await expect.poll(() => Date.now() - idleFrom > 2 * IDLE_MS, { interval: 250, timeout: 10 * IDLE_MS }).toBe(true);
    await ivy.page.getByLabel("Status message").fill("Heads down");
    await ivy.page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => jon.page.getByTestId(`friend-${ivy.name}`).textContent()).toContain("Heads down");
    await expectStatus(jon.page, ivy.name, "dnd");
    expect(await ownStatus(ivy.page)).toBe("Do not disturb");

    expect(onJonsScreen.seen).toEqual(["dnd"]);
  });

  it("shows the user away only once every tab is idle, and any tab brings them back", async () => {
    const [kim, lou] = await signedUpPeople(server.url, ["kim", "lou"], browsers);
    await befriend(kim, lou);
    await expectStatus(lou.page, kim.name, "online");
    // A second tab of the same browser: another connection, idle or not on its own.
    const secondTab = await kim.context.newPage();
    await secondTab.goto(server.url);
    await expect.poll(() => ownStatus(secondTab)).toBe("Online");
    // Watches the first tab's calls from its next socket on.
    const firstTabCalls = answeredMutations(kim.page);
    await kim.page.reload();
    await expect.poll(() => ownStatus(kim.page)).toBe("Online");
    const onLousScreen = await recordStatuses(lou.page, kim.name);

    // One tab hidden, the other in use: still online. Once the hidden tab's report was answered, a
    // message saved in the other tab reaches Lou after anything that report could have sent.
    await setTabHidden(kim.page, true);
    await expect.poll(() => firstTabCalls.paths).toContain("presence.setIdle");
    await firstTabCalls.allAnswered();
    await secondTab.getByLabel("Status message").fill("two tabs");
    await secondTab.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => friendRow(lou.page, kim.name).textContent()).toContain("two tabs");
    expect(onLousScreen.seen).toEqual(["online"]);
    await setTabHidden(secondTab, true);
    await expectStatus(lou.page, kim.name, "away");
    await expect.poll(() => ownStatus(secondTab)).toBe("Away");
    await setTabHidden(secondTab, false);
    await expectStatus(lou.page, kim.name, "online");
    expect(onLousScreen.seen).toEqual(["online", "away", "online"]);
  });

  it("a laptop waking from sleep never undoes 'invisible' chosen on the phone meanwhile", async () => {
    // Mia's laptop reaches the server through a proxy we can cut (the laptop sleeping); her
    // phone is an API client.
    const proxy = await startTcpProxy(server.url);
    try {
      const [mia] = await signedUpPeople(proxy.url, ["mia"], browsers);
      const [ned] = await signedUpPeople(server.url, ["ned"], browsers);
      await befriend(mia, ned);
      const phone = await apiSignIn(server.url, mia.name);
      await mia.page.goto(`${proxy.url}/?idleMs=${IDLE_MS}`);
      await expect.poll(() => ownStatus(mia.page)).toBe("Away");
      await expectStatus(ned.page, mia.name, "away");
      const onNedsScreen = await recordStatuses(ned.page, mia.name);
      const laptopCalls = answeredMutations(mia.page);

      proxy.cut();
      await mia.page.getByRole("status").filter({ hasText: "Reconnecting" }).waitFor();
      await phone.http.presence.setStatus.mutate({ status: "invisible" });
      // The laptop wakes: the user touches it before its network is back.
      await mia.page.mouse.move(300, 300);
      await mia.page.mouse.move(340, 360);
      proxy.restore();
      await mia.page.getByRole("status").filter({ hasText: "Reconnecting" }).waitFor({ state: "hidden" });
      await expect.poll(() => laptopCalls.paths.length, { timeout: 15_000 }).toBeGreaterThan(0);
      await laptopCalls.allAnswered();

      expect((await phone.http.presence.me.query()).status).toBe("invisible");
      await expect.poll(() => ownStatus(mia.page)).toBe("Invisible");
      await expectStatus(ned.page, mia.name, "offline");
      expect(onNedsScreen.seen).not.toContain("online");
    } finally {
      await proxy.close();
    }
  });
});
