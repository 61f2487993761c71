/**
 * Live friend requests (docs/protocol.md §3 `requests`): every change to either of a user's pending lists —
 * a request received, sent, accepted, declined or cancelled — reaches all of that user's
 * subscriptions as the full lists, and nothing else sends them.
 */
import { describe, expect, it } from "vitest";
import { connect, signUp, type Device, type TestUser } from "../src/testing/index.js";
import { DATABASE_KINDS, closeAll, useServer } from "./fixtures.js";

/** The next event that is not about the user's own connections (a device of theirs connecting sends `self`). */
async function nextOf(device: Device) {
  for (;;) {
    const event = await device.feed.next();
    if (event.type !== "self") return event;
  }
}

const summary = (user: TestUser) => ({ id: user.id, username: user.username });
const none = { incoming: [], outgoing: [] };

describe.each(DATABASE_KINDS)("the requests event on %s", (kind) => {
  const server = useServer(kind);

  async function subscribed(user: TestUser): Promise<Device> {
    return connect(server.current.wsUrl, user, { subscribe: true });
  }

  it("reaches both people, on every device, within a second of each change", async () => {
    const [ann, ben] = [await signUp(server.current.url), await signUp(server.current.url)];
    const [annPhone, benLaptop, benPhone] = [await subscribed(ann), await subscribed(ben), await subscribed(ben)];

    const sentAt = Date.now();
    await ann.http.friends.request.mutate({ username: ben.username });
    const toBen = { type: "requests", incoming: [summary(ann)], outgoing: [] };
    expect(await nextOf(benLaptop)).toEqual(toBen);
    expect(await benPhone.feed.next("requests")).toEqual(toBen);
    expect(await annPhone.feed.next("requests")).toEqual({ type: "requests", incoming: [], outgoing: [summary(ben)] });
    expect(Date.now() - sentAt).toBeLessThan(1_000);

    await ben.http.friends.accept.mutate({ userId: ann.id });
    for (const device of [annPhone, benLaptop, benPhone]) {
      const events = [await nextOf(device), await nextOf(device)].map((e) => e.type).sort();
      expect(events).toEqual(["friend_added", "requests"]);
    }
    await closeAll(annPhone, benLaptop, benPhone);
  });

  it("sends the emptied lists when a request is declined or cancelled", async () => {
    const [cat, dan] = [await signUp(server.current.url), await signUp(server.current.url)];
    const [catDevice, danDevice] = [await subscribed(cat), await subscribed(dan)];
    await cat.http.friends.request.mutate({ username: dan.username });
    await catDevice.feed.next("requests");
    await danDevice.feed.next("requests");

    await dan.http.friends.remove.mutate({ userId: cat.id }); // declined
    expect(await catDevice.feed.next("requests")).toEqual({ type: "requests", ...none });
    expect(await danDevice.feed.next("requests")).toEqual({ type: "requests", ...none });

    await dan.http.friends.request.mutate({ username: cat.username });
    await catDevice.feed.next("requests");
    await danDevice.feed.next("requests");
    await dan.http.friends.remove.mutate({ userId: cat.id }); // cancelled
    expect(await catDevice.feed.next("requests")).toEqual({ type: "requests", ...none });
    expect(await danDevice.feed.next("requests")).toEqual({ type: "requests", ...none });
    await closeAll(catDevice, danDevice);
  });

  it("is sent at no other time: not on subscribe, not for presence, not for a repeated request", async () => {
    const [eve, fay, gus] = [await signUp(server.current.url), await signUp(server.current.url), await signUp(server.current.url)];
    await eve.http.friends.request.mutate({ username: fay.username });
    const fayDevice = await subscribed(fay); // a pending request exists, but nothing changed since
    await eve.http.friends.request.mutate({ username: fay.username }); // already pending: no change
    await eve.http.presence.setStatus.mutate({ status: "dnd" });
    // A change that must arrive after anything the calls above could have sent.
    await gus.http.friends.request.mutate({ username: fay.username });
    expect(await fayDevice.feed.next("requests")).toEqual({
      type: "requests",
      incoming: [summary(eve), summary(gus)].sort((a, b) => a.username.localeCompare(b.username)),
      outgoing: [],
    });
    await closeAll(fayDevice);
  });
});
