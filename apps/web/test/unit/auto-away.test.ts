import { describe, expect, it } from "vitest";
import { autoAwayReducer, INITIAL_AUTO_AWAY, type AutoAwayEvent, type AutoAwayState } from "../../src/presence/auto-away";

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

describe("auto-away", () => {
  it("makes an online user away when idle, and online again on input", () => {
    const { commands, state } = run([known("online"), { type: "idle" }, known("away"), { type: "activity" }]);
    expect(commands).toEqual(["away", "online"]);
    expect(state).toMatchObject({ chosen: "online", autoAway: false, idle: false });
  });

  it("treats a hidden tab like idleness, and showing it like input", () => {
    const { commands } = run([known("online"), { type: "hidden" }, { type: "visible" }]);
    expect(commands).toEqual(["away", "online"]);
  });

  it("needs both: no return while still hidden, however much input arrives", () => {
    const { commands } = run([known("online"), { type: "hidden" }, { type: "activity" }, { type: "idle" }, { type: "activity" }]);
    expect(commands).toEqual(["away"]);
  });

  it("goes away once, not again for each way of being absent", () => {
    const { commands } = run([known("online"), { type: "idle" }, { type: "hidden" }, { type: "idle" }]);
    expect(commands).toEqual(["away"]);
  });

  it.each(["dnd", "invisible", "away"] as const)("never overrides a manual %s", (status) => {
    const { commands } = run([known(status), { type: "idle" }, { type: "activity" }, { type: "hidden" }, { type: "visible" }]);
    expect(commands).toEqual([]);
  });

  it("stands down when the user picks a status while auto-away", () => {
    const { commands } = run([known("online"), { type: "idle" }, { type: "status-chosen", status: "away" }, { type: "activity" }]);
    expect(commands).toEqual(["away"]);
  });

  it("stands down when another device changes the status while auto-away", () => {
    const { commands } = run([known("online"), { type: "idle" }, known("dnd"), { type: "activity" }]);
    expect(commands).toEqual(["away"]);
  });

  it("does not bounce: status news never triggers a command once the page knows its status", () => {
    // Another tab restored `online` while this one sits hidden: this tab must not go away again.
    const { commands } = run([known("online"), { type: "hidden" }, known("away"), known("online"), known("away"), known("online")]);
    expect(commands).toEqual(["away"]);
  });

  it("brings the user back through any tab once another tab set auto-away (shared flag)", () => {
    const otherTab = run([known("online"), known("away"), { type: "shared-flag", autoAway: true }, { type: "activity" }]);
    expect(otherTab.commands).toEqual(["online"]);
  });

  it("judges the first status a page learns: a reload after auto-away comes back at once", () => {
    const reloaded = run([known("away")], { ...INITIAL_AUTO_AWAY, autoAway: true });
    expect(reloaded.commands).toEqual(["online"]);
    const openedInBackground = run([known("online")], { ...INITIAL_AUTO_AWAY, hidden: true });
    expect(openedInBackground.commands).toEqual(["away"]);
  });

  it("clears the shared flag when the status turns out not to be away", () => {
    const { state } = run([known("online")], { ...INITIAL_AUTO_AWAY, autoAway: true });
    expect(state.autoAway).toBe(false);
  });

  it("does nothing before it knows the chosen status", () => {
    const { commands } = run([{ type: "idle" }, { type: "activity" }, { type: "hidden" }]);
    expect(commands).toEqual([]);
  });
});
