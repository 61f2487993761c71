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

    await laptop.setStatus("online");
    expect((await laptop.setIdle(true)).status).toBe("away");
    expect((await phone.setIdle(false)).status).toBe("online");
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
