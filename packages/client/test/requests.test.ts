/** Friend requests reach both people live, through the `requests` event: nothing polls. */
import { describe, expect, it } from "vitest";
import { clientFor, friendNamed, stateWhere } from "./harness/clients.js";
import { harness } from "./harness/harness.js";
import { useServer } from "./harness/server-per-file.js";

const server = useServer();

describe("friend requests", () => {
  it("reach the receiver live, and accepting makes both friends on both sides", async () => {
    const alice = await harness.signUp(server.current.id);
    const bob = await harness.signUp(server.current.id);
    const aliceClient = clientFor(server.current.url, alice);
    const bobClient = clientFor(server.current.url, bob);
    await stateWhere(aliceClient, "alice synced", (s) => s.synced);
    await stateWhere(bobClient, "bob synced", (s) => s.synced);

    const sent = Date.now();
    expect(await bobClient.requestFriend(alice.username)).toEqual({ status: "pending" });
    const asked = await stateWhere(aliceClient, "bob's request", (s) => s.requests.incoming.length === 1);
    // Live, not polled: the web app's old 10 s poll would miss this by far.
    expect(Date.now() - sent).toBeLessThan(1_000);
    expect(asked.requests).toEqual({ incoming: [{ id: bob.id, username: bob.username }], outgoing: [] });
    await stateWhere(bobClient, "bob's own outgoing request", (s) => s.requests.outgoing.some((u) => u.id === alice.id));

    await aliceClient.acceptFriend(bob.id);
    const aliceAfter = await stateWhere(aliceClient, "bob as a friend", (s) => friendNamed(s, bob.username) !== undefined);
    const bobAfter = await stateWhere(bobClient, "alice as a friend", (s) => friendNamed(s, alice.username) !== undefined);
    // Both are connected, so each sees the other online at once.
    expect(friendNamed(aliceAfter, bob.username)?.presence.status).toBe("online");
    expect(friendNamed(bobAfter, alice.username)?.presence.status).toBe("online");
    await stateWhere(aliceClient, "no requests left", (s) => s.requests.incoming.length === 0 && s.requests.outgoing.length === 0);
    await stateWhere(bobClient, "no requests left", (s) => s.requests.incoming.length === 0 && s.requests.outgoing.length === 0);
  });

  it("shows a declined request gone on both sides, and an unfriending on both sides", async () => {
    const alice = await harness.signUp(server.current.id);
    const bob = await harness.signUp(server.current.id);
    const carol = await harness.signUp(server.current.id);
    await harness.requestFriend(alice.id, carol.id, true);
    const aliceClient = clientFor(server.current.url, alice);
    const bobClient = clientFor(server.current.url, bob);
    await stateWhere(aliceClient, "alice with carol", (s) => s.synced && s.friends.length === 1);
    await stateWhere(bobClient, "bob synced", (s) => s.synced);

    await bobClient.requestFriend(alice.username);
    await stateWhere(aliceClient, "bob's request", (s) => s.requests.incoming.length === 1);
    await aliceClient.removeFriend(bob.id);
    await stateWhere(bobClient, "the request declined", (s) => s.requests.outgoing.length === 0);
    await stateWhere(aliceClient, "the request gone", (s) => s.requests.incoming.length === 0);

    // Carol unfriends alice from elsewhere (over HTTP): alice's list follows.
    await harness.removeFriend(carol.id, alice.id);
    const alone = await stateWhere(aliceClient, "carol gone", (s) => s.friends.length === 0);
    expect(alone.friends).toEqual([]);
  });
});
