/** The live model against a real server: the snapshot, a friend's changes, requests, own presence. */
import { describe, expect, it } from "vitest";
import { clientFor, friendNamed, recordStates, stateWhere } from "./harness/clients.js";
import { harness } from "./harness/harness.js";
import { useServer } from "./harness/server-per-file.js";

const server = useServer();

describe("the live model", () => {
  it("starts from the snapshot: every friend by name with presence, own presence and requests", async () => {
    const alice = await harness.signUp(server.current.id);
    const bob = await harness.signUp(server.current.id);
    const carol = await harness.signUp(server.current.id);
    const dave = await harness.signUp(server.current.id);
    await harness.requestFriend(alice.id, bob.id, true);
    await harness.requestFriend(carol.id, alice.id, true);
    await harness.requestFriend(dave.id, alice.id);

    const client = clientFor(server.current.url, alice);
    const state = await stateWhere(client, "the first sync", (s) => s.synced);

    expect(state.connection).toEqual({ status: "connected" });
    expect(state.friends.map((f) => f.username).sort()).toEqual([bob.username, carol.username].sort());
    expect(friendNamed(state, bob.username)).toEqual({
      id: bob.id,
      username: bob.username,
      presence: { userId: bob.id, status: "offline", message: null, lastSeen: null, until: null, devices: [], lastSeenBucket: null },
    });
    expect(state.own).toMatchObject({ status: "online", message: null, visibleTo: [], connections: 1 });
    expect(state.requests).toEqual({ incoming: [{ id: dave.id, username: dave.username }], outgoing: [] });
    expect(client.getPresence(bob.id)).toBe(friendNamed(state, bob.username)?.presence);
  });

  it("shows a friend coming online, changing status and message, and leaving, as it happens", async () => {
    const alice = await harness.signUp(server.current.id);
    const bob = await harness.signUp(server.current.id);
    await harness.requestFriend(alice.id, bob.id, true);
    const aliceClient = clientFor(server.current.url, alice);
    await stateWhere(aliceClient, "alice synced", (s) => s.synced);

    const bobClient = clientFor(server.current.url, bob, { device: "mobile" });
    await stateWhere(aliceClient, "bob online", (s) => friendNamed(s, bob.username)?.presence.status === "online");

    await bobClient.setStatus("dnd", { message: "deep work" });
    const busy = await stateWhere(aliceClient, "bob dnd", (s) => friendNamed(s, bob.username)?.presence.status === "dnd");
    expect(friendNamed(busy, bob.username)?.presence).toMatchObject({ status: "dnd", message: "deep work", lastSeen: null });

    await bobClient.close();
    const gone = await stateWhere(aliceClient, "bob offline", (s) => friendNamed(s, bob.username)?.presence.status === "offline");
    expect(friendNamed(gone, bob.username)?.presence.lastSeen).toEqual(expect.any(String));
  });

  it("keeps every unchanged part as the same object, so a UI re-renders only what changed", async () => {
    const alice = await harness.signUp(server.current.id);
    const bob = await harness.signUp(server.current.id);
    const carol = await harness.signUp(server.current.id);
    await harness.requestFriend(alice.id, bob.id, true);
    await harness.requestFriend(alice.id, carol.id, true);
    const aliceClient = clientFor(server.current.url, alice);
    const before = await stateWhere(aliceClient, "alice synced", (s) => s.synced);
    expect(aliceClient.getState()).toBe(before);
    const states = recordStates(aliceClient);

    const bobClient = clientFor(server.current.url, bob);
    const after = await stateWhere(aliceClient, "bob online", (s) => friendNamed(s, bob.username)?.presence.status === "online");

    expect(after).not.toBe(before);
    expect(after.friends).not.toBe(before.friends);
    expect(friendNamed(after, carol.username)).toBe(friendNamed(before, carol.username));
    expect(after.own).toBe(before.own);
    expect(after.requests).toBe(before.requests);
    expect(aliceClient.getFriends()).toBe(after.friends);
    // Who is around comes first.
    expect(after.friends.map((f) => f.username)).toEqual([bob.username, carol.username]);
    // Each change was told once, with a state that differs from the one before it.
    expect(states.every((state, i) => state !== (i === 0 ? before : states[i - 1]))).toBe(true);
    await bobClient.close();
  });

  it("sends `device` in connectionParams only when given, and the server takes it", async () => {
    const alice = await harness.signUp(server.current.id);
    const relay = await harness.startPingEatingRelay(server.current.id);
    const desktop = clientFor(relay.url, alice, { device: "desktop" });
    expect((await stateWhere(desktop, "connected", (s) => s.synced)).own?.connections).toBe(1);
    expect((await harness.relayStats(relay.id)).connectionParams).toEqual({ token: alice.token, device: "desktop" });

    const plain = clientFor(relay.url, alice);
    await stateWhere(plain, "connected", (s) => s.connection.status === "connected");
    expect((await harness.relayStats(relay.id)).connectionParams).toEqual({ token: alice.token });
  });
});
