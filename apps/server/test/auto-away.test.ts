/**
 * Auto-away is the server's (issue 10, item 4): `presence.setIdle` turns `online` into an
 * automatic `away`, and only an automatic `away` back into `online` — whichever device sends it,
 * however late it arrives.
 */
import { describe, expect, it } from "vitest";
import { connect, signUp } from "../src/testing/index.js";
import { DATABASE_KINDS, closeAll, useServer, watch } from "./fixtures.js";

describe.each(DATABASE_KINDS)("auto-away on %s", (kind) => {
  const server = useServer(kind);

  it("idle makes an online user away for friends, and active (from any device) brings them back", async () => {
    const ann = await signUp(server.current.url);
    const hidden = await watch(server.current, [ann]);
    const [laptop, phone] = [await connect(server.current.wsUrl, ann), await connect(server.current.wsUrl, ann)];
    expect((await hidden.viewerDevice.feed.nextPresenceOf(ann.id)).status).toBe("online");
    expect(await laptop.client.presence.setIdle.mutate({ idle: true })).toMatchObject({ status: "away" });
    expect((await hidden.viewerDevice.feed.nextPresenceOf(ann.id)).status).toBe("away");
    expect(await phone.client.presence.setIdle.mutate({ idle: false })).toMatchObject({ status: "online" });
    expect((await hidden.viewerDevice.feed.nextPresenceOf(ann.id)).status).toBe("online");
    await closeAll(laptop, phone, hidden.viewerDevice, hidden.markerDevice);
  });

  it.each(["invisible", "dnd", "away"] as const)("a late 'active' never undoes a %s the user chose", async (status) => {
    const bea = await signUp(server.current.url);
    const laptop = await connect(server.current.wsUrl, bea);
    await laptop.client.presence.setIdle.mutate({ idle: true });
    // Chosen on the phone while the laptop slept; the laptop's queued signal arrives after.
    await bea.http.presence.setStatus.mutate({ status });
    expect(await laptop.client.presence.setIdle.mutate({ idle: false })).toMatchObject({ status });
    expect(await laptop.client.presence.setIdle.mutate({ idle: true })).toMatchObject({ status });
    expect((await bea.http.presence.me.query()).status).toBe(status);
    await laptop.close();
  });

  it("sends friends nothing when an idle or active signal changes nothing", async () => {
    const cy = await signUp(server.current.url);
    const hidden = await watch(server.current, [cy]);
    await cy.http.presence.setStatus.mutate({ status: "dnd" });
    const device = await connect(server.current.wsUrl, cy);
    expect((await hidden.viewerDevice.feed.nextPresenceOf(cy.id)).status).toBe("dnd");
    await device.client.presence.setIdle.mutate({ idle: true });
    await device.client.presence.setIdle.mutate({ idle: false });
    await hidden.expectNothingElse();
    await closeAll(device, hidden.viewerDevice, hidden.markerDevice);
  });
});
