/** Statuses and messages that end by themselves (docs/protocol.md §9.1), as pure transitions and views. */
import { describe, expect, it } from "vitest";
import { choiceChanged, choicesEnded, nextChoiceEnd } from "../src/engine/transitions.js";
import { ownViewOf, viewOf, type ViewContext } from "../src/engine/visibility.js";
import { DEFAULT_DURABLE_PRESENCE, type DurablePresence, type PresenceState } from "../src/types.js";
import { presenceState } from "./fixtures/presence-state.js";

const EXACT: ViewContext = { now: Date.parse("2026-01-01T12:00:00.000Z"), viewerLevel: "friends", reciprocity: false };

const T = "00000000-0000-4000-8000-00000000000a";
const ALLOWED = "00000000-0000-4000-8000-00000000000b";
const HIDDEN = "00000000-0000-4000-8000-00000000000c";
const T1 = "2026-01-01T10:00:00.000Z";
const T1_GRACE = "2026-01-01T10:00:05.000Z";
const T2 = "2026-01-01T11:00:00.000Z";
const T3 = "2026-01-01T12:00:00.000Z";
const LATER = "2026-01-01T18:00:00.000Z";

function durable(overrides: Partial<DurablePresence> = {}): DurablePresence {
  return { ...DEFAULT_DURABLE_PRESENCE, ...overrides };
}

function connectedState(d: DurablePresence): PresenceState {
  return presenceState(T, { ...d, online: true, connections: 1, devices: ["web"] });
}

describe("choiceChanged with until", () => {
  const set = (before: DurablePresence, patch: Parameters<typeof choiceChanged>[1]) => choiceChanged(before, patch, true, T1, T1_GRACE);

  it("gives the end to the status and the message set in the same call", () => {
    expect(set(durable(), { status: "dnd", message: "focus", until: T2 })).toMatchObject({
      status: "dnd",
      statusUntil: T2,
      message: "focus",
      messageUntil: T2,
    });
    expect(set(durable(), { status: "dnd", until: T2 })).toMatchObject({ statusUntil: T2, messageUntil: null });
    expect(set(durable({ message: "kept", messageUntil: T3 }), { status: "away", until: T2 })).toMatchObject({
      statusUntil: T2,
      message: "kept",
      messageUntil: T3,
    });
    expect(set(durable({ status: "dnd", statusUntil: T3 }), { message: "lunch", until: T2 })).toMatchObject({
      status: "dnd",
      statusUntil: T3,
      messageUntil: T2,
    });
  });

  it("clears the end of a status or message set without one", () => {
    const before = durable({ status: "dnd", statusUntil: T2, message: "x", messageUntil: T2 });
    expect(set(before, { status: "away" })).toMatchObject({ statusUntil: null, messageUntil: T2 });
    expect(set(before, { message: "y" })).toMatchObject({ statusUntil: T2, messageUntil: null });
    expect(set(before, { status: "dnd", message: "z", until: null })).toMatchObject({ statusUntil: null, messageUntil: null });
  });

  it("with neither status nor message, changes when the current status ends", () => {
    const before = durable({ status: "invisible", statusUntil: T2, message: "x", messageUntil: T3 });
    expect(set(before, { until: LATER })).toMatchObject({ status: "invisible", statusUntil: LATER, messageUntil: T3 });
    expect(set(before, { until: null })).toMatchObject({ statusUntil: null, messageUntil: T3 });
  });

  it("gives online and no message nothing to end", () => {
    expect(set(durable(), { status: "online", message: "back at 3", until: T2 })).toMatchObject({ statusUntil: null, messageUntil: T2 });
    expect(set(durable(), { status: "dnd", message: null, until: T2 })).toMatchObject({ statusUntil: T2, messageUntil: null });
    expect(set(durable({ status: "dnd", statusUntil: T2 }), { until: T3, status: "online" }).statusUntil).toBeNull();
  });

  it("leaves both ends alone when only the allow-list changes", () => {
    const before = durable({ status: "invisible", statusUntil: T2, message: "x", messageUntil: T3 });
    expect(set(before, { visibleTo: [ALLOWED] })).toMatchObject({ statusUntil: T2, messageUntil: T3 });
  });
});

