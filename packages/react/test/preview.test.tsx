/** usePreview and the last-seen setter: "See as" follows your own changes (docs/protocol.md §9.3, §9.4). */
import { describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import { useOwnPresence, usePreview } from "../src/index.js";
import { clientFor, harness, useServer } from "./harness/client-harness.js";
import { renderWithClient } from "./harness/render.js";

const server = useServer();

function SeeAs({ friendId }: { friendId: string }) {
  const { own, setLastSeenPrivacy, setStatus } = useOwnPresence();
  const preview = usePreview(friendId);
  return (
    <div>
      <p data-testid="level">{own?.lastSeenPrivacy.level ?? "unknown"}</p>
      <p data-testid="view">{preview.data ? `${preview.data.view.status}: ${preview.data.reasons.join("; ")}` : "loading"}</p>
      <button type="button" onClick={() => setLastSeenPrivacy.mutate({ level: "nobody" })}>
        Hide last seen
      </button>
      <button type="button" onClick={() => setStatus.mutate({ status: "invisible" })}>
        Invisible
      </button>
    </div>
  );
}

describe("usePreview", () => {
  it("shows what a friend sees of you, and asks again when you change", async () => {
    const alice = await harness.signUp(server.current.id);
    const bob = await harness.signUp(server.current.id);
    await harness.requestFriend(alice.id, bob.id, true);
    const { screen } = renderWithClient(clientFor(server.current.url, alice), <SeeAs friendId={bob.id} />);
    await expect.element(screen.getByTestId("view")).toHaveTextContent("online: you are connected");

    await userEvent.click(screen.getByRole("button", { name: "Hide last seen" }));
    await expect.element(screen.getByTestId("level")).toHaveTextContent("nobody");
    await userEvent.click(screen.getByRole("button", { name: "Invisible" }));
    // Bob first still sees Alice as she was (the offline grace), then offline, never her last seen.
    await expect
      .element(screen.getByTestId("view"), { timeout: 10_000 })
      .toHaveTextContent("offline: you are invisible; not on your allow-list; nobody sees your last seen");
  });
});
