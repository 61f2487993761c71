/** docs/protocol.md §2 with Herald's own accounts, on PGlite and PostgreSQL, plus friend requests. */
import { describe, expect, it } from "vitest";
import { connect, signUp } from "../src/testing/index.js";
import { DATABASE_KINDS, closeAll, useServer } from "./fixtures.js";
import { ruleSuite } from "./rule-suite.js";

const GRACE_MS = 300;

describe.each(DATABASE_KINDS)("rules on %s", (kind) => {
  const server = useServer(kind, { offlineGraceMs: GRACE_MS });

  ruleSuite(server, GRACE_MS);

  it("friends: a request becomes a live friend on both sides, with presence", async () => {
    const alice = await signUp(server.current.url);
    const bob = await signUp(server.current.url);
    const aliceDevice = await connect(server.current.wsUrl, alice, { subscribe: true });
    const bobDevice = await connect(server.current.wsUrl, bob, { subscribe: true });
    expect(await alice.http.friends.request.mutate({ username: bob.username.toUpperCase() })).toEqual({ status: "pending" });
    expect(await bob.http.friends.requests.query()).toEqual({ incoming: [{ id: alice.id, username: alice.username }], outgoing: [] });
    expect(await alice.http.friends.requests.query()).toEqual({ incoming: [], outgoing: [{ id: bob.id, username: bob.username }] });
    // The request is live too (docs/protocol.md §3.3 `requests`), and carries no presence.
    expect(await bobDevice.feed.next("requests")).toEqual({
      type: "requests",
      incoming: [{ id: alice.id, username: alice.username }],
      outgoing: [],
    });
    expect(await aliceDevice.feed.next("requests")).toEqual({
      type: "requests",
      incoming: [],
      outgoing: [{ id: bob.id, username: bob.username }],
    });
    expect(await bob.http.friends.request.mutate({ username: alice.username })).toEqual({ status: "accepted" });
    const toAlice = await aliceDevice.feed.nextOfEach(["friend_added", "requests"]);
    const toBob = await bobDevice.feed.nextOfEach(["friend_added", "requests"]);
    expect(toAlice.friend_added.presence).toMatchObject({ userId: bob.id, status: "online" });
    expect(toBob.friend_added.presence).toMatchObject({ userId: alice.id, status: "online" });
    expect([toAlice.requests, toBob.requests]).toEqual([
      { type: "requests", incoming: [], outgoing: [] },
      { type: "requests", incoming: [], outgoing: [] },
    ]);
    expect((await alice.http.friends.list.query()).map((f) => f.username)).toEqual([bob.username]);
    await bob.http.presence.setStatus.mutate({ status: "away" });
    expect((await aliceDevice.feed.nextPresenceOf(bob.id)).status).toBe("away");
    await closeAll(aliceDevice, bobDevice);
  });

  it("friends: decline and cancel remove the request", async () => {
    const alice = await signUp(server.current.url);
    const bob = await signUp(server.current.url);
    await alice.http.friends.request.mutate({ username: bob.username });
    expect(await bob.http.friends.remove.mutate({ userId: alice.id })).toEqual({ removed: true });
    expect(await bob.http.friends.requests.query()).toEqual({ incoming: [], outgoing: [] });
    expect(await bob.http.friends.remove.mutate({ userId: alice.id })).toEqual({ removed: false });
    await alice.http.friends.request.mutate({ username: bob.username });
    expect(await alice.http.friends.remove.mutate({ userId: bob.id })).toEqual({ removed: true });
    await expect(bob.http.friends.accept.mutate({ userId: alice.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  });
});
