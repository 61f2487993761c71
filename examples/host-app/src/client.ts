/**
 * How one of the app's users reaches Herald: sign in with the app, then talk to Herald with the
 * app's token (stock tRPC client, WebSocket at /presence/trpc). The token is fetched again on
 * every reconnect, so a socket closed at the token's expiry (4401) comes back with a fresh one.
 */
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "@herald/presence";
import WebSocket from "ws";
import type { HostApp, LoginAnswer } from "./host-app.js";

export async function logIn(app: Pick<HostApp, "url">, username: string, password: string): Promise<LoginAnswer> {
  const response = await fetch(`${app.url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`login as ${username} failed: ${response.status}`);
  return (await response.json()) as LoginAnswer;
}

export interface HeraldSession {
  user: LoginAnswer["user"];
  herald: TRPCClient<AppRouter>;
  close(): Promise<void>;
}

/** Signs in with the app and opens a Herald connection (the user counts as online while it is open). */
export async function connectAs(app: Pick<HostApp, "url" | "heraldWsUrl">, username: string, password: string): Promise<HeraldSession> {
  const { user } = await logIn(app, username, password);
  const wsClient = createWSClient({
    url: app.heraldWsUrl,
    // Node 20 has no global WebSocket.
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: async () => ({ token: (await logIn(app, username, password)).token }),
  });
  const herald = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
  await herald.auth.me.query(); // the socket is authenticated: a connection now
  return { user, herald, close: () => wsClient.close() };
}
