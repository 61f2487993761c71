/**
 * Rule 5 as a differential: what a friend outside the allow-list records (every event and every
 * query answer) when A hides from them — goes invisible, or drops them from the allow-list — and
 * then does X must equal what they record when A simply goes offline. Last-seen values are
 * compared by identity within a transcript (L1, L2, …), and must be the moment A vanished in both.
 * Time is compared too: the offline view must arrive one grace after that moment on both paths.
 * Last-seen levels (docs/protocol.md §9.3) are compared the same way: at any level A chooses, and
 * for a viewer capped by reciprocity, the bucket or absence of a last seen that the hidden friend
 * gets never tells the two apart; and a level A changes (on both paths) reaches them the same way.
 * Devices too (§9.2): a hidden friend keeps the kinds of device (and the auto-away) they saw when A
 * vanished, exactly as after a disconnect, and never learns of A's devices or idleness after.
 */
import type { LastSeenLevel } from "@herald/protocol";
import { describe, expect, it, vi } from "vitest";
import type { OwnPresence } from "@herald/presence";
import { connect, signUp, type Device, type TestServer, type TestUser } from "../src/testing/index.js";
import { DATABASE_KINDS, closeAll, useServer, watch, type Watch } from "./fixtures.js";

const GRACE_MS = 200;
/** Timer and scheduling jitter allowed below the grace when checking when a view arrives. */
const GRACE_SLACK_MS = 30;

interface Scenario {
  server: TestServer;
  alice: TestUser;
  allowed: TestUser;
  devices: Device[];
  viewerId: string;
}

/** `both`: A does this on both paths (a change the friend may see), not only while hidden. */
type Step = ((s: Scenario) => Promise<void>) & { both?: true };

const both = (step: (s: Scenario) => Promise<void>): Step => Object.assign(step, { both: true as const });

/** Who sees what of last seen in a scenario: A's level (and exceptions), and the hidden friend's own level. */
interface Privacy {
  alice: LastSeenLevel;
  viewer: LastSeenLevel;
}