describe("choicesEnded", () => {
  it("returns its input when nothing is due", () => {
    const before = durable({ status: "dnd", statusUntil: T2, message: "x", messageUntil: T3 });
    expect(choicesEnded(before, T1, true, T1_GRACE)).toBe(before);
    const plain = durable();
    expect(choicesEnded(plain, T3, true, T1_GRACE)).toBe(plain);
  });

  it("turns a status whose end came back to online, keeping a message that ends later", () => {
    const before = durable({ status: "dnd", statusUntil: T2, message: "x", messageUntil: T3 });
    const after = choicesEnded(before, T2, true, T1_GRACE);
    expect(after).toMatchObject({ status: "online", statusUntil: null, message: "x", messageUntil: T3, fades: [] });
    // Done once: the same moment again changes nothing (a second server racing writes nothing).
    expect(choicesEnded(after, T2, true, T1_GRACE)).toBe(after);
  });

  it("clears a message whose end came, keeping a status that ends later", () => {
    const before = durable({ status: "away", statusUntil: T3, message: "lunch", messageUntil: T2 });
    expect(choicesEnded(before, T2, false, T1_GRACE)).toMatchObject({ status: "away", statusUntil: T3, message: null, messageUntil: null });
  });

  it("ends both when they share an end", () => {
    const before = durable({ status: "dnd", statusUntil: T2, message: "focus", messageUntil: T2 });
    expect(choicesEnded(before, T3, true, T1_GRACE)).toMatchObject({
      status: "online",
      statusUntil: null,
      message: null,
      messageUntil: null,
    });
  });

  it("ends a chosen away back to online: auto-away (live, §7.2) may show it as away again", () => {
    const before = durable({ status: "away", statusUntil: T2 });
    expect(choicesEnded(before, T2, true, T1_GRACE)).toMatchObject({ status: "online", statusUntil: null });
  });

  it("ends invisibility: every friend gains sight, nobody fades, no last seen moves", () => {
    const before = durable({ status: "invisible", statusUntil: T2, visibleTo: [ALLOWED], lastSeen: T1, lastSeenBy: { [ALLOWED]: T1 } });
    for (const connected of [true, false]) {
      const after = choicesEnded(before, T2, connected, T1_GRACE);
      expect(after).toMatchObject({ status: "online", fades: [], lastSeen: T1, lastSeenBy: { [ALLOWED]: T1 } });
    }
  });

  it("while the user is offline, an end changes nothing any friend sees (rule 5)", () => {
    const before = durable({
      status: "invisible",
      statusUntil: T2,
      message: "secret",
      messageUntil: T2,
      visibleTo: [ALLOWED],
      lastSeen: T1,
    });
    const after = choicesEnded(before, T2, false, T1_GRACE);
    const offline = (d: DurablePresence): PresenceState => presenceState(T, d);
    for (const viewer of [ALLOWED, HIDDEN]) expect(viewOf(offline(after), viewer, EXACT)).toEqual(viewOf(offline(before), viewer, EXACT));
  });
});

describe("until in the views", () => {
  it("is shown to viewers who see the chosen status, and never for invisible", () => {
    const dnd = connectedState(durable({ status: "dnd", statusUntil: T2 }));
    expect(viewOf(dnd, HIDDEN, EXACT)).toMatchObject({ status: "dnd", until: T2 });
    const invisible = connectedState(durable({ status: "invisible", statusUntil: T2, visibleTo: [ALLOWED] }));
    expect(viewOf(invisible, ALLOWED, EXACT)).toMatchObject({ status: "online", until: null });
    expect(viewOf(invisible, HIDDEN, EXACT)).toMatchObject({ status: "offline", until: null });
    expect(viewOf({ ...dnd, online: false, connections: 0 }, HIDDEN, EXACT)).toMatchObject({ status: "offline", until: null });
  });

  it("is the user's own, with the message's end", () => {
    const own = ownViewOf(connectedState(durable({ status: "invisible", statusUntil: T2, message: "x", messageUntil: T3 })));
    expect(own).toMatchObject({ status: "invisible", until: T2, messageUntil: T3 });
  });

  it("a friend who fades keeps seeing the end they saw", () => {
    const before = durable({ status: "dnd", statusUntil: T2 });
    const hid = choiceChanged(before, { status: "invisible" }, true, T1, T1_GRACE);
    expect(hid.fades).toMatchObject([{ status: "dnd", statusUntil: T2 }]);
    expect(viewOf(connectedState(hid), HIDDEN, EXACT)).toMatchObject({ status: "dnd", until: T2 });
  });
});

describe("nextChoiceEnd", () => {
  it("is the earlier of the two ends, or null", () => {
    expect(nextChoiceEnd(durable())).toBeNull();
    expect(nextChoiceEnd(durable({ statusUntil: T3, messageUntil: T2 }))).toBe(T2);
    expect(nextChoiceEnd(durable({ statusUntil: T2 }))).toBe(T2);
    expect(nextChoiceEnd(durable({ messageUntil: T3 }))).toBe(T3);
  });
});
