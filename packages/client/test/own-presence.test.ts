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
  });
});
