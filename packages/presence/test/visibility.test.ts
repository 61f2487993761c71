import { describe, expect, it } from "vitest";
import { choiceChanged, fadesEnded, forgetViewer, lastConnectionEnded, settledOffline } from "../src/engine/transitions.js";
import { sharedViewOf } from "../src/engine/shared-views.js";
import { ownViewOf, viewOf, type ViewContext } from "../src/engine/visibility.js";
import { DEFAULT_DURABLE_PRESENCE, type PresenceState } from "../src/types.js";
import { presenceState } from "./fixtures/presence-state.js";

const T = "00000000-0000-4000-8000-00000000000a";
const ALLOWED = "00000000-0000-4000-8000-00000000000b";
const HIDDEN = "00000000-0000-4000-8000-00000000000c";
const T1 = "2026-01-01T10:00:00.000Z";
/** A viewer shown exact last seen (the default level, no reciprocity), looking at the time of these tests. */
const EXACT: ViewContext = { now: Date.parse("2026-01-01T12:00:00.000Z"), viewerLevel: "friends", reciprocity: false };
const T2 = "2026-01-01T11:00:00.000Z";
const T3 = "2026-01-01T12:00:00.000Z";
/** The end of a fade that started at T2 (any moment after it will do for these tests). */
const T2_END = "2026-01-01T11:00:05.000Z";

function state(overrides: Partial<PresenceState> = {}): PresenceState {
  return presenceState(T, overrides);
}

