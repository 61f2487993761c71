/**
 * useRequests: pending requests both ways, pushed by the server's `requests` event (nothing polls);
 * and useTRPC, for the calls that answer them.
 */
import { useMutation } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import { useFriends, useRequests, useTRPC } from "../src/index.js";
import { clientFor, harness, signUpUsers, stateWhere, useServer } from "./harness/client-harness.js";
import { renderWithClient } from "./harness/render.js";

const server = useServer();

function Requests() {
  const { incoming, outgoing } = useRequests();
  const friends = useFriends();
  const trpc = useTRPC();
  const accept = useMutation(trpc.friends.accept.mutationOptions());
  return (
    <div>
      <ul aria-label="Wants to be friends">
        {incoming.map((user) => (
          <li key={user.id}>
            {user.username}
            <button type="button" onClick={() => accept.mutate({ userId: user.id })}>
              Accept {user.username}
            </button>
          </li>
        ))}
      </ul>
      <p data-testid="sent">{outgoing.map((user) => user.username).join(", ") || "none sent"}</p>
      <p data-testid="friends">{friends.map((friend) => friend.username).join(", ") || "no friends"}</p>
    </div>
  );
}

describe("useRequests", () => {
  it("shows a request to its receiver in under a second, and accepting makes a friend", async () => {
    const [alice, bob] = await signUpUsers(server.current.id, ["alice", "bob"]);
    const aliceClient = clientFor(server.current.url, alice);
    const { screen } = renderWithClient(aliceClient, <Requests />);
    await stateWhere(aliceClient, "synced", (s) => s.synced);
    const incoming = screen.getByRole("list", { name: "Wants to be friends" });

    const sent = performance.now();
    await harness.requestFriend(bob.id, alice.id);
    await expect.element(incoming.getByText(bob.username)).toBeVisible();
    expect(performance.now() - sent).toBeLessThan(1_000);

    await userEvent.click(screen.getByRole("button", { name: `Accept ${bob.username}` }));
    await expect.element(screen.getByTestId("friends")).toHaveTextContent(bob.username);
    await expect.element(incoming.getByRole("listitem")).not.toBeInTheDocument();
  });

  it("shows your own requests, and takes one off when it is declined", async () => {
    const [alice, carol] = await signUpUsers(server.current.id, ["alice", "carol"]);
    const aliceClient = clientFor(server.current.url, alice);
    const { screen } = renderWithClient(aliceClient, <Requests />);
    await stateWhere(aliceClient, "synced", (s) => s.synced);

    await aliceClient.requestFriend(carol.username);
    await expect.element(screen.getByTestId("sent")).toHaveTextContent(carol.username);
    await harness.removeFriend(carol.id, alice.id);
    await expect.element(screen.getByTestId("sent")).toHaveTextContent("none sent");
    await expect.element(screen.getByTestId("friends")).toHaveTextContent("no friends");
  });
});
