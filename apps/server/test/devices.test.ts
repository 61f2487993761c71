/**
 * Devices over the wire (docs/protocol.md §9.2): each WebSocket says what kind of device it is
 * (`connectionParams.device`, default `web`); friends who see the chosen status see the kinds the
 * user is on, and nobody else learns anything about them. An unknown kind is refused clearly.
 */
import { CLOSE_BAD_CONNECTION_PARAMS } from "@herald/protocol";
import { describe, expect, it } from "vitest";
import { befriend, connect, rawSocket, signUp } from "../src/testing/index.js";
import { closeAll, useServer, watch } from "./fixtures.js";

describe("devices", () => {
  const server = useServer("postgres");

  it("shows friends the kinds of device the user is on, as they come and go", async () => {
    const eve = await signUp(server.current.url);
    const friend = await watch(server.current, [eve]);
    const phone = await connect(server.current.wsUrl, eve, { device: "mobile" });
    expect(await friend.viewerDevice.feed.nextPresenceOf(eve.id)).toMatchObject({ status: "online", devices: ["mobile"] });
    const desk = await connect(server.current.wsUrl, eve, { device: "desktop" });
    expect(await friend.viewerDevice.feed.nextPresenceOf(eve.id)).toMatchObject({ devices: ["desktop", "mobile"] });
    // A second phone adds no kind: nothing a friend sees changes, so nothing is sent (rule 9).
    const tablet = await connect(server.current.wsUrl, eve, { device: "mobile" });
    await friend.expectNothingElse();
    const page = await connect(server.current.wsUrl, eve);
    expect(await friend.viewerDevice.feed.nextPresenceOf(eve.id)).toMatchObject({ devices: ["desktop", "mobile", "web"] });
    await closeAll(desk, page);
    const onlyMobile = await friend.viewerDevice.feed.presenceOfWhere(eve.id, (p) => p.devices.length === 1);
    expect(onlyMobile).toMatchObject({ status: "online", devices: ["mobile"] });
    expect(await friend.viewer.http.presence.get.query({ userId: eve.id })).toMatchObject({ devices: ["mobile"] });
    expect((await friend.viewer.http.friends.list.query()).find((f) => f.id === eve.id)?.presence.devices).toEqual(["mobile"]);
    expect(await eve.http.presence.me.query()).toMatchObject({ connections: 2, devices: ["mobile"], idle: false });
    await closeAll(phone, tablet, friend.viewerDevice, friend.markerDevice);
  });

  it("tells only the allow-list which devices an invisible user is on", async () => {
    const fay = await signUp(server.current.url);
    const allowed = await signUp(server.current.url);
    await befriend(fay, allowed);
    const hidden = await watch(server.current, [fay]);
    await fay.http.presence.setStatus.mutate({ status: "invisible", visibleTo: [allowed.id] });
    const phone = await connect(server.current.wsUrl, fay, { device: "mobile" });
    const desk = await connect(server.current.wsUrl, fay, { device: "desktop" });
    await desk.client.presence.setIdle.mutate({ idle: true });
    await phone.client.presence.setIdle.mutate({ idle: true });
    expect(await allowed.http.presence.get.query({ userId: fay.id })).toMatchObject({ status: "online", devices: ["desktop", "mobile"] });
    const offline = { userId: fay.id, status: "offline", message: null, lastSeen: null, until: null, devices: [], lastSeenBucket: null };
    expect(await hidden.viewer.http.presence.get.query({ userId: fay.id })).toEqual(offline);
    expect((await hidden.viewer.http.presence.getMany.query({ userIds: [fay.id] }))[fay.id]).toEqual(offline);
    await hidden.expectNothingElse();
    await closeAll(phone, desk, hidden.viewerDevice, hidden.markerDevice);
  });

  it("refuses an unknown kind of device: calls answer BAD_REQUEST and the socket closes with 4400, naming device", async () => {
    const gus = await signUp(server.current.url);
    const raw = await rawSocket(server.current.wsUrl, gus.token, { device: "toaster" });
    expect(JSON.parse(raw.answer)).toMatchObject({ error: { message: "connectionParams.device: must be one of web, desktop, mobile" } });
    expect(await raw.closed).toEqual({ code: CLOSE_BAD_CONNECTION_PARAMS, reason: "device: must be one of web, desktop, mobile" });
    expect((await gus.http.presence.me.query()).connections).toBe(0);
  });
});
