/** Your own presence: the typed setters, and changes made on your other devices (rule 10). */
import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { clientFor, stateWhere } from "./harness/clients.js";
import { harness } from "./harness/harness.js";
import { useServer } from "./harness/server-per-file.js";

const server = useServer();

describe("own presence", () => {
  it("follows the setters' answers at once, and reaches the user's other devices", async () => {
    const alice = await harness.signUp(server.current.id);
    const bob = await harness.signUp(server.current.id);
    await harness.requestFriend(alice.id, bob.id, true);
    const laptop = clientFor(server.current.url, alice, { device: "desktop" });
    const phone = clientFor(server.current.url, alice, { device: "mobile" });
    await stateWhere(laptop, "laptop synced", (s) => s.synced);
    await stateWhere(phone, "phone synced", (s) => s.synced);

    const own = await laptop.setStatus("away", { message: "  lunch  " });
    expect(own).toMatchObject({ status: "away", message: "lunch" });
    expect(laptop.getOwnPresence()).toEqual(own);
    await stateWhere(phone, "away on the phone too", (s) => s.own?.status === "away" && s.own.message === "lunch");

    expect(await phone.setMessage("back at 2")).toMatchObject({ status: "away", message: "back at 2" });
    await stateWhere(laptop, "the phone's message", (s) => s.own?.message === "back at 2");
    expect((await laptop.setMessage(null)).message).toBeNull();

    const hidden = await laptop.setStatus("invisible", { visibleTo: [bob.id] });
    expect(hidden).toMatchObject({ status: "invisible", visibleTo: [bob.id] });
    expect((await laptop.setVisibility([])).visibleTo).toEqual([]);
    await stateWhere(phone, "the phone follows", (s) => s.own?.status === "invisible" && s.own.visibleTo.length === 0);

    // Auto-away is per connection (§7.2): the user's own status stays the one chosen, `idle` says
    // whether every device is idle (then friends see away), and `devices` which kinds are connected.
    await laptop.setStatus("online");
    expect(await laptop.setIdle(true)).toMatchObject({ status: "online", idle: false, devices: ["desktop", "mobile"] });
    expect(await phone.setIdle(true)).toMatchObject({ status: "online", idle: true });
    await stateWhere(laptop, "idle everywhere, on the laptop too", (s) => s.own?.idle === true);
    expect(await laptop.setIdle(false)).toMatchObject({ status: "online", idle: false });
  });

  it("sets an end as a Date or an ISO string; the end comes by itself, on every device", async () => {
    const alice = await harness.signUp(server.current.id);
    const laptop = clientFor(server.current.url, alice, { device: "desktop" });
    const phone = clientFor(server.current.url, alice, { device: "mobile" });
    await stateWhere(laptop, "laptop synced", (s) => s.synced);
    await stateWhere(phone, "phone synced", (s) => s.synced);

    const inAnHour = new Date(Date.now() + 3_600_000);
    expect(await laptop.setStatus("dnd", { message: "deep work", until: inAnHour })).toMatchObject({
      status: "dnd",
      until: inAnHour.toISOString(),
      messageUntil: inAnHour.toISOString(),
    });
    const soon = new Date(Date.now() + 1_500).toISOString();
    expect((await laptop.setStatus("away", { until: soon })).until).toBe(soon);
    await stateWhere(phone, "the end on the phone", (s) => s.own?.status === "away" && s.own.until === soon);
    await stateWhere(phone, "back online by itself", (s) => s.own?.status === "online" && s.own.until === null);
    // The message kept its own end: only the status was set with the new one.
    await stateWhere(
      laptop,
      "back online on the laptop",
      (s) => s.own?.status === "online" && s.own.messageUntil === inAnHour.toISOString(),
    );
    expect((await laptop.setStatus("away", { until: null })).until).toBeNull();
  });

  it("refuses bad input with an error that says what is wrong", async () => {
    const alice = await harness.signUp(server.current.id);
    const client = clientFor(server.current.url, alice);
    await stateWhere(client, "synced", (s) => s.synced);

    await expect(client.setStatus("sleeping" as never)).rejects.toThrow(/status must be one of online, away, dnd, invisible/);
    await expect(client.setIdle("yes" as never)).rejects.toThrow(/setIdle\(idle\) needs true or false/);
    const error: unknown = await client.setMessage("x".repeat(200)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).message).toMatch(/^message: /);
    await expect(client.requestFriend("no_such_user_here")).rejects.toThrow(TRPCClientError);
    await expect(client.setStatus("dnd", { until: new Date(Number.NaN) })).rejects.toThrow(/until is an invalid Date/);
    await expect(client.setStatus("dnd", { until: new Date(Date.now() - 60_000) })).rejects.toThrow(/^until: must be in the future/);
  });

  it("sets who sees the last seen, and previews what a friend sees (See as)", async () => {
    const alice = await harness.signUp(server.current.id);
    const bob = await harness.signUp(server.current.id);
    await harness.requestFriend(alice.id, bob.id, true);
    const laptop = clientFor(server.current.url, alice);
    const phone = clientFor(server.current.url, alice);
    await stateWhere(laptop, "laptop synced", (s) => s.synced);
    await stateWhere(phone, "phone synced", (s) => s.synced);

    const own = await laptop.setLastSeenPrivacy("approximate", { [bob.id]: "nobody" });
    expect(own.lastSeenPrivacy).toEqual({ level: "approximate", exceptions: { [bob.id]: "nobody" } });
    expect(laptop.getOwnPresence()?.lastSeenPrivacy.level).toBe("approximate");
    await stateWhere(phone, "the phone follows", (s) => s.own?.lastSeenPrivacy.level === "approximate");
    expect((await laptop.setLastSeenPrivacy("nobody")).lastSeenPrivacy.exceptions).toEqual({ [bob.id]: "nobody" });

    expect(await laptop.preview(bob.id)).toEqual({
      view: expect.objectContaining({ userId: alice.id, status: "online" }),
      reasons: ["you are connected"],
    });
    await expect(laptop.setLastSeenPrivacy("sometimes" as never)).rejects.toThrow(
      /last-seen level must be one of friends, approximate, nobody/,
    );
    await expect(laptop.preview(alice.id)).rejects.toThrow(TRPCClientError);
  });
});
