/**
 * The auto-away reducer the page runs (through useAutoAway). The code now lives in @herald/client; these tests
 * came with it from the web app and belong beside it (packages/client/test) once its owner takes them.
 * The page reports its own connection's idleness (docs/protocol.md §7.2); the server combines every
 * connection of the user and never changes a chosen status, so statuses play no part here.
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

describe("auto-away (the page's half: this connection idle or not)", () => {
  it("reports idle when the user stops, and active when they are back", () => {
    expect(run([{ type: "idle" }, { type: "activity" }]).commands).toEqual(["idle", "active"]);
  });

  it("treats a hidden tab like idleness, and showing it like input", () => {
    expect(run([{ type: "hidden" }, { type: "visible" }]).commands).toEqual(["idle", "active"]);
  });

  it("needs both: no return while still hidden, however much input arrives", () => {
    const { commands } = run([{ type: "hidden" }, { type: "activity" }, { type: "idle" }, { type: "activity" }]);
    expect(commands).toEqual(["idle"]);
  });

  it("reports each edge once, not again for each way of being absent or present", () => {
    const { commands } = run([{ type: "idle" }, { type: "hidden" }, { type: "idle" }, { type: "visible" }, { type: "activity" }]);
    expect(commands).toEqual(["idle", "active"]);
  });

  it("says nothing while nothing changes: a present page starts active, as the server counts it", () => {
    expect(run([{ type: "activity" }, { type: "visible" }, { type: "connected" }]).commands).toEqual([]);
  });

  it("tells a new connection that the user is away from this page (it starts active)", () => {
    expect(run([{ type: "hidden" }, { type: "connected" }, { type: "connected" }]).commands).toEqual(["idle", "idle", "idle"]);
    expect(run([{ type: "connected" }], { ...INITIAL_AUTO_AWAY, hidden: true }).commands).toEqual(["idle"]);
  });

  it("tells the server again after a failed report, on the next event", () => {
    const { commands } = run([{ type: "idle" }, { type: "ask-failed" }, { type: "idle" }, { type: "activity" }]);
    expect(commands).toEqual(["idle", "idle", "active"]);
  });
});
