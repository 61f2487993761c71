/**
 * Auto-away is live and the server's (docs/protocol.md §7.2): each connection says whether its
 * user is idle there (`presence.setIdle` over that WebSocket), and friends see a chosen `online`
 * as `away` only while every connection is idle. A chosen status is never changed by idleness,
 * whichever device reports what, however late; the user's own status stays the one they chose.
 */
import { describe, expect, it } from "vitest";
import { connect, errorOf, signUp } from "../src/testing/index.js";
import { DATABASE_KINDS, closeAll, useServer, watch } from "./fixtures.js";

describe.each(DATABASE_KINDS)("auto-away on %s", (kind) => {
  const server = useServer(kind);

  it("shows an online user as away while every device is idle, and online again when any one is active", async () => {
    const ann = await signUp(server.current.url);
    const hidden = await watch(server.current, [ann]);
    const [laptop, phone] = [await connect(server.current.wsUrl, ann), await connect(server.current.wsUrl, ann, { device: "mobile" })];
    await hidden.viewerDevice.feed.presenceOfWhere(ann.id, (p) => p.devices.length === 2);
    expect(await hidden.viewer.http.presence.get.query({ userId: ann.id })).toMatchObject({ status: "online" });
    // One device idle of two: nothing anyone sees changes (rule 9: no event).
    expect(await laptop.client.presence.setIdle.mutate({ idle: true })).toMatchObject({ status: "online", idle: false });
    await hidden.expectNothingElse();
    // Every device idle: away, for friends; the user's own status is still the one they chose.
    expect(await phone.client.presence.setIdle.mutate({ idle: true })).toMatchObject({ status: "online", idle: true });
    expect(await hidden.viewerDevice.feed.nextPresenceOf(ann.id)).toMatchObject({ status: "away", devices: ["mobile", "web"] });
    expect(await laptop.client.presence.setIdle.mutate({ idle: false })).toMatchObject({ status: "online", idle: false });
    expect(await hidden.viewerDevice.feed.nextPresenceOf(ann.id)).toMatchObject({ status: "online" });
    // The active device leaves: the one left is idle, so away again.
    await laptop.close();
    expect(await hidden.viewerDevice.feed.nextPresenceOf(ann.id)).toMatchObject({ status: "away", devices: ["mobile"] });
    // A new device starts active.
    const desk = await connect(server.current.wsUrl, ann, { device: "desktop" });
    expect(await hidden.viewerDevice.feed.nextPresenceOf(ann.id)).toMatchObject({ status: "online", devices: ["desktop", "mobile"] });
    await closeAll(phone, desk, hidden.viewerDevice, hidden.markerDevice);
  });

  it.each(["invisible", "dnd", "away"] as const)("never changes a %s the user chose, whatever the devices report", async (status) => {
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

  it("sends friends nothing when idleness changes nothing they see (dnd is never auto-changed)", async () => {
    const cy = await signUp(server.current.url);
    const hidden = await watch(server.current, [cy]);
    await cy.http.presence.setStatus.mutate({ status: "dnd" });
    const device = await connect(server.current.wsUrl, cy);
    expect((await hidden.viewerDevice.feed.nextPresenceOf(cy.id)).status).toBe("dnd");
    await device.client.presence.setIdle.mutate({ idle: true });
    expect(await hidden.viewer.http.presence.get.query({ userId: cy.id })).toMatchObject({ status: "dnd" });
    await device.client.presence.setIdle.mutate({ idle: false });
    await hidden.expectNothingElse();
    await closeAll(device, hidden.viewerDevice, hidden.markerDevice);
  });

  it("refuses setIdle over HTTP: idleness belongs to a connection", async () => {
    const dee = await signUp(server.current.url);
    expect(await errorOf(dee.http.presence.setIdle.mutate({ idle: true }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^setIdle: idleness is per connection/),
    });
  });
});
