/**
 * Rule 5 as a differential: what a friend outside the allow-list records (every event and every
 * query answer) when A goes invisible and then does X must equal what they record when A simply
 * goes offline. Last-seen values are compared by identity within a transcript (L1, L2, …), and
 * must be the moment A vanished in both.
 */
import { describe, expect, it } from "vitest";
import { connect, signUp, type Device, type TestServer, type TestUser } from "../src/testing/index.js";
import { DATABASE_KINDS, closeAll, useServer, watch, type Watch } from "./fixtures.js";

const GRACE_MS = 200;

interface Scenario {
  server: TestServer;
  alice: TestUser;
  allowed: TestUser;
  devices: Device[];
}

type Step = (s: Scenario) => Promise<void>;

const afterGrace = () => new Promise((resolve) => setTimeout(resolve, GRACE_MS * 3));

/** Things an invisible Alice may do that the hidden friend must never notice. */
const ACTIONS: Record<string, Step[]> = {
  "connects another device": [
    async (s) => {
      s.devices.push(await connect(s.server.wsUrl, s.alice));
    },
  ],
  "disconnects every device": [
    async (s) => {
      await closeAll(...s.devices.splice(0));
      await afterGrace();
    },
  ],
  "disconnects, then reconnects": [
    async (s) => {
      await closeAll(...s.devices.splice(0));
      await afterGrace();
    },
    async (s) => {
      s.devices.push(await connect(s.server.wsUrl, s.alice));
    },
  ],
  "sends heartbeats": [
    async (s) => {
      for (const device of s.devices) await device.client.presence.heartbeat.mutate();
    },
  ],
  "changes the message": [
    async (s) => {
      await s.alice.http.presence.setStatus.mutate({ status: "invisible", message: "secret plans" });
    },
  ],
  "changes the allow-list": [
    async (s) => {
      await s.alice.http.presence.setVisibility.mutate({ visibleTo: [] });
    },
    async (s) => {
      await s.alice.http.presence.setVisibility.mutate({ visibleTo: [s.allowed.id] });
    },
  ],
  "goes offline, then changes status while offline": [
    async (s) => {
      await closeAll(...s.devices.splice(0));
      await afterGrace();
    },
    async (s) => {
      await s.alice.http.presence.setStatus.mutate({ status: "dnd", message: "later" });
    },
    async (s) => {
      await s.alice.http.presence.setStatus.mutate({ status: "invisible" });
    },
  ],
};

describe.each(DATABASE_KINDS)("rule 5 differential on %s", (kind) => {
  const server = useServer(kind, { offlineGraceMs: GRACE_MS });

  /** Runs a scenario and returns the hidden friend's normalised transcript. */
  async function transcript(vanish: "invisible" | "offline", steps: Step[]): Promise<{ lines: string[]; vanishedAt: number[] }> {
    const alice = await signUp(server.current.url);
    const allowed = await signUp(server.current.url);
    await allowed.http.friends.request.mutate({ username: alice.username });
    await alice.http.friends.accept.mutate({ userId: allowed.id });
    await alice.http.presence.setStatus.mutate({ status: "away", message: "coffee" });
    await alice.http.presence.setVisibility.mutate({ visibleTo: [allowed.id] });
    const hidden: Watch = await watch(server.current, [alice]);
    const scenario: Scenario = { server: server.current, alice, allowed, devices: [await connect(server.current.wsUrl, alice)] };
    await hidden.viewerDevice.feed.nextPresenceOf(alice.id); // Alice comes online: both scenarios start here

    const lines: string[] = [];
    const lastSeenNames = new Map<string, string>();
    const name = (value: string | null) => {
      if (value === null) return null;
      if (!lastSeenNames.has(value)) lastSeenNames.set(value, `L${lastSeenNames.size + 1}`);
      return lastSeenNames.get(value)!;
    };
    // Different users in each run: compare them as "A", and last-seen moments by identity.
    const record = (label: string, value: unknown) =>
      lines.push(
        `${label} ${JSON.stringify(value, (key, v) => (key === "lastSeen" ? name(v as string | null) : v))}`
          .replaceAll(alice.id, "A")
          .replaceAll(alice.username, "alice"),
      );
    const observe = async (label: string) => {
      await hidden.readUntilMarker((event) => record(`${label} event`, event));
      record(`${label} get`, await hidden.viewer.http.presence.get.query({ userId: alice.id }));
      record(`${label} getMany`, await hidden.viewer.http.presence.getMany.query({ userIds: [alice.id] }));
      record(`${label} list`, (await hidden.viewer.http.friends.list.query()).find((f) => f.id === alice.id));
    };

    const before = Date.now();
    if (vanish === "invisible") await alice.http.presence.setStatus.mutate({ status: "invisible" });
    else {
      await closeAll(...scenario.devices.splice(0));
      await afterGrace();
    }
    const after = Date.now();
    await observe("vanish");
    for (const [index, step] of (vanish === "invisible" ? steps : steps.map(() => async () => {})).entries()) {
      await step(scenario);
      await observe(`step ${index + 1}`);
    }
    await closeAll(...scenario.devices, hidden.viewerDevice, hidden.markerDevice);
    const vanishedAt = [...lastSeenNames.keys()].map((iso) => Date.parse(iso));
    expect(vanishedAt.every((t) => t >= before - 50 && t <= after + 50)).toBe(true);
    return { lines, vanishedAt };
  }

  for (const [action, steps] of Object.entries(ACTIONS)) {
    it(`a hidden friend cannot tell "invisible, then ${action}" from "went offline"`, async () => {
      const [invisible, offline] = [await transcript("invisible", steps), await transcript("offline", steps)];
      expect(invisible.lines).toEqual(offline.lines);
      expect(invisible.vanishedAt).toHaveLength(1);
    });
  }
});