const afterGrace = () => new Promise((resolve) => setTimeout(resolve, GRACE_MS * 3));

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Waits until the server has ended what was due (docs/protocol.md §9.1): Alice's own view shows it. */
async function untilOwn(s: Scenario, ended: (own: OwnPresence) => boolean): Promise<void> {
  await vi.waitFor(async () => expect(ended(await s.alice.http.presence.me.query())).toBe(true), { timeout: 5_000, interval: 25 });
}

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
  "disconnects every device, then turns online over HTTP inside the grace": [
    async (s) => {
      await closeAll(...s.devices.splice(0));
      // Once the server knows the last socket closed: from then on Alice is connected nowhere.
      await vi.waitFor(async () => expect((await s.alice.http.presence.me.query()).connections).toBe(0), { interval: 5 });
      await s.alice.http.presence.setStatus.mutate({ status: "online", message: "here?" });
      await afterGrace();
    },
  ],
  "sets when its invisibility and message end, then moves the end": [
    async (s) => {
      await s.alice.http.presence.setStatus.mutate({ status: "invisible", message: "until later", until: inMs(3_600_000) });
    },
    async (s) => {
      await s.alice.http.presence.setStatus.mutate({ until: inMs(7_200_000) });
    },
  ],
  "has a message end while invisible": [
    async (s) => {
      await s.alice.http.presence.setStatus.mutate({ message: "back in a bit", until: inMs(300) });
      await untilOwn(s, (own) => own.message === null);
    },
  ],
  "goes offline, then its invisibility and message end while offline": [
    async (s) => {
      await closeAll(...s.devices.splice(0));
      await afterGrace();
    },
    async (s) => {
      await s.alice.http.presence.setStatus.mutate({ status: "invisible", message: "gone", until: inMs(300) });
      await untilOwn(s, (own) => own.status === "online" && own.message === null);
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

/** A changes who sees her last seen: every level, an exception for the hidden friend, and back. */
const LAST_SEEN_CHANGES: Step[] = [
  both(async (s) => {
    await s.alice.http.presence.setLastSeenPrivacy.mutate({ level: "approximate" });
  }),
  both(async (s) => {
    await s.alice.http.presence.setLastSeenPrivacy.mutate({ level: "nobody" });
  }),
  both(async (s) => {
    await s.alice.http.presence.setLastSeenPrivacy.mutate({ level: "nobody", exceptions: { [s.viewerId]: "approximate" } });
  }),
  both(async (s) => {
    await s.alice.http.presence.setLastSeenPrivacy.mutate({ level: "friends", exceptions: {} });
  }),
];

/** How the hidden friend starts: seeing A's chosen status, or seeing A through the allow-list. */
type Start = "visible" | "allow-listed";

/** A's status and first device before A vanishes (default: a chosen away, on the web). */
interface StartOptions {
  status?: "away" | "online";
  device?: "web" | "desktop" | "mobile";
  /** A is idle on that device: a chosen online shows as away (auto-away, §7.2). */
  idle?: boolean;
}

/** What an invisible A may do with devices and idleness that the hidden friend must never notice. */
const DEVICE_ACTIONS: Record<string, Step[]> = {
  "connects a desktop": [
    async (s) => {
      s.devices.push(await connect(s.server.wsUrl, s.alice, { device: "desktop" }));
    },
  ],
  "is active on the phone, then idle again": [
    async (s) => {
      await s.devices[0]!.client.presence.setIdle.mutate({ idle: false });
    },
    async (s) => {
      await s.devices[0]!.client.presence.setIdle.mutate({ idle: true });
    },
  ],
  "connects a web page and goes idle there, then closes the phone": [
    async (s) => {
      const page = await connect(s.server.wsUrl, s.alice);
      await page.client.presence.setIdle.mutate({ idle: true });
      s.devices.push(page);
    },
    async (s) => {
      await closeAll(...s.devices.splice(0, 1));
    },
  ],
};

/** The actions also run from the allow-listed start (all of them run from the visible one). */
const FROM_ALLOW_LIST = [
  "connects another device",
  "changes the message",
  "disconnects, then reconnects",
  "sets when its invisibility and message end, then moves the end",
  "has a message end while invisible",
];

describe.each(DATABASE_KINDS)("rule 5 differential on %s", (kind) => {
  const server = useServer(kind, { offlineGraceMs: GRACE_MS });

  /** Runs a scenario and returns the hidden friend's normalised transcript. */
  async function transcript(
    start: Start,
    vanish: "hide" | "offline",
    steps: Step[],
    privacy: Privacy = { alice: "friends", viewer: "friends" },
    options: StartOptions = {},
  ): Promise<{ lines: string[]; vanishedAt: number[] }> {
    const alice = await signUp(server.current.url);
    const allowed = await signUp(server.current.url);
    const viewer = await signUp(server.current.url);
    await alice.http.presence.setLastSeenPrivacy.mutate({ level: privacy.alice });
    await viewer.http.presence.setLastSeenPrivacy.mutate({ level: privacy.viewer });
    await allowed.http.friends.request.mutate({ username: alice.username });
    await alice.http.friends.accept.mutate({ userId: allowed.id });
    const hidden: Watch = await watch(server.current, [alice], viewer);
    // Visible with an end (§9.1): a fade keeps the end the viewer saw, and the offline view drops it.
    if (start === "visible") {
      const status = options.status ?? "away";
      // An online status has nothing to end (§9.1): `until` goes with the away alone.
      await alice.http.presence.setStatus.mutate({
        status,
        message: "coffee",
        visibleTo: [allowed.id],
        ...(status === "away" ? { until: inMs(3_600_000) } : {}),
      });
    } else {
      await alice.http.presence.setStatus.mutate({ status: "invisible", message: "coffee", visibleTo: [allowed.id, viewer.id] });
    }
    const first = await connect(server.current.wsUrl, alice, options.device ? { device: options.device } : {});
    const scenario: Scenario = { server: server.current, alice, allowed, devices: [first], viewerId: viewer.id };
    await hidden.viewerDevice.feed.nextPresenceOf(alice.id); // Alice comes online: both scenarios start here
    if (options.idle) {
      await first.client.presence.setIdle.mutate({ idle: true });
      if (start === "visible" && options.status === "online") await hidden.viewerDevice.feed.nextPresenceOf(alice.id); // auto-away
    }

    const lines: string[] = [];
    const untilNames = new Map<string, string>();
    const lastSeenNames = new Map<string, string>();
    const name = (value: string | null) => {
      if (value === null) return null;
      if (!lastSeenNames.has(value)) lastSeenNames.set(value, `L${lastSeenNames.size + 1}`);
      return lastSeenNames.get(value)!;
    };
    const untilName = (value: string | null) => {
      if (value === null) return null;
      if (!untilNames.has(value)) untilNames.set(value, `U${untilNames.size + 1}`);
      return untilNames.get(value)!;
    };
    // Different users in each run: compare them as "A", and last-seen moments and ends by identity.
    const record = (label: string, value: unknown) =>
      lines.push(
        `${label} ${JSON.stringify(value, (key, v) => (key === "lastSeen" ? name(v as string | null) : key === "until" ? untilName(v as string | null) : v))}`
          .replaceAll(alice.id, "A")
          .replaceAll(alice.username, "alice"),
      );
    const observe = async (label: string) => {
      await hidden.readUntilMarker((event) => record(`${label} event`, event));
      record(`${label} get`, await hidden.viewer.http.presence.get.query({ userId: alice.id }));
      record(`${label} getMany`, await hidden.viewer.http.presence.getMany.query({ userIds: [alice.id] }));
      record(
        `${label} list`,
        (await hidden.viewer.http.friends.list.query()).find((f) => f.id === alice.id),
      );
    };

    const before = Date.now();
    if (vanish === "offline") await closeAll(...scenario.devices.splice(0));
    else if (start === "visible") await alice.http.presence.setStatus.mutate({ status: "invisible" });
    else await alice.http.presence.setVisibility.mutate({ visibleTo: [allowed.id] });
    const after = Date.now();
    // Rule 5's timing: the offline view arrives one grace after the moment it shows, on both paths.
    const offline = await hidden.viewerDevice.feed.nextPresenceOf(alice.id);
    // Measured from the moment it shows, or (no exact last seen at this level) from just before A vanished.
    const delay = Date.now() - (offline.lastSeen === null ? before : Date.parse(offline.lastSeen));
    record("vanish arrives", { ...offline, afterGrace: delay >= GRACE_MS - GRACE_SLACK_MS });
    await afterGrace();
    await observe("vanish");
    for (const [index, step] of (vanish === "hide" ? steps : steps.map((step) => (step.both ? step : async () => {}))).entries()) {
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
      const [invisible, offline] = [await transcript("visible", "hide", steps), await transcript("visible", "offline", steps)];
      expect(invisible.lines).toEqual(offline.lines);
      expect(invisible.vanishedAt).toHaveLength(1);
    });
  }

  for (const action of FROM_ALLOW_LIST) {
    it(`a friend dropped from the allow-list cannot tell "dropped, then ${action}" from "went offline"`, async () => {
      const steps = ACTIONS[action]!;
      const [dropped, offline] = [await transcript("allow-listed", "hide", steps), await transcript("allow-listed", "offline", steps)];
      expect(dropped.lines).toEqual(offline.lines);
      expect(dropped.vanishedAt).toHaveLength(1);
    });
  }

  for (const [action, steps] of Object.entries(DEVICE_ACTIONS)) {
    it(`a hidden friend cannot tell "invisible on an idle phone, then ${action}" from "went offline"`, async () => {
      const start: StartOptions = { status: "online", device: "mobile", idle: true };
      const [invisible, offline] = [
        await transcript("visible", "hide", steps, undefined, start),
        await transcript("visible", "offline", steps, undefined, start),
      ];
      expect(invisible.lines).toEqual(offline.lines);
      // What both saw fade: the phone, auto-away.
      expect(invisible.lines[0]).toContain('"status":"offline"');
      expect(invisible.lines.join("\n")).not.toMatch(/desktop|"web"/);
      expect(invisible.vanishedAt).toHaveLength(1);
    });
  }

  it("a friend dropped from the allow-list cannot tell its devices and idleness from a disconnect", async () => {
    const steps = DEVICE_ACTIONS["connects a web page and goes idle there, then closes the phone"]!;
    const start: StartOptions = { device: "mobile", idle: true };
    const [dropped, offline] = [
      await transcript("allow-listed", "hide", steps, undefined, start),
      await transcript("allow-listed", "offline", steps, undefined, start),
    ];
    expect(dropped.lines).toEqual(offline.lines);
  });

  const LEVEL_ACTIONS = ["connects another device", "changes the message", "goes offline, then changes status while offline"];
  const PRIVACIES: Record<string, Privacy> = {
    "A's last seen is approximate": { alice: "approximate", viewer: "friends" },
    "nobody sees A's last seen": { alice: "nobody", viewer: "friends" },
    "the friend hides their own last seen (reciprocity)": { alice: "friends", viewer: "nobody" },
  };
  for (const [when, privacy] of Object.entries(PRIVACIES)) {
    for (const action of LEVEL_ACTIONS) {
      it(`when ${when}, a hidden friend cannot tell "invisible, then ${action}" from "went offline"`, async () => {
        const steps = ACTIONS[action]!;
        const [invisible, offline] = [
          await transcript("visible", "hide", steps, privacy),
          await transcript("visible", "offline", steps, privacy),
        ];
        expect(invisible.lines).toEqual(offline.lines);
        // What the level promises holds on both paths: no exact instant unless it is shared.
        const exact = privacy.alice === "friends" && privacy.viewer === "friends";
        expect(invisible.lines.every((line) => exact || !/"lastSeen":"L\d+"/.test(line))).toBe(true);
      });
    }
  }

  it("a last-seen level A changes while invisible reaches a hidden friend exactly as one changed while offline", async () => {
    const [invisible, offline] = [
      await transcript("visible", "hide", LAST_SEEN_CHANGES),
      await transcript("visible", "offline", LAST_SEEN_CHANGES),
    ];
    expect(invisible.lines).toEqual(offline.lines);
    expect(invisible.lines.some((line) => line.includes('"lastSeenBucket":"recently"'))).toBe(true);
  });

  it("invisible and back inside the grace sends a hidden friend nothing, exactly like a reconnect inside it", async () => {
    for (const blink of ["reconnect", "invisible"] as const) {
      const alice = await signUp(server.current.url);
      const hidden = await watch(server.current, [alice]);
      await alice.http.presence.setStatus.mutate({ status: "dnd", message: "focus" });
      let device = await connect(server.current.wsUrl, alice);
      expect(await hidden.viewerDevice.feed.nextPresenceOf(alice.id)).toMatchObject({ status: "dnd", message: "focus" });
      if (blink === "reconnect") {
        await device.close();
        device = await connect(server.current.wsUrl, alice);
      } else {
        await alice.http.presence.setStatus.mutate({ status: "invisible" });
        await alice.http.presence.setStatus.mutate({ status: "dnd" });
      }
      await afterGrace();
      await hidden.expectNothingElse();
      expect(await hidden.viewer.http.presence.get.query({ userId: alice.id })).toMatchObject({ status: "dnd", message: "focus" });
      await closeAll(device, hidden.viewerDevice, hidden.markerDevice);
    }
  });
});
