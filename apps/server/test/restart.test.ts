/** A restart keeps users, friendships, chosen statuses and last-seen (PGlite files and PostgreSQL). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { befriend, connect, databaseFor, httpClient, signUp, startTestServer } from "../src/testing/index.js";
import type { ServerConfig } from "../src/env.js";
import { DATABASE_KINDS } from "./fixtures.js";

describe.each(DATABASE_KINDS)("restart on %s", (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it("keeps users, friendships, statuses and last seen; everyone starts offline", async () => {
    const database = await databaseFor(kind);
    cleanups.push(database.drop);
    const config: Partial<ServerConfig> = {
      databaseUrl: database.databaseUrl,
      dataDir: kind === "pglite" ? mkdtempSync(join(tmpdir(), "herald-restart-")) : null,
      authSecret: undefined, // generated into DATA_DIR (PGlite) — tokens must survive the restart too
      offlineGraceMs: 100,
    };
    if (kind === "postgres") config.authSecret = "restart-secret-long-enough";

    const first = await startTestServer(config);
    const alice = await signUp(first.url);
    const bob = await signUp(first.url);
    await befriend(alice, bob);
    await alice.http.presence.setStatus.mutate({ status: "dnd", message: "deep work", visibleTo: [bob.id] });
    const aliceDevice = await connect(first.wsUrl, alice);
    const bobDevice = await connect(first.wsUrl, bob, { subscribe: true });
    await aliceDevice.close();
    const offline = await bobDevice.feed.nextPresenceOf(alice.id);
    expect(offline.lastSeen).not.toBeNull();
    await bobDevice.close();
    await first.close();

    const second = await startTestServer(config);
    try {
      const bobAgain = httpClient(second.url, bob.token);
      expect(await bobAgain.auth.me.query()).toEqual({ id: bob.id, username: bob.username });
      expect(await bobAgain.friends.list.query()).toEqual([{ id: alice.id, username: alice.username, presence: offline }]);
      expect(await httpClient(second.url, alice.token).presence.me.query()).toEqual({
        status: "dnd",
        message: "deep work",
        visibleTo: [bob.id],
        connections: 0,
        lastSeen: offline.lastSeen,
        until: null,
        messageUntil: null,
        devices: expect.any(Array),
        idle: false,
        lastSeenPrivacy: { level: "friends", exceptions: {} },
      });
      const signedIn = await httpClient(second.url).auth.signIn.mutate({ username: alice.username, password: "correct horse" });
      expect(signedIn.user.id).toBe(alice.id);
    } finally {
      await second.close();
    }
  }, 120_000); // two embedded databases on disk start slowly on two busy cores
});
