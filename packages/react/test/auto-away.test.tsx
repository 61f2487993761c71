/**
 * useAutoAway: a page left alone reports its connection idle (the user's own `idle`, and away for
 * friends, when it is their only device); input reports it active again; a chosen status stays.
 */
import { describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import { useAutoAway, useOwnPresence } from "../src/index.js";
import { clientFor, harness, useServer } from "./harness/client-harness.js";
import { renderWithClient } from "./harness/render.js";

const server = useServer();
const IDLE_MS = 600;

function AutoAwayStatus() {
  useAutoAway({ idleMs: IDLE_MS });
  const { own, setStatus } = useOwnPresence();
  return (
    <div>
      <p data-testid="own">{own ? `${own.status}${own.idle ? " idle" : ""}` : "…"}</p>
      <button type="button" onClick={() => setStatus.mutate({ status: "dnd" })}>
        Do not disturb
      </button>
    </div>
  );
}

describe("useAutoAway", () => {
  it("reports the page idle when left alone, and active on input; never changes a chosen dnd", async () => {
    const alice = await harness.signUp(server.current.id);
    const { screen } = renderWithClient(clientFor(server.current.url, alice), <AutoAwayStatus />);
    const own = screen.getByTestId("own");
    await expect.element(own).toHaveTextContent("online idle");

    await userEvent.hover(own);
    await expect.element(own).toHaveTextContent(/^online$/);
    await expect.element(own).toHaveTextContent("online idle");

    await userEvent.click(screen.getByRole("button", { name: "Do not disturb" }));
    await expect.element(own).toHaveTextContent(/^dnd/);
    // Nothing happening makes nothing to wait for: leave the page alone for twice the idle time.
    const idleSince = performance.now();
    await expect.poll(() => performance.now() - idleSince > 2 * IDLE_MS, { interval: 100 }).toBe(true);
    expect((await harness.ownPresence(alice.id)).status).toBe("dnd");
    await expect.element(own).toHaveTextContent("dnd");
  });
});