describe("viewOf (rules 1, 4, 6)", () => {
  it("shows an unconnected user as offline, with no last seen if never seen", () => {
    expect(viewOf(state({ status: "dnd", message: "busy" }), HIDDEN, EXACT)).toEqual({
      userId: T,
      status: "offline",
      message: null,
      lastSeen: null,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
  });

  it("shows a connected user's chosen status and message, without last seen", () => {
    for (const status of ["online", "away", "dnd"] as const) {
      expect(viewOf(state({ online: true, connections: 1, status, message: "hi", lastSeen: T1 }), HIDDEN, EXACT)).toEqual({
        userId: T,
        status,
        message: "hi",
        lastSeen: null,
        until: null,
        devices: [],
        lastSeenBucket: null,
      });
    }
  });

  it("shows an invisible user as online to the allow-list and offline to everyone else", () => {
    const invisible = state({ online: true, connections: 2, status: "invisible", visibleTo: [ALLOWED], lastSeen: T1, message: "m" });
    expect(viewOf(invisible, ALLOWED, EXACT)).toEqual({
      userId: T,
      status: "online",
      message: "m",
      lastSeen: null,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
    expect(viewOf(invisible, HIDDEN, EXACT)).toEqual({
      userId: T,
      status: "offline",
      message: null,
      lastSeen: T1,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
  });

  it("gives a viewer the later of the public and their own last-seen moment", () => {
    const s = state({ lastSeen: T1, lastSeenBy: { [ALLOWED]: T2 } });
    expect(viewOf(s, ALLOWED, EXACT).lastSeen).toBe(T2);
    expect(viewOf(s, HIDDEN, EXACT).lastSeen).toBe(T1);
  });

  it("shows the user their own presence with connection count and last disconnect", () => {
    expect(ownViewOf(state({ status: "invisible", visibleTo: [ALLOWED], lastDisconnectedAt: T2 }))).toEqual({
      status: "invisible",
      message: null,
      visibleTo: [ALLOWED],
      connections: 0,
      lastSeen: T2,
      until: null,
      messageUntil: null,
      devices: [],
      idle: false,
      lastSeenPrivacy: { level: "friends", exceptions: {} },
    });
    expect(ownViewOf(state({ online: true, connections: 3, lastDisconnectedAt: T2 })).lastSeen).toBeNull();
  });
});

describe("sharedViewOf (one view per visibility class)", () => {
  const OTHER_HIDDEN = "00000000-0000-4000-8000-00000000000d";

  it("gives the allow-list the chosen view and every other friend the offline one, never each other's", () => {
    const invisible = state({ online: true, connections: 1, status: "invisible", visibleTo: [ALLOWED], lastSeen: T1, message: "m" });
    const allowed = sharedViewOf(invisible, ALLOWED, EXACT);
    const hidden = sharedViewOf(invisible, HIDDEN, EXACT);
    expect(allowed).toEqual({ userId: T, status: "online", message: "m", lastSeen: null, until: null, devices: [], lastSeenBucket: null });
    expect(hidden).toEqual({ userId: T, status: "offline", message: null, lastSeen: T1, until: null, devices: [], lastSeenBucket: null });
    expect(sharedViewOf(invisible, OTHER_HIDDEN, EXACT)).toBe(hidden);
    expect(sharedViewOf(invisible, ALLOWED, EXACT)).toBe(allowed);
  });

  it("is viewOf's view for every viewer, one object for all who see the chosen status", () => {
    const states = [
      state({ online: true, connections: 2, status: "dnd", message: "m", statusUntil: T3, devices: ["web", "mobile"] }),
      state({ online: true, connections: 1, status: "online", idle: true }),
      state({ online: true, connections: 1, status: "invisible", visibleTo: [ALLOWED], lastSeen: T1, message: "m" }),
      state({ online: true, connections: 0, status: "online", lastSeen: T1, lastSeenBy: { [ALLOWED]: T2 } }),
      state({ status: "invisible", lastSeen: T1 }),
    ];
    for (const s of states) {
      for (const viewer of [ALLOWED, HIDDEN])
        expect(sharedViewOf(s, viewer, EXACT), `${s.status} to ${viewer}`).toEqual(viewOf(s, viewer, EXACT));
    }
    const [visible, , invisible] = states as [PresenceState, PresenceState, PresenceState];
    expect(sharedViewOf(visible, ALLOWED, EXACT)).toBe(sharedViewOf(visible, HIDDEN, EXACT));
    expect(sharedViewOf(invisible, ALLOWED, EXACT)).not.toBe(sharedViewOf(invisible, HIDDEN, EXACT));
  });

  it("shares an offline view only between viewers shown the same last-seen moment", () => {
    const s = state({ lastSeen: T1, lastSeenBy: { [ALLOWED]: T2 } });
    expect(sharedViewOf(s, ALLOWED, EXACT).lastSeen).toBe(T2);
    expect(sharedViewOf(s, HIDDEN, EXACT).lastSeen).toBe(T1);
    expect(sharedViewOf(s, OTHER_HIDDEN, EXACT)).toBe(sharedViewOf(s, HIDDEN, EXACT));
    expect(sharedViewOf(s, ALLOWED, EXACT)).not.toBe(sharedViewOf(s, HIDDEN, EXACT));
  });
});

describe("transitions (rules 3, 5, 6)", () => {
  it("records the disconnect moment for everyone when a visible user's last connection ends", () => {
    const after = lastConnectionEnded({ ...DEFAULT_DURABLE_PRESENCE, lastSeenBy: { [ALLOWED]: T1 } }, T2, T2_END);
    expect(after).toMatchObject({ lastSeen: T2, lastSeenBy: {}, lastDisconnectedAt: T2 });
  });

  it("never moves last seen backwards when a change during the grace already showed a later one", () => {
    const after = lastConnectionEnded({ ...DEFAULT_DURABLE_PRESENCE, lastSeen: T3 }, T2, T2_END);
    expect(after).toMatchObject({ lastSeen: T3, lastDisconnectedAt: T2 });
  });

  it("records the disconnect moment only for the allow-list when an invisible user's last connection ends", () => {
    const before = { ...DEFAULT_DURABLE_PRESENCE, status: "invisible" as const, visibleTo: [ALLOWED], lastSeen: T1 };
    const after = lastConnectionEnded(before, T3, T3);
    expect(after.lastSeen).toBe(T1);
    expect(after.lastSeenBy).toEqual({ [ALLOWED]: T3 });
    expect(after.lastDisconnectedAt).toBe(T3);
  });

  it("records a dead server's users when the store settles them, and nobody twice", () => {
    const before = { ...DEFAULT_DURABLE_PRESENCE, lastSeen: T1 };
    const settled = settledOffline(before, T2);
    expect(settled).toMatchObject({ lastSeen: T2, lastDisconnectedAt: T2, fades: [] });
    expect(settledOffline(settled, T2)).toBe(settled);
    const ended = lastConnectionEnded(before, T2, T2_END);
    expect(settledOffline(ended, T2)).toBe(ended);
  });

  it("freezes the public last seen at the moment an online user turns invisible", () => {
    const after = choiceChanged({ ...DEFAULT_DURABLE_PRESENCE, lastSeen: T1 }, { status: "invisible" }, true, T2, T2_END);
    expect(after).toMatchObject({ status: "invisible", lastSeen: T2 });
  });

  it("moves no last seen and fades nobody when an offline user changes anything (rule 5: also not later)", () => {
    const before = { ...DEFAULT_DURABLE_PRESENCE, status: "invisible" as const, visibleTo: [ALLOWED], lastSeen: T1 };
    const after = choiceChanged(before, { status: "online", message: "back", visibleTo: [] }, false, T3, T3);
    expect(after).toMatchObject({ status: "online", message: "back", visibleTo: [], lastSeen: T1, lastSeenBy: {}, fades: [] });
  });

  it("remembers when an allow-listed friend was dropped while the user was online", () => {
    const before = { ...DEFAULT_DURABLE_PRESENCE, status: "invisible" as const, visibleTo: [ALLOWED, HIDDEN], lastSeen: T1 };
    const after = choiceChanged(before, { visibleTo: [ALLOWED] }, true, T2, T2_END);
    expect(after.lastSeenBy).toEqual({ [HIDDEN]: T2 });
    expect(after.lastSeen).toBe(T1);
  });

  it("keeps an omitted field and clears the message on null", () => {
    const before = { ...DEFAULT_DURABLE_PRESENCE, message: "hello", visibleTo: [ALLOWED] };
    expect(choiceChanged(before, { status: "away" }, true, T1, T2)).toMatchObject({ message: "hello", visibleTo: [ALLOWED] });
    expect(choiceChanged(before, { status: "away", message: null }, true, T1, T2).message).toBeNull();
  });

  it("forgets a removed friend from the allow-list and last-seen memory (rule 11)", () => {
    const before = { ...DEFAULT_DURABLE_PRESENCE, visibleTo: [ALLOWED, HIDDEN], lastSeenBy: { [ALLOWED]: T1 } };
    expect(forgetViewer(before, ALLOWED)).toMatchObject({ visibleTo: [HIDDEN], lastSeenBy: {} });
  });
});

describe("fades (rule 5: hiding looks like disconnecting, timing included)", () => {
  const connected = (durable: typeof DEFAULT_DURABLE_PRESENCE) => state({ ...durable, online: true, connections: 1 });
  const inGrace = (durable: typeof DEFAULT_DURABLE_PRESENCE) => state({ ...durable, online: true, connections: 0 });

  it("keeps showing friends what they saw when the user turns invisible, until the fade ends", () => {
    const before = { ...DEFAULT_DURABLE_PRESENCE, status: "dnd" as const, message: "busy", visibleTo: [ALLOWED], lastSeen: T1 };
    const hid = choiceChanged(before, { status: "invisible", message: "secret" }, true, T2, T2_END);
    expect(viewOf(connected(hid), HIDDEN, EXACT)).toEqual({
      userId: T,
      status: "dnd",
      message: "busy",
      lastSeen: null,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
    expect(viewOf(connected(hid), ALLOWED, EXACT)).toEqual({
      userId: T,
      status: "online",
      message: "secret",
      lastSeen: null,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
    const ended = fadesEnded(hid, T2_END);
    expect(viewOf(connected(ended), HIDDEN, EXACT)).toEqual({
      userId: T,
      status: "offline",
      message: null,
      lastSeen: T2,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
  });

  it("fades only the friends dropped from the allow-list", () => {
    const before = { ...DEFAULT_DURABLE_PRESENCE, status: "invisible" as const, visibleTo: [ALLOWED, HIDDEN], message: "m" };
    const dropped = choiceChanged(before, { visibleTo: [ALLOWED] }, true, T2, T2_END);
    expect(viewOf(connected(dropped), HIDDEN, EXACT)).toEqual({
      userId: T,
      status: "online",
      message: "m",
      lastSeen: null,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
    expect(viewOf(connected(fadesEnded(dropped, T3)), HIDDEN, EXACT)).toEqual({
      userId: T,
      status: "offline",
      message: null,
      lastSeen: T2,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
  });

  it("during the grace shows what friends saw when the last connection ended, whatever changes meanwhile", () => {
    const invisible = { ...DEFAULT_DURABLE_PRESENCE, status: "invisible" as const, visibleTo: [ALLOWED], lastSeen: T1 };
    const ended = lastConnectionEnded(invisible, T2, T2_END);
    const back = choiceChanged(ended, { status: "online", message: "hi" }, false, T2_END, T3);
    expect(viewOf(inGrace(back), HIDDEN, EXACT)).toEqual({
      userId: T,
      status: "offline",
      message: null,
      lastSeen: T1,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
    expect(viewOf(inGrace(back), ALLOWED, EXACT)).toEqual({
      userId: T,
      status: "online",
      message: null,
      lastSeen: null,
      until: null,
      devices: [],
      lastSeenBucket: null,
    });
    expect(viewOf(inGrace(fadesEnded(back, T3)), HIDDEN, EXACT).lastSeen).toBe(T1);
    expect(viewOf(inGrace(fadesEnded(back, T3)), ALLOWED, EXACT).lastSeen).toBe(T2);
  });

  it("ends only the fades that are over, and a removed friend leaves every fade", () => {
    const hid = choiceChanged(DEFAULT_DURABLE_PRESENCE, { status: "invisible" }, true, T1, T2);
    const dropped = lastConnectionEnded({ ...hid, visibleTo: [ALLOWED] }, T2, T3);
    expect(fadesEnded(dropped, T2).fades).toHaveLength(1);
    expect(fadesEnded(dropped, T1)).toBe(dropped);
    const forgot = forgetViewer(dropped, HIDDEN);
    expect(viewOf(connected({ ...forgot, status: "invisible" }), HIDDEN, EXACT).status).toBe("offline");
    expect(forgetViewer(dropped, ALLOWED).fades.at(-1)?.only).toEqual([]);
  });
});

describe("devices and auto-away (§7.2, §9.2)", () => {
  const on = (devices: PresenceState["devices"], idle: boolean, overrides: Partial<PresenceState> = {}) =>
    state({ online: true, connections: devices.length, devices, idle, ...overrides });

  it("shows the kinds of device to viewers who see the chosen status, and none to anyone else", () => {
    const hidden = on(["desktop", "mobile"], false, { status: "invisible", visibleTo: [ALLOWED] });
    expect(viewOf(hidden, ALLOWED, EXACT)).toMatchObject({ status: "online", devices: ["desktop", "mobile"] });
    expect(viewOf(hidden, HIDDEN, EXACT)).toMatchObject({ status: "offline", devices: [] });
    expect(viewOf(on(["mobile"], false), HIDDEN, EXACT)).toMatchObject({ status: "online", devices: ["mobile"] });
  });

  it("shows a chosen online as away while every device is idle, and never changes another status", () => {
    expect(viewOf(on(["web"], true), HIDDEN, EXACT).status).toBe("away");
    expect(viewOf(on(["web", "mobile"], false), HIDDEN, EXACT).status).toBe("online");
    for (const status of ["away", "dnd"] as const) {
      expect(viewOf(on(["web"], true, { status }), HIDDEN, EXACT).status).toBe(status);
      expect(viewOf(on(["web"], false, { status }), HIDDEN, EXACT).status).toBe(status);
    }
    expect(viewOf(on(["web"], true, { status: "invisible", visibleTo: [ALLOWED] }), ALLOWED, EXACT).status).toBe("online");
    expect(viewOf(on(["web"], true, { status: "invisible", visibleTo: [ALLOWED] }), HIDDEN, EXACT).status).toBe("offline");
  });

  it("tells the user their devices and idleness, and keeps their own status the one they chose", () => {
    expect(ownViewOf(on(["desktop", "mobile"], true))).toMatchObject({ status: "online", devices: ["desktop", "mobile"], idle: true });
  });

  it("freezes the devices and the shown status into a fade: a last disconnect and a hide look the same", () => {
    const durable = { ...DEFAULT_DURABLE_PRESENCE, lastSeen: T1 };
    const disconnected = lastConnectionEnded(durable, T2, T2_END, { devices: ["mobile"], idle: true });
    const hid = choiceChanged(durable, { status: "invisible" }, true, T2, T2_END, { devices: ["mobile"], idle: true });
    const fading = viewOf(state({ ...disconnected, online: true, connections: 0 }), HIDDEN, EXACT);
    expect(fading).toEqual({
      userId: T,
      status: "away",
      message: null,
      lastSeen: null,
      until: null,
      devices: ["mobile"],
      lastSeenBucket: null,
    });
    // Whatever the invisible user's devices do meanwhile, the hidden viewer keeps the same view.
    expect(viewOf(on(["desktop", "web"], false, hid), HIDDEN, EXACT)).toEqual(fading);
    const over = { userId: T, status: "offline", message: null, lastSeen: T2, until: null, devices: [], lastSeenBucket: null };
    expect(viewOf(state(fadesEnded(settledOffline(disconnected, T2), T2_END)), HIDDEN, EXACT)).toEqual(over);
    expect(viewOf(on(["desktop"], true, fadesEnded(hid, T2_END)), HIDDEN, EXACT)).toEqual(over);
  });

  it("keeps viewers who see the same thing on one shared view, and apart when only the devices differ", () => {
    const durable = { ...DEFAULT_DURABLE_PRESENCE, status: "invisible" as const, visibleTo: [ALLOWED] };
    const hid = choiceChanged({ ...durable, status: "online" }, { status: "invisible" }, true, T2, T2_END, {
      devices: ["mobile"],
      idle: false,
    });
    const current = on(["web"], false, hid);
    expect(sharedViewOf(current, ALLOWED, EXACT)).toMatchObject({ status: "online", devices: ["web"] });
    expect(sharedViewOf(current, HIDDEN, EXACT)).toMatchObject({ status: "online", devices: ["mobile"] });
  });
});
