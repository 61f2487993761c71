/**
 * The heartbeat keeps a connection alive past the TTL on its own: through a relay that eats the
 * server's keep-alive pings, the heartbeat is all the server hears from an idle client.
 */
import { describe, expect, it, vi } from "vitest";
import { clientFor, friendNamed, recordStates, stateWhere } from "./harness/clients.js";
import { harness } from "./harness/harness.js";
import { useServer } from "./harness/server-per-file.js";

const TTL_SECONDS = 3;
const server = useServer({ presenceTtlSeconds: TTL_SECONDS });

describe("the heartbeat", () => {
  it("beats every third of the TTL, and the one connection outlives the TTL with no friend seeing a change", async () => {
    const alice = await harness.signUp(server.current.id);
    const bob = await harness.signUp(server.current.id);
    await harness.requestFriend(alice.id, bob.id, true);
    const relay = await harness.startPingEatingRelay(server.current.id);
    const aliceClient = clientFor(relay.url, alice);
    const bobClient = clientFor(server.current.url, bob);
    await stateWhere(aliceClient, "alice synced", (s) => s.synced);
    await stateWhere(bobClient, "alice online", (s) => friendNamed(s, alice.username)?.presence.status === "online");
    const aliceStates = recordStates(aliceClient);
    const bobStates = recordStates(bobClient);

    // Beats at 0, 1, 2, 3 and 4 s: the last is past a whole TTL after the first.
    await vi.waitFor(
      async () => {
        expect((await harness.relayStats(relay.id)).heartbeats).toBeGreaterThanOrEqual(5);
      },
      { timeout: 20_000, interval: 200 },
    );

    const stats = await harness.relayStats(relay.id);
    expect(stats).toMatchObject({ connections: 1, open: 1, closes: [] });
    expect(aliceStates.filter((s) => s.connection.status !== "connected")).toEqual([]);
    expect(bobStates.filter((s) => friendNamed(s, alice.username)?.presence.status !== "online")).toEqual([]);
    expect((await harness.ownPresence(alice.id)).connections).toBe(1);
  });
});
