/** HeraldProvider: a client made from options is the provider's (made once, closed on unmount); a client given is not. */
import { QueryClient, useQuery } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { HeraldClient } from "@herald/client";
import { HeraldProvider, useConnectionState, useHeraldClient, useTRPC } from "../src/index.js";
import { clientFor, harness, signUpUsers, useServer } from "./harness/client-harness.js";
import { render } from "./harness/render.js";

const server = useServer();

/** Who the server says we are (`auth.me` through useTRPC, over the client's socket), and the connection. */
function Whoami({ onClient }: { onClient?: (client: HeraldClient) => void }) {
  onClient?.(useHeraldClient());
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  return <p data-testid="me">{`${me.data?.username ?? "…"} ${useConnectionState().status}`}</p>;
}

const connectionsOf = async (userId: string) => (await harness.ownPresence(userId)).connections;

describe("HeraldProvider", () => {
  it("makes a client from options once, and closes it when unmounted", async () => {
    const alice = await harness.signUp(server.current.id);
    const clients = new Set<HeraldClient>();
    const queryClient = new QueryClient();
    const tree = () => (
      // A new options object on every render, as an app would write it: equal options are one client.
      <HeraldProvider options={{ url: server.current.url, token: alice.token }} queryClient={queryClient}>
        <Whoami onClient={(client) => clients.add(client)} />
      </HeraldProvider>
    );
    const { screen, rerender, unmount } = render(tree());
    await expect.element(screen.getByTestId("me")).toHaveTextContent(`${alice.username} connected`);
    rerender(tree());
    await expect.poll(() => connectionsOf(alice.id)).toBe(1);
    expect(clients.size).toBe(1);

    unmount();
    await expect.poll(() => connectionsOf(alice.id)).toBe(0);
  });

  it("makes a new client for a new token, and closes the old one", async () => {
    const [alice, bob] = await signUpUsers(server.current.id, ["alice", "bob"]);
    // One QueryClient per signed-in user, so nothing cached for one is shown to the next.
    const tree = (token: string) => (
      <HeraldProvider options={{ url: server.current.url, token }} queryClient={new QueryClient()}>
        <Whoami />
      </HeraldProvider>
    );
    const { screen, rerender } = render(tree(alice.token));
    await expect.element(screen.getByTestId("me")).toHaveTextContent(`${alice.username} connected`);

    rerender(tree(bob.token));
    await expect.element(screen.getByTestId("me")).toHaveTextContent(`${bob.username} connected`);
    await expect.poll(() => connectionsOf(alice.id)).toBe(0);
    expect(await connectionsOf(bob.id)).toBe(1);
  });

  it("leaves a client it was given open when unmounted: its owner closes it", async () => {
    const alice = await harness.signUp(server.current.id);
    const client = clientFor(server.current.url, alice);
    const { screen, unmount } = render(
      <HeraldProvider client={client} queryClient={new QueryClient()}>
        <Whoami />
      </HeraldProvider>,
    );
    await expect.element(screen.getByTestId("me")).toHaveTextContent(`${alice.username} connected`);
    unmount();
    await client.setStatus("dnd");
    expect(client.getConnection().status).toBe("connected");
    expect(await connectionsOf(alice.id)).toBe(1);
  });
});
