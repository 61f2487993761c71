/** A server restart: the client reconnects by itself, and the fresh snapshot replaces everything it knew. */
import { describe, expect, it } from "vitest";
import { clientFor, friendNamed, recordStates, stateWhere } from "./harness/clients.js";
import { harness } from "./harness/harness.js";
import { useServer } from "./harness/server-per-file.js";

// In PostgreSQL: an embedded in-memory database would not survive the restart.
const server = useServer({ restartable: true });

describe("after the server restarts", () => {
  it("reconnects, and takes the fresh snapshot whole: no friend lost, none duplicated, changes made meanwhile shown", async () => {
    const [alice, bob, carol, dave, erin] = await Promise.all([1, 2, 3, 4, 5].map(() => harness.signUp(server.current.id)));
    await harness.requestFriend(alice!.id, bob!.id, true);
    await harness.requestFriend(alice!.id, carol!.id, true);
    let tokenCalls = 0;
    const aliceClient = clientFor(server.current.url, alice!, {
      token: () => {
        tokenCalls++;
        return alice!.token;
      },
    });
    const bobClient = clientFor(server.current.url, bob!);
    const before = await stateWhere(
      aliceClient,
      "bob online",
      (s) => s.synced && friendNamed(s, bob!.username)?.presence.status === "online",
    );
    expect(before.friends.map((f) => f.username).sort()).toEqual([bob!.username, carol!.username].sort());
    const states = recordStates(aliceClient);

    // While alice cannot hear of it: carol unfriends her, dave becomes a friend, erin asks to be one.
    await harness.restartServer(server.current.id, [
      { kind: "remove", userId: carol!.id, otherId: alice!.id },
      { kind: "request", fromId: dave!.id, toId: alice!.id, accept: true },
      { kind: "request", fromId: erin!.id, toId: alice!.id },
    ]);

    const after = await stateWhere(
      aliceClient,
      "the state after the restart",
      (s) => s.connection.status === "connected" && friendNamed(s, dave!.username) !== undefined && s.requests.incoming.length === 1,
      30_000,
    );
    expect(states.some((s) => s.connection.status === "reconnecting")).toBe(true);
    expect(after.friends.map((f) => f.username).sort()).toEqual([bob!.username, dave!.username].sort());
    expect(after.requests).toEqual({ incoming: [{ id: erin!.id, username: erin!.username }], outgoing: [] });
    // Bob's client came back too.
    await stateWhere(aliceClient, "bob online again", (s) => friendNamed(s, bob!.username)?.presence.status === "online");
    expect(aliceClient.getPresence(carol!.id)).toBeUndefined();
    // The token function is asked again for every connection.
    expect(tokenCalls).toBeGreaterThanOrEqual(2);
    await bobClient.close();
  });
});
