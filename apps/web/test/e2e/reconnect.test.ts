/** When the network drops: a visible "reconnecting…" notice, then a fresh snapshot on return. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeraldServer } from "@herald/server";
import { befriend, chooseStatus, expectStatus } from "./harness/app";
import { closeAll, type BrowserUser } from "./harness/browser";
import { signedUpPeople } from "./harness/people";
import { startTestServer } from "./harness/server";
import { startTcpProxy, type TcpProxy } from "./harness/tcp-proxy";

describe("losing the connection", () => {
  let server: HeraldServer;
  let proxy: TcpProxy;
  const browsers: BrowserUser[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    proxy = await startTcpProxy(server.url);
  });
  afterAll(async () => {
    await closeAll(browsers);
    await proxy?.close();
    await server?.close();
  });

  it("shows 'reconnecting…' while down and catches up on what it missed", async () => {
    // Sam reaches the server through the proxy we can cut; Tess directly.
    const [sam] = await signedUpPeople(proxy.url, ["sam"], browsers);
    const [tess] = await signedUpPeople(server.url, ["tess"], browsers);
    await befriend(sam, tess);
    await expectStatus(sam.page, tess.name, "online");
    const banner = sam.page.getByRole("status").filter({ hasText: "Reconnecting" });

    proxy.cut();
    await banner.waitFor();
    // What Tess does while Sam is cut off reaches him only through the snapshot on reconnect.
    await chooseStatus(tess.page, "dnd");
    expect(await sam.page.getByTestId(`friend-${tess.name}`).getAttribute("data-status")).toBe("online");

    proxy.restore();
    await banner.waitFor({ state: "hidden" });
    await expectStatus(sam.page, tess.name, "dnd");
    await expectStatus(tess.page, sam.name, "online");
  });
});
