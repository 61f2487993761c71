/**
 * A friend made while the user fades (docs/protocol.md §7.1) never saw what the fade shows, so
 * they are not in it: they see the user offline at once, last seen as friends outside the
 * allow-list see it (rule 6), and the same whether the user hid or disconnected (rule 5). Old
 * friends keep the fade as before. Found by an outside review; the differential below is rule 5's.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { eventOf } from "../src/testing/index.js";
import { createCaller, type VisiblePresence } from "../src/index.js";
import type { PresenceEvent } from "../src/feed/events.js";
import { useInProcessApp } from "./fixtures/in-process-app.js";

/** Long enough for the friendships below to be made well inside it, on a slow shared machine. */
const GRACE_MS = 4_000;

type User = { id: string; username: string };

describe("a friend made while the user fades", () => {
  const inProcess = useInProcessApp({ offlineGraceMs: GRACE_MS });
  const callerOf = (user: { id: string }) => createCaller(inProcess.app, user.id);

  async function befriend(asker: User, accepter: User) {
    await callerOf(asker).friends.request({ username: accepter.username });
    await callerOf(accepter).friends.accept({ userId: asker.id });
  }

  /** The user's feed, read event by event; fails fast rather than at the test's timeout. */
  async function feedOf(user: { id: string }) {
    const iterator = ((await callerOf(user).presence.onChange()) as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const next = async (): Promise<PresenceEvent> => {
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no event within 10 s")), 10_000).unref());
      return eventOf((await Promise.race([iterator.next(), timeout])).value);
    };
    return { next, stop: () => iterator.return?.() };
  }

  /** Everything `viewer` can read of `target`: event, queries, a fresh snapshot, and the target's preview of them. */
  async function everythingSeen(viewer: User, target: User, added: PresenceEvent) {
    const fresh = await feedOf(viewer);
    const snapshot = await fresh.next();
    await fresh.stop();
    return {
      friendAdded: added,
      get: await callerOf(viewer).presence.get({ userId: target.id }),
      getMany: await callerOf(viewer).presence.getMany({ userIds: [target.id] }),
      list: await callerOf(viewer).friends.list(),
      snapshot,
      preview: (await callerOf(target).presence.preview({ friendId: viewer.id })).view,
    };
  }

  /** Ids, names and the last-seen instant replaced by placeholders: what must be equal across the two users. */
  function normalised(value: unknown, names: Record<string, string>, lastSeen: string | null): unknown {
    let text = JSON.stringify(value);
    for (const [real, placeholder] of Object.entries(names)) text = text.split(real).join(placeholder);
    if (lastSeen !== null) text = text.split(lastSeen).join("<lastSeen>");
    return JSON.parse(text);
  }

  it("shows a user who hid exactly as one who disconnected at the same moment: offline at once, last seen then", async () => {
    const [hider, leaver, oldOfHider, oldOfLeaver, newOfHider, newOfLeaver, knocker] = await Promise.all(
      ["fadenf_t1", "fadenf_t2", "fadenf_v1", "fadenf_v2", "fadenf_n1", "fadenf_n2", "fadenf_k"].map((name) => inProcess.newUser(name)),
    );
    await befriend(oldOfHider!, hider!);
    await befriend(oldOfLeaver!, leaver!);
    for (const target of [hider!, leaver!]) await callerOf(target).presence.setStatus({ status: "dnd", message: "private note" });
    const hiderOnline = await inProcess.app.connections.open(hider!.id, () => {}, "mobile");
    const leaverOnline = await inProcess.app.connections.open(leaver!.id, () => {}, "mobile");
    const seenBefore = { status: "dnd", message: "private note", lastSeen: null, devices: ["mobile"] };

    const oldFeeds = [await feedOf(oldOfHider!), await feedOf(oldOfLeaver!)];
    const newFeeds = [await feedOf(newOfHider!), await feedOf(newOfLeaver!)];
    expect(await oldFeeds[0]!.next()).toMatchObject({ type: "snapshot", friends: [{ userId: hider!.id, ...seenBefore }] });
    expect(await oldFeeds[1]!.next()).toMatchObject({ type: "snapshot", friends: [{ userId: leaver!.id, ...seenBefore }] });
    for (const feed of newFeeds) expect(await feed.next()).toEqual({ type: "snapshot", friends: [] });

    // At the same moment, one hides and the other's last connection ends.
    const hidFrom = new Date().toISOString();
    await Promise.all([callerOf(hider!).presence.setStatus({ status: "invisible" }), leaverOnline.close()]);
    const hidBy = new Date().toISOString();
    const graceFrom = Date.parse(hidFrom);

    // Inside the grace, each gets a new friend.
    await Promise.all([befriend(newOfHider!, hider!), befriend(newOfLeaver!, leaver!)]);
    const addedEvents: PresenceEvent[] = [];
    for (const feed of newFeeds) {
      let event = await feed.next();
      while (event.type === "requests") event = await feed.next();
      addedEvents.push(event);
    }
    const seenOfHider = await everythingSeen(newOfHider!, hider!, addedEvents[0]!);
    const seenOfLeaver = await everythingSeen(newOfLeaver!, leaver!, addedEvents[1]!);
    // The old friends still see the fade: all of the above was read inside the grace.
    expect(await callerOf(oldOfHider!).presence.get({ userId: hider!.id })).toMatchObject(seenBefore);
    expect(await callerOf(oldOfLeaver!).presence.get({ userId: leaver!.id })).toMatchObject(seenBefore);
    expect(Date.now(), "the friendships were not made inside the grace; the test proves nothing").toBeLessThan(graceFrom + GRACE_MS);

    // Offline at once, last seen the moment each vanished.
    const hiderLastSeen = seenOfHider.get.lastSeen;
    const leaverLastSeen = seenOfLeaver.get.lastSeen;
    for (const seen of [seenOfHider, seenOfLeaver]) expect(seen.get).toMatchObject({ status: "offline", message: null, devices: [] });
    for (const lastSeen of [hiderLastSeen, leaverLastSeen]) {
      expect(lastSeen! >= hidFrom && lastSeen! <= hidBy, `${lastSeen} within [${hidFrom}, ${hidBy}]`).toBe(true);
    }
    const offline = (userId: string, lastSeen: string | null): VisiblePresence => ({
      userId,
      status: "offline",
      message: null,
      lastSeen,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
    expect(seenOfHider.friendAdded).toEqual({ type: "friend_added", presence: offline(hider!.id, hiderLastSeen) });
    expect(seenOfHider.get).toEqual(offline(hider!.id, hiderLastSeen));
    expect(seenOfHider.list).toEqual([{ id: hider!.id, username: hider!.username, presence: offline(hider!.id, hiderLastSeen) }]);
    expect(seenOfHider.snapshot).toEqual({ type: "snapshot", friends: [offline(hider!.id, hiderLastSeen)] });
    expect(seenOfHider.preview).toEqual(offline(hider!.id, hiderLastSeen));
    // Rule 5: nothing the new friend reads tells the hider from the leaver.
    const asHider = { [hider!.id]: "<target>", [hider!.username]: "<name>", [newOfHider!.id]: "<viewer>" };
    const asLeaver = { [leaver!.id]: "<target>", [leaver!.username]: "<name>", [newOfLeaver!.id]: "<viewer>" };
    expect(normalised(seenOfHider, asHider, hiderLastSeen)).toEqual(normalised(seenOfLeaver, asLeaver, leaverLastSeen));

    // The old friends keep the fade until the grace is over, with no event, then see the same moment.
    for (const [feed, target, lastSeen] of [
      [oldFeeds[0]!, hider!, hiderLastSeen],
      [oldFeeds[1]!, leaver!, leaverLastSeen],
    ] as const) {
      const event = await feed.next();
      expect(Date.now()).toBeGreaterThanOrEqual(graceFrom + GRACE_MS);
      expect(event).toEqual({ type: "update", presence: offline(target.id, lastSeen) });
    }
    // The new friends are sent nothing when the fade ends (rule 9): the next thing they hear is a request.
    for (const [feed, viewer] of [
      [newFeeds[0]!, newOfHider!],
      [newFeeds[1]!, newOfLeaver!],
    ] as const) {
      await callerOf(knocker!).friends.request({ username: viewer.username });
      expect(await feed.next()).toEqual({ type: "requests", incoming: [{ id: knocker!.id, username: knocker!.username }], outgoing: [] });
    }
    expect(await callerOf(newOfHider!).presence.get({ userId: hider!.id })).toEqual(offline(hider!.id, hiderLastSeen));
    expect(await callerOf(newOfLeaver!).presence.get({ userId: leaver!.id })).toEqual(offline(leaver!.id, leaverLastSeen));

    for (const feed of [...oldFeeds, ...newFeeds]) await feed.stop();
    await hiderOnline.close();
  }, 30_000);

  it("takes the asker out of their own fade too, when they hid and then asked", async () => {
    const [asker, accepter] = await Promise.all(["fadenf_ask", "fadenf_acc"].map((name) => inProcess.newUser(name)));
    await callerOf(asker!).presence.setStatus({ status: "away", message: "hidden soon" });
    const askerOnline = await inProcess.app.connections.open(asker!.id, () => {}, "desktop");
    const hidFrom = new Date().toISOString();
    await callerOf(asker!).presence.setStatus({ status: "invisible" });
    const hidBy = new Date().toISOString();
    const feed = await feedOf(accepter!);
    expect(await feed.next()).toEqual({ type: "snapshot", friends: [] });

    // The accepter's accept announces the friendship as (accepter, asker): the faded user second.
    await befriend(asker!, accepter!);
    let event = await feed.next();
    while (event.type === "requests") event = await feed.next();
    expect(event).toMatchObject({ type: "friend_added", presence: { userId: asker!.id, status: "offline", message: null, devices: [] } });
    const lastSeen = event.type === "friend_added" ? event.presence.lastSeen : null;
    expect(lastSeen! >= hidFrom && lastSeen! <= hidBy, `${lastSeen} within [${hidFrom}, ${hidBy}]`).toBe(true);
    expect(await callerOf(accepter!).presence.get({ userId: asker!.id })).toMatchObject({ status: "offline", lastSeen });
    expect(Date.now(), "the friendship was not made inside the grace; the test proves nothing").toBeLessThan(
      Date.parse(hidFrom) + GRACE_MS,
    );

    await feed.stop();
    await askerOnline.close();
  }, 30_000);

  it("a host's link made inside the fade shows the new friend no fade, not even while it is written", async () => {
    const names = ["fadenf_lt", "fadenf_lo", "fadenf_ln", ...Array.from({ length: 24 }, (_, i) => `fadenf_lf${i}`)];
    const [target, oldFriend, newFriend, ...fillers] = await Promise.all(names.map((name) => inProcess.newUser(name)));
    await befriend(oldFriend!, target!);
    await callerOf(target!).presence.setStatus({ status: "dnd", message: "private note" });
    const targetOnline = await inProcess.app.connections.open(target!.id, () => {}, "mobile");
    await callerOf(target!).presence.setStatus({ status: "invisible" });
    const graceFrom = Date.now();

    // One link: the target with the new friend and with the old one again (who must stay in the
    // fade), and the fillers with each other, so that it takes a while.
    const ordered = (a: string, b: string) => (a < b ? ([a, b] as const) : ([b, a] as const));
    const pairs = [ordered(target!.id, newFriend!.id), ordered(target!.id, oldFriend!.id)];
    for (const [i, a] of fillers.entries()) for (const b of fillers.slice(i + 1)) pairs.push(ordered(a!.id, b!.id));
    let linked = false;
    const linking = inProcess.app.hostGraph.link(pairs).finally(() => (linked = true));
    const seen: string[] = [];
    while (!linked) {
      await nextTurn(); // reads answered from memory alone would never let the link's statements run
      try {
        seen.push((await callerOf(newFriend!).presence.get({ userId: target!.id })).status);
      } catch (error) {
        if ((error as { code?: string }).code !== "NOT_FOUND") throw error;
        seen.push("not a friend yet");
      }
    }
    expect(await linking).toBe(pairs.length - 1); // the old friend was one already
    seen.push((await callerOf(newFriend!).presence.get({ userId: target!.id })).status);
    expect(Date.now(), "the link was not made inside the grace; the test proves nothing").toBeLessThan(graceFrom + GRACE_MS);

    expect(seen.filter((status) => status !== "not a friend yet" && status !== "offline")).toEqual([]);
    expect(seen.at(-1)).toBe("offline");
    // The old friend still sees the fade.
    expect(await callerOf(oldFriend!).presence.get({ userId: target!.id })).toMatchObject({ status: "dnd", message: "private note" });
    await targetOnline.close();
  }, 30_000);
});
