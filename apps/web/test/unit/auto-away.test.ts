/**
 * The auto-away reducer the page runs (through useAutoAway). The code now lives in @herald/client; these tests
 * came with it from the web app and belong beside it (packages/client/test) once its owner takes them.
 */
import { describe, expect, it } from "vitest";
import { autoAwayReducer, INITIAL_AUTO_AWAY, type AutoAwayEvent, type AutoAwayState } from "@herald/client";

/** Runs events through the reducer; returns the final state and every command issued. */
function run(events: AutoAwayEvent[], from: AutoAwayState = INITIAL_AUTO_AWAY) {
  const commands: string[] = [];
  let state = from;
  for (const event of events) {
    const result = autoAwayReducer(state, event);
    state = result.state;
    if (result.command) commands.push(result.command);
  }
  return { state, commands };
}

const known = (status: "online" | "away" | "dnd" | "invisible"): AutoAwayEvent => ({ type: "status-known", status });

describe("auto-away (the page's half; the server decides what an idle or active signal does)", () => {
  it("reports idle when an online user stops, and active when they are back", () => {
    const { commands } = run([known("online"), { type: "idle" }, known("away"), { type: "activity" }]);
    expect(commands).toEqual(["idle", "active"]);
  });

  it("treats a hidden tab like idleness, and showing it like input", () => {
    const { commands } = run([known("online"), { type: "hidden" }, known("away"), { type: "visible" }]);
    expect(commands).toEqual(["idle", "active"]);
  });

  it("needs both: no return while still hidden, however much input arrives", () => {
    const { commands } = run([
      known("online"),
      { type: "hidden" },
      known("away"),
      { type: "activity" },
      { type: "idle" },
      { type: "activity" },
    ]);
    expect(commands).toEqual(["idle"]);
  });

  it("reports idle once, not again for each way of being absent", () => {
    const { commands } = run([known("online"), { type: "idle" }, { type: "hidden" }, { type: "idle" }]);
    expect(commands).toEqual(["idle"]);
  });

  it.each(["dnd", "invisible"] as const)("never reports anything while the status is %s", (status) => {
    const { commands } = run([known(status), { type: "idle" }, { type: "activity" }, { type: "hidden" }, { type: "visible" }]);
    expect(commands).toEqual([]);
  });

  it("asks once to come back from an away it learns of (another device idled; the server undoes only an automatic one)", () => {
    const { commands } = run([known("online"), known("away"), { type: "activity" }, { type: "activity" }, { type: "visible" }]);
    expect(commands).toEqual(["active"]);
  });

  it("never asks to come back from an away the user picked on this page", () => {
    const { commands } = run([known("online"), { type: "status-chosen", status: "away" }, known("away"), { type: "activity" }]);
    expect(commands).toEqual([]);
  });

  it("asks again after a failed ask, on the next input", () => {
    const { commands } = run([known("away"), { type: "ask-failed" }, { type: "activity" }]);
    expect(commands).toEqual(["active", "active"]);
  });

  it("asks again for a later away once the status changed in between", () => {
    const { commands } = run([known("away"), known("online"), { type: "idle" }, known("away"), { type: "activity" }]);
    expect(commands).toEqual(["active", "idle", "active"]);
  });

  it("does not bounce: status news alone never triggers a command once the page knows its status", () => {
    const { commands } = run([known("online"), { type: "hidden" }, known("away"), known("online"), known("away"), known("online")]);
    expect(commands).toEqual(["idle"]);
  });

  it("judges the first status a page learns: a reload while away asks to come back, a background tab reports idle", () => {
    expect(run([known("away")]).commands).toEqual(["active"]);
    expect(run([known("online")], { ...INITIAL_AUTO_AWAY, hidden: true }).commands).toEqual(["idle"]);
  });

  it("does nothing before it knows the chosen status", () => {
    const { commands } = run([{ type: "idle" }, { type: "activity" }, { type: "hidden" }]);
    expect(commands).toEqual([]);
  });
});
