/**
 * Friendship calls that race: two people asking each other at once, two devices accepting at
 * once, and the live feeds when the announcements of two friendship changes arrive in the other
 * order than their writes (an accept's `friend_added` after the `friend_removed` of a cancel that
 * followed it). Found by an outside review against two servers; reproduced here in one process.
 */
import { describe, expect, it } from "vitest";
import { eventOf } from "../src/testing/index.js";
import { createCaller } from "../src/index.js";
import type { PresenceEvent } from "../src/feed/events.js";
import { useInProcessApp } from "./fixtures/in-process-app.js";

describe("friendship races", () => {
  const inProcess = useInProcessApp();
  const callerOf = (user: { id: string }) => createCaller(inProcess.app, user.id);
  /** Announces a friendship the test already wrote, as `befriend` does after its write. */
  const announceWritten = (a: string, b: string) => inProcess.app.service.befriend([], async () => ({ added: [[a, b] as const] }));

  async function befriend(a: { id: string; username: string }, b: { id: string }) {
    await callerOf(a).friends.request({ userId: b.id });
    await callerOf(b).friends.accept({ userId: a.id });
  }

  /** The viewer's feed, read event by event. */
  async function feedOf(user: { id: string }) {
    const iterator = ((await callerOf(user).presence.onChange()) as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const next = async (): Promise<PresenceEvent> => eventOf((await iterator.next()).value);
    /** Events up to and including the first about `userId` that `match` accepts. */
    const until = async (match: (event: PresenceEvent) => boolean): Promise<PresenceEvent[]> => {
      const seen: PresenceEvent[] = [];
      for (;;) {
        const event = await next();
        seen.push(event);
        if (match(event)) return seen;
      }
    };
    return { next, until, stop: () => iterator.return?.() };
  }

  const names = (userId: string) => (event: PresenceEvent) => JSON.stringify(event).includes(userId);
  const isOnline = (userId: string) => (event: PresenceEvent) =>
    (event.type === "update" && event.presence.userId === userId && event.presence.status !== "offline") ||
    (event.type === "updates" && event.presences.some((p) => p.userId === userId && p.status !== "offline"));

  it("makes two users who ask each other at the same moment friends", async () => {
    for (let round = 0; round < 5; round++) {
      const ada = await inProcess.newUser(`race_ada_${round}`);
      const bo = await inProcess.newUser(`race_bo_${round}`);
      const answers = await Promise.all([
        callerOf(ada).friends.request({ userId: bo.id }),
        callerOf(bo).friends.request({ userId: ada.id }),
      ]);
      // One asked; the other, finding that request, accepted it (SPEC §3: asking back accepts).
      expect(answers.map((answer) => answer.status).sort()).toEqual(["accepted", "pending"]);
      expect((await callerOf(ada).friends.list()).map((friend) => friend.id)).toEqual([bo.id]);
      expect((await callerOf(bo).friends.list()).map((friend) => friend.id)).toEqual([ada.id]);
      expect(await callerOf(ada).friends.requests()).toEqual({ incoming: [], outgoing: [] });
    }
  });

  it("answers accepted to both of two devices accepting one request at the same moment", async () => {
    const cy = await inProcess.newUser("race_cy");
    const di = await inProcess.newUser("race_di");
    await callerOf(cy).friends.request({ userId: di.id });
    const answers = await Promise.all([callerOf(di).friends.accept({ userId: cy.id }), callerOf(di).friends.accept({ userId: cy.id })]);
    expect(answers).toEqual([{ status: "accepted" }, { status: "accepted" }]);
  });

  it("shows nothing of a user whose request was cancelled as it was accepted, whatever order the news arrives in", async () => {
    const ann = await inProcess.newUser("race_ann");
    const ben = await inProcess.newUser("race_ben");
    const cat = await inProcess.newUser("race_cat");
    await befriend(ann, cat);
    await callerOf(ann).friends.request({ userId: ben.id });
    const feed = await feedOf(ann);
    expect((await feed.next()).type).toBe("snapshot");
    const { friendships, service } = inProcess.app;
    // Ben accepts (written), Ann cancels (written and announced), then Ben's accept is announced.
    expect(await friendships.accept(ann.id, ben.id)).toBe(true);
    expect(await friendships.remove(ann.id, ben.id)).toBe("accepted");
    await service.announceUnfriended([[ann.id, ben.id]]);
    await announceWritten(ben.id, ann.id);
    const benOnline = await inProcess.app.connections.open(ben.id, () => {});
    await callerOf(ben).presence.setStatus({ status: "dnd", message: "not for ann" });
    const catOnline = await inProcess.app.connections.open(cat.id, () => {});
    // Everything about Ben would have come before Cat's arrival: nothing did.
    const events = await feed.until(isOnline(cat.id));
    expect(events.filter(names(ben.id))).toEqual([]);
    expect(await callerOf(ann).friends.list()).toEqual([expect.objectContaining({ id: cat.id })]);
    await feed.stop();
    await benOnline.close();
    await catOnline.close();
  }, 10_000);

  it("keeps a friend unfriended and befriended again even when the unfriending is announced last", async () => {
    const eve = await inProcess.newUser("race_eve");
    const fay = await inProcess.newUser("race_fay");
    await befriend(eve, fay);
    const feed = await feedOf(eve);
    expect((await feed.next()).type).toBe("snapshot");
    const { friendships, service } = inProcess.app;
    // Unfriended, asked and accepted again; the new friendship's news overtakes the unfriending's.
    expect(await friendships.remove(eve.id, fay.id)).toBe("accepted");
    expect(await friendships.request(fay.id, eve.id)).toBe(true);
    expect(await friendships.accept(fay.id, eve.id)).toBe(true);
    await announceWritten(fay.id, eve.id);
    await service.announceUnfriended([[eve.id, fay.id]]);
    // Told she was removed, then (on reading the list again) that she is a friend; then she is live.
    const events = await feed.until((event) => event.type === "friend_added");
    expect(events.map((event) => event.type)).toEqual(["friend_removed", "friend_added"]);
    const fayOnline = await inProcess.app.connections.open(fay.id, () => {});
    expect(await feed.next()).toMatchObject({ type: "update", presence: { userId: fay.id, status: "online" } });
    await feed.stop();
    await fayOnline.close();
  }, 10_000);
});
