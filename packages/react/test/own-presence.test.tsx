/** useOwnPresence: your own presence as you see it, its setters, and your other devices. */
import { describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import { useOwnPresence } from "../src/index.js";
import { clientFor, harness, useServer } from "./harness/client-harness.js";
import { renderWithClient } from "./harness/render.js";

const server = useServer();

function OwnStatusCard({ message = "on the train" }: { message?: string }) {
  const { own, setStatus, setMessage, setIdle } = useOwnPresence();
  if (!own) return <p>loading</p>;
  const error = setStatus.error ?? setMessage.error;
  return (
    <div>
      <p data-testid="own">{`${own.status}${own.idle ? " (idle)" : ""}${own.message ? ` "${own.message}"` : ""} on ${own.connections}`}</p>
      <button type="button" onClick={() => setStatus.mutate({ status: "dnd" })}>
        Do not disturb
      </button>
      <button type="button" onClick={() => setMessage.mutate(message)}>
        Set message
      </button>
      <button type="button" onClick={() => setIdle.mutate(true)}>
        Idle here
      </button>
      {error ? <p role="alert">{error.message}</p> : null}
    </div>
  );
}

describe("useOwnPresence", () => {
  it("shows your presence, sets it, and follows what your other devices set", async () => {
    const alice = await harness.signUp(server.current.id);
    const { screen } = renderWithClient(clientFor(server.current.url, alice), <OwnStatusCard />);
    const own = screen.getByTestId("own");
    await expect.element(own).toHaveTextContent(/^online on 1$/);

    await userEvent.click(screen.getByRole("button", { name: "Do not disturb" }));
    await expect.element(own).toHaveTextContent(/^dnd on 1$/);

    const phone = clientFor(server.current.url, alice);
    await expect.element(own).toHaveTextContent(/^dnd on 2$/);
    await phone.setStatus("away", { message: "walking" });
    await expect.element(own).toHaveTextContent(/^away "walking" on 2$/);
  });

  it("sets the message alone, and shows idleness beside the status you chose (§7.2: idle is per device)", async () => {
    const alice = await harness.signUp(server.current.id);
    const phone = clientFor(server.current.url, alice);
    const { screen } = renderWithClient(clientFor(server.current.url, alice), <OwnStatusCard />);
    const own = screen.getByTestId("own");
    await expect.element(own).toHaveTextContent(/^online on 2$/);
    await phone.setIdle(true);
    await userEvent.click(screen.getByRole("button", { name: "Idle here" }));
    await expect.element(own).toHaveTextContent(/^online \(idle\) on 2$/);

    await userEvent.click(screen.getByRole("button", { name: "Set message" }));
    await expect.element(own).toHaveTextContent(/^online \(idle\) "on the train" on 2$/);
    await phone.setIdle(false);
    await expect.element(own).toHaveTextContent(/^online "on the train" on 2$/);
  });

  it("passes until through: the status ends by itself, and the hook follows", async () => {
    function AwayForAMoment() {
      const { own, setStatus } = useOwnPresence();
      if (!own) return <p>loading</p>;
      return (
        <div>
          <p data-testid="own">{`${own.status} until ${own.until ?? "changed"}`}</p>
          <button type="button" onClick={() => setStatus.mutate({ status: "away", until: new Date(Date.now() + 1_500) })}>
            Away for a moment
          </button>
        </div>
      );
    }
    const alice = await harness.signUp(server.current.id);
    const { screen } = renderWithClient(clientFor(server.current.url, alice), <AwayForAMoment />);
    const own = screen.getByTestId("own");
    await expect.element(own).toHaveTextContent(/^online until changed$/);
    await userEvent.click(screen.getByRole("button", { name: "Away for a moment" }));
    await expect.element(own).toHaveTextContent(/^away until \d{4}-\d\d-\d\dT/);
    await expect.element(own, { timeout: 5_000 }).toHaveTextContent(/^online until changed$/);
  });

  it("says what is wrong when the server refuses a change", async () => {
    const alice = await harness.signUp(server.current.id);
    const { screen } = renderWithClient(clientFor(server.current.url, alice), <OwnStatusCard message={"x".repeat(200)} />);
    await expect.element(screen.getByTestId("own")).toHaveTextContent(/^online/);
    await userEvent.click(screen.getByRole("button", { name: "Set message" }));
    await expect.element(screen.getByRole("alert")).toHaveTextContent(/message/i);
    await expect.element(screen.getByTestId("own")).toHaveTextContent(/^online on 1$/);
  });
});
