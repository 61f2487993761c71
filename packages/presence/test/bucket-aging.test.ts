/**
 * Buckets age without events (docs/protocol.md §9.3): a viewer who sees a user's last seen
 * approximately is not sent `within a week` when `recently` ages past three days — not when it
 * happens, and not later either, when the user does something the viewer cannot see. Found by an
 * outside review: the aged bucket left the moment an invisible user connected, or an offline one
 * changed their message, telling the viewer exactly when (rule 5).
 */
import { describe, expect, it } from "vitest";
import { eventOf } from "../src/testing/index.js";
import { createCaller } from "../src/index.js";
import type { PresenceEvent } from "../src/feed/events.js";
import { useInProcessApp } from "./fixtures/in-process-app.js";

const DAY_MS = 24 * 60 * 60 * 1000;

type User = { id: string; username: string };
/** How long after the snapshot the bucket ages: long enough to take the snapshot first. */
const AGES_IN_MS = 3_000;

describe("a last-seen bucket that ages", () => {
  const inProcess = useInProcessApp({ offlineGraceMs: 100 });
  const callerOf = (user: { id: string }) => createCaller(inProcess.app, user.id);

  async function befriend(a: { id: string }, b: { id: string }) {
    await callerOf(a).friends.request({ userId: b.id });
    await callerOf(b).friends.accept({ userId: a.id });
  }

  it("is not sent when the user connects invisibly or changes their message while offline", async () => {
    const [tia, tom, val, cal] = (await Promise.all(
      ["age_tia", "age_tom", "age_val", "age_cal"].map((name) => inProcess.newUser(name)),
    )) as [User, User, User, User];
    for (const user of [tia, tom, cal]) await befriend(user, val);
    // Both were last seen just under three days ago (as a server that died vouched), so their
    // bucket turns from `recently` to `within a week` in a moment; since then they went invisible.
    const lastSeen = new Date(Date.now() - 3 * DAY_MS + AGES_IN_MS).toISOString();
    await inProcess.app.service.settleVouched([tia.id, tom.id], lastSeen);
    for (const user of [tia, tom]) {
      await callerOf(user).presence.setLastSeenPrivacy({ level: "approximate" });
      await callerOf(user).presence.setStatus({ status: "invisible" });
    }

    const iterator = ((await callerOf(val).presence.onChange()) as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const next = async () => eventOf((await iterator.next()).value);
    const snapshot = await next();
    expect(snapshot).toMatchObject({ type: "snapshot" });
    const seen = snapshot.type === "snapshot" ? snapshot.friends.filter((view) => view.userId !== cal.id) : [];
    expect(seen.map((view) => view.lastSeenBucket)).toEqual(["recently", "recently"]);
    // A query made now shows the bucket aged; the feed stays silent.
    await expect
      .poll(async () => (await callerOf(val).presence.get({ userId: tia.id })).lastSeenBucket, { timeout: 10_000 })
      .toBe("within a week");

    const tiaOnline = await inProcess.app.connections.open(tia.id, () => {});
    await callerOf(tom).presence.setStatus({ message: "back monday" });
    const calOnline = await inProcess.app.connections.open(cal.id, () => {});
    // Anything about Tia or Tom would have come before Cal's arrival.
    const events: PresenceEvent[] = [];
    for (let event = await next(); ; event = await next()) {
      events.push(event);
      if (JSON.stringify(event).includes(cal.id)) break;
    }
    expect(events.filter((event) => JSON.stringify(event).includes(tia.id) || JSON.stringify(event).includes(tom.id))).toEqual([]);
    // A change the viewer can see still arrives, with the bucket as it is now.
    await callerOf(tom).presence.setLastSeenPrivacy({ level: "nobody" });
    expect(await next()).toMatchObject({ presence: { userId: tom.id, status: "offline", lastSeenBucket: null } });
    await callerOf(tom).presence.setLastSeenPrivacy({ level: "approximate" });
    expect(await next()).toMatchObject({ presence: { userId: tom.id, status: "offline", lastSeenBucket: "within a week" } });
    await iterator.return?.();
    await tiaOnline.close();
    await calOnline.close();
  }, 20_000);
});
