/** useConnectionState and useSynced: what a person is told about the connection, as it changes. */
import { useRef } from "react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectionState, useSynced } from "../src/index.js";
import { clientFor, harness, useServer, type ServerInfo } from "./harness/client-harness.js";
import { renderWithClient } from "./harness/render.js";

// A server that can be restarted keeps its data in PostgreSQL.
const server = useServer({ restartable: true });

/** Every state shown so far, in order ("connecting, connected, …"), and whether the model is synced. */
function ConnectionHistory() {
  const connection = useConnectionState();
  const synced = useSynced();
  const seen = useRef<string[]>([]);
  if (seen.current.at(-1) !== connection.status) seen.current.push(connection.status);
  return (
    <>
      <p data-testid="history">{seen.current.join(", ")}</p>
      <p data-testid="synced">{synced ? "synced" : "loading"}</p>
    </>
  );
}

describe("useConnectionState", () => {
  it("shows connecting, connected, reconnecting while the server restarts, then connected again", async () => {
    const alice = await harness.signUp(server.current.id);
    const { screen } = renderWithClient(clientFor(server.current.url, alice), <ConnectionHistory />);
    await expect.element(screen.getByTestId("history")).toHaveTextContent(/^connecting, connected$/);
    await expect.element(screen.getByTestId("synced")).toHaveTextContent("synced");

    await harness.restartServer(server.current.id);
    await expect.element(screen.getByTestId("history")).toHaveTextContent(/^connecting, connected, reconnecting, connected$/);
    // The last known state stays on screen while reconnecting: no flash of "loading".
    await expect.element(screen.getByTestId("synced")).toHaveTextContent("synced");
  });

  it("shows unauthorized once the user signs out everywhere", async () => {
    const alice = await harness.signUp(server.current.id);
    const { screen } = renderWithClient(clientFor(server.current.url, alice), <ConnectionHistory />);
    await expect.element(screen.getByTestId("history")).toHaveTextContent(/connected$/);
    await harness.signOut(alice.id);
    await expect.element(screen.getByTestId("history")).toHaveTextContent(/connected, unauthorized$/);
  });

  describe("with one connection per user allowed", () => {
    let strict: ServerInfo;
    beforeAll(async () => {
      strict = await harness.startServer({ maxConnectionsPerUser: 1 });
    });
    afterAll(async () => {
      if (strict) await harness.stopServer(strict.id);
    });

    it("shows too_many_connections on a second device", async () => {
      const alice = await harness.signUp(strict.id);
      const first = renderWithClient(clientFor(strict.url, alice), <ConnectionHistory />);
      await expect.element(first.screen.getByTestId("history")).toHaveTextContent(/connected$/);
      const second = renderWithClient(clientFor(strict.url, alice), <ConnectionHistory />);
      await expect.element(second.screen.getByTestId("history")).toHaveTextContent(/too_many_connections$/);
      await expect.element(second.screen.getByTestId("synced")).toHaveTextContent("loading");
    });
  });
});
