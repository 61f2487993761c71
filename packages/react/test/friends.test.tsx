/** useFriends and usePresence: friends as a person sees them, sorted, changing live. */
import { describe, expect, it } from "vitest";
import { useFriends, useOwnPresence, usePresence } from "../src/index.js";
import { clientFor, harness, signUpUsers, stateWhere, useServer } from "./harness/client-harness.js";
import { renderWithClient } from "./harness/render.js";

const server = useServer();

/** The list as text, in its order: "bob online, carol dnd". */
function FriendList({ onRender }: { onRender?: () => void }) {
  onRender?.();
  const friends = useFriends();
  return <p data-testid="friends">{friends.map((f) => `${f.username} ${f.presence.status}`).join(", ") || "no friends"}</p>;
}

function FriendPresence({ userId }: { userId: string }) {
  const presence = usePresence(userId);
  if (!presence) return <p data-testid="presence">not a friend</p>;
  const seen = presence.lastSeen ? " (last seen)" : "";
  return <p data-testid="presence">{`${presence.status}${presence.message ? ` "${presence.message}"` : ""}${seen}`}</p>;
}

function OwnStatus() {
  return <p data-testid="own">{useOwnPresence().own?.status ?? "…"}</p>;
}

describe("useFriends", () => {
  it("lists friends who is around first, and follows them as they come, change and go", async () => {
    const [alice, bob, carol] = await signUpUsers(server.current.id, ["alice", "bob", "carol"]);
    await harness.requestFriend(bob.id, alice.id, true);
    await harness.requestFriend(carol.id, alice.id, true);
    const { screen } = renderWithClient(clientFor(server.current.url, alice), <FriendList />);
    const list = screen.getByTestId("friends");
    // Neither has ever connected: offline, by name.
    const byName = [bob, carol].sort((a, b) => a.username.localeCompare(b.username));
    await expect.element(list).toHaveTextContent(`${byName[0]!.username} offline, ${byName[1]!.username} offline`);

    const carolClient = clientFor(server.current.url, carol);
    await carolClient.setStatus("dnd");
    await expect.element(list).toHaveTextContent(`${carol.username} dnd, ${bob.username} offline`);

    const bobClient = clientFor(server.current.url, bob);
    await expect.element(list).toHaveTextContent(`${bob.username} online, ${carol.username} dnd`);
    await bobClient.setStatus("away");
    await expect.element(list).toHaveTextContent(`${bob.username} away, ${carol.username} dnd`);

    await carolClient.close();
    await expect.element(list).toHaveTextContent(`${bob.username} away, ${carol.username} offline`);
    await harness.removeFriend(bob.id, alice.id);
    await expect.element(list).toHaveTextContent(`${carol.username} offline`, { normalizeWhitespace: true });
    await expect.element(list).not.toHaveTextContent(bob.username);
  });

  it("does not re-render the list for a change that is not about friends", async () => {
    const [alice, bob] = await signUpUsers(server.current.id, ["alice", "bob"]);
    await harness.requestFriend(bob.id, alice.id, true);
    const aliceClient = clientFor(server.current.url, alice);
    let renders = 0;
    const { screen } = renderWithClient(
      aliceClient,
      <>
        <FriendList onRender={() => renders++} />
        <OwnStatus />
      </>,
    );
    await stateWhere(aliceClient, "synced", (s) => s.synced);
    await expect.element(screen.getByTestId("friends")).toHaveTextContent(`${bob.username} offline`);
    await expect.element(screen.getByTestId("own")).toHaveTextContent("online");
    const before = renders;

    await aliceClient.setStatus("dnd");
    await expect.element(screen.getByTestId("own")).toHaveTextContent("dnd");
    expect(renders).toBe(before);
  });
});

describe("usePresence", () => {
  it("shows one friend's presence live, and nothing for someone who is not a friend", async () => {
    const [alice, bob, stranger] = await signUpUsers(server.current.id, ["alice", "bob", "stranger"]);
    await harness.requestFriend(bob.id, alice.id, true);
    const aliceClient = clientFor(server.current.url, alice);
    const { screen } = renderWithClient(
      aliceClient,
      <>
        <div data-testid="bob">
          <FriendPresence userId={bob.id} />
        </div>
        <div data-testid="stranger">
          <FriendPresence userId={stranger.id} />
        </div>
      </>,
    );
    const bobShown = screen.getByTestId("bob");
    await expect.element(bobShown).toHaveTextContent(/^offline$/);

    const bobClient = clientFor(server.current.url, bob);
    await expect.element(bobShown).toHaveTextContent(/^online$/);
    await bobClient.setStatus("away", { message: "lunch" });
    await expect.element(bobShown).toHaveTextContent(/^away "lunch"$/);
    await bobClient.close();
    // Offline views carry no message, and say when they were last seen.
    await expect.element(bobShown).toHaveTextContent(/^offline \(last seen\)$/);

    await clientFor(server.current.url, stranger).setStatus("online");
    await expect.element(screen.getByTestId("stranger")).toHaveTextContent("not a friend");
  });
});
