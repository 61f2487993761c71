/** Close codes as connection states: 4401 (no valid session) ends the client, 4429 (too many connections) waits for a slot. */
import { describe, expect, it } from "vitest";
import { clientFor, recordStates, stateWhere } from "./harness/clients.js";
import { harness } from "./harness/harness.js";
import { useServer } from "./harness/server-per-file.js";

// Abuse limits on, with one connection per user: a second device is one too many.
const server = useServer({ maxConnectionsPerUser: 1 });

describe("sessions", () => {
  it("turns `unauthorized` when the user signs out elsewhere, stops reconnecting, and refuses further calls", async () => {
    const alice = await harness.signUp(server.current.id);
    const client = clientFor(server.current.url, alice);
    await stateWhere(client, "synced", (s) => s.synced);
    const states = recordStates(client);

    await harness.signOut(alice.id);
    const ended = await stateWhere(client, "unauthorized", (s) => s.connection.status === "unauthorized");
    expect(ended.connection).toEqual({ status: "unauthorized", reason: expect.stringMatching(/signed out/) });
    await expect(client.trpc.auth.me.query()).rejects.toThrow(/not sent: this client was refused by the server/);
    await expect(client.setStatus("away")).rejects.toThrow(/sign in again/);
    // Final: nothing after it, not even a reconnect attempt.
    expect(states.at(-1)).toBe(ended);
    expect(states.filter((s) => s.connection.status !== "connected" && s.connection.status !== "unauthorized")).toEqual([]);
  });

  it("turns `unauthorized` for a token the server does not accept", async () => {
    const client = clientFor(server.current.url, { id: "-", username: "-", token: "not-a-token" });
    const ended = await stateWhere(client, "unauthorized", (s) => s.connection.status === "unauthorized");
    expect(ended.synced).toBe(false);
  });

  it("turns `too_many_connections` past the per-user limit, and connects once another device lets go, without a retry loop", async () => {
    const alice = await harness.signUp(server.current.id);
    const laptop = clientFor(server.current.url, alice);
    await stateWhere(laptop, "laptop connected", (s) => s.synced);

    const relay = await harness.startPingEatingRelay(server.current.id);
    const phone = clientFor(relay.url, alice);
    await stateWhere(phone, "refused", (s) => s.connection.status === "too_many_connections");
    expect(phone.getState().synced).toBe(false);

    await laptop.close();
    expect(laptop.getConnection()).toEqual({ status: "closed" });
    const connected = await stateWhere(phone, "connected after all", (s) => s.synced, 30_000);
    expect(connected.connection).toEqual({ status: "connected" });
    // Refused once, then a single, unhurried retry (docs/protocol.md §5.1: "do not retry in a loop").
    expect(await harness.relayStats(relay.id)).toMatchObject({ connections: 2, closes: ["server 4429", "client 4429"] });
  });
});
