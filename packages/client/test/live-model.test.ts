/** The live model against a real server: the snapshot, a friend's changes, requests, own presence. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, friendNamed, stateWhere } from "./harness/clients.js";
import type { ServerInfo } from "./harness/control.js";
import { harness } from "./harness/harness.js";

let server: ServerInfo;
beforeAll(async () => {
  server = await harness.startServer();
});
afterAll(async () => {
  await harness.stopServer(server.id);
});

describe("the live model", () => {
  it("starts from the snapshot: every friend by name with presence, own presence and requests", async () => {
    const alice = await harness.signUp(server.id);
    const bob = await harness.signUp(server.id);
    const carol = await harness.signUp(server.id);
    const dave = await harness.signUp(server.id);
    await harness.requestFriend(alice.id, bob.id, true);
    await harness.requestFriend(carol.id, alice.id, true);
    await harness.requestFriend(dave.id, alice.id);

    const client = clientFor(server.url, alice);
    const state = await stateWhere(client, "the first sync", (s) => s.synced);

    expect(state.connection).toEqual({ status: "connected" });
    expect(state.friends.map((f) => f.username).sort()).toEqual([bob.username, carol.username].sort());
    expect(friendNamed(state, bob.username)).toEqual({
      id: bob.id,
      username: bob.username,
      presence: { userId: bob.id, status: "offline", message: null, lastSeen: null },
    });
    expect(state.own).toMatchObject({ status: "online", message: null, visibleTo: [], connections: 1 });
    expect(state.requests).toEqual({ incoming: [{ id: dave.id, username: dave.username }], outgoing: [] });
    expect(client.getPresence(bob.id)).toBe(friendNamed(state, bob.username)?.presence);
  });

  it("shows a friend coming online, changing status and message, and leaving, as it happens", async () => {
    const alice = await harness.signUp(server.id);
    const bob = await harness.signUp(server.id);
    await harness.requestFriend(alice.id, bob.id, true);
    const aliceClient = clientFor(server.url, alice);
    await stateWhere(aliceClient, "alice synced", (s) => s.synced);

    const bobClient = clientFor(server.url, bob, { device: "mobile" });
    await stateWhere(aliceClient, "bob online", (s) => friendNamed(s, bob.username)?.presence.status === "online");

    await bobClient.setStatus("dnd", { message: "deep work" });
    const busy = await stateWhere(aliceClient, "bob dnd", (s) => friendNamed(s, bob.username)?.presence.status === "dnd");
    expect(friendNamed(busy, bob.username)?.presence).toMatchObject({ status: "dnd", message: "deep work", lastSeen: null });

    await bobClient.close();
    const gone = await stateWhere(aliceClient, "bob offline", (s) => friendNamed(s, bob.username)?.presence.status === "offline");
    expect(friendNamed(gone, bob.username)?.presence.lastSeen).toEqual(expect.any(String));
  });
});
