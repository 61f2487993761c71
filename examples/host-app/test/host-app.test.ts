/**
 * The example end to end: the host app's own users sign in with the app, get the app's JWTs
 * (checked by Herald against the JWKS the app serves), and two friends in the app's graph see each
 * other live through Herald mounted on the app's server. The app's graph changes reach them live.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventFeed } from "@herald/server/testing";
import { connectAs, logIn, type HeraldSession } from "../src/client.js";
import { startHostApp, type HostApp } from "../src/host-app.js";
import { DEMO_USERS } from "../src/users.js";

const password = (username: string) => DEMO_USERS.find((u) => u.username === username)!.password;

/** Subscribes the session to Herald's live feed (its first event is the snapshot). */
async function watchFeed(session: HeraldSession): Promise<EventFeed> {
  const feed = new EventFeed();
  const subscription = session.herald.presence.onChange.subscribe(undefined, {
    onData: ({ data }) => feed.push(data),
    onError: (error) => feed.fail(error),
  });
  feed.onClose(() => subscription.unsubscribe());
  return feed;
}

describe("examples/host-app", () => {
  let app: HostApp;
  const sessions: HeraldSession[] = [];
  beforeAll(async () => {
    app = await startHostApp({ herald: { dataDir: null, logLevel: "warn", offlineGraceMs: 300, rateLimits: false } });
  });
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    await app?.close();
  });

  it("signs its users in itself; Herald knows them by the app's ids and names", async () => {
    expect(
      (await fetch(`${app.url}/api/login`, { method: "POST", body: JSON.stringify({ username: "alice", password: "nope" }) })).status,
    ).toBe(401);
    const { user, token } = await logIn(app, "alice", password("alice"));
    expect(user).toEqual({ id: "usr_1001", username: "alice", name: "Alice Liddell" });
    const me = await fetch(`${app.heraldUrl}/auth.me`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { result: { data: unknown } }).result.data).toEqual({ id: "usr_1001", username: "Alice Liddell" });
  });

  it("shows two friends in the app's graph to each other, live", async () => {
    const alice = await connectAs(app, "alice", password("alice"));
    sessions.push(alice);
    const aliceFeed = await watchFeed(alice);
    const snapshot = await aliceFeed.next("snapshot");
    // Alice's friends in the app: Bob (offline for now); never Carol, who is not her friend.
    expect(snapshot.friends).toEqual([
      { userId: "usr_1002", status: "offline", message: null, lastSeen: null, until: null, devices: [], lastSeenBucket: null },
    ]);

    const bob = await connectAs(app, "bob", password("bob"));
    sessions.push(bob);
    expect(await aliceFeed.nextPresenceOf("usr_1002")).toEqual({
      userId: "usr_1002",
      status: "online",
      message: null,
      lastSeen: null,
      until: null,
      devices: ["web"],
      lastSeenBucket: null,
    });
    await bob.herald.presence.setStatus.mutate({ status: "away", message: "building something" });
    expect(await aliceFeed.nextPresenceOf("usr_1002")).toMatchObject({ status: "away", message: "building something" });
    expect(await alice.herald.friends.list.query()).toEqual([
      {
        id: "usr_1002",
        username: "Bob Builder",
        presence: {
          userId: "usr_1002",
          status: "away",
          message: "building something",
          lastSeen: null,
          until: null,
          devices: ["web"],
          lastSeenBucket: null,
        },
      },
    ]);

    // Bob sees Alice too.
    const bobFeed = await watchFeed(bob);
    expect((await bobFeed.next("snapshot")).friends).toContainEqual({
      userId: "usr_1001",
      status: "online",
      message: null,
      lastSeen: null,
      until: null,
      devices: ["web"],
      lastSeenBucket: null,
    });

    // The app's graph is the only one: users cannot befriend in Herald, and the app's changes are live.
    await expect(alice.herald.friends.request.mutate({ userId: "usr_1003" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await app.unfriend("alice", "bob");
    expect(await aliceFeed.next("friend_removed")).toEqual({ type: "friend_removed", userId: "usr_1002" });
    await app.befriend("alice", "carol");
    expect(await aliceFeed.next("friend_added")).toMatchObject({ presence: { userId: "usr_1003", status: "offline" } });
    aliceFeed.close();
    bobFeed.close();
  });
});
