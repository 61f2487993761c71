/** Herald users driven from Node (no browser): for setting a scene around the browser under test. */
import { createTRPCClient, createWSClient, httpLink, wsLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "@herald/presence";
import WebSocket from "ws";
import { PASSWORD } from "./app";

export type ApiClient = TRPCClient<AppRouter>;

export interface ApiUser {
  id: string;
  username: string;
  token: string;
  /** Over HTTP: never counts as a connection. */
  http: ApiClient;
}

function httpClient(baseUrl: string, token?: string): ApiClient {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${baseUrl}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });
}

export async function apiSignUp(baseUrl: string, username: string): Promise<ApiUser> {
  const { token, user } = await httpClient(baseUrl).auth.signUp.mutate({ username, password: PASSWORD });
  return { ...user, token, http: httpClient(baseUrl, token) };
}

/** Another device of a user who signed up elsewhere (e.g. in a browser). */
export async function apiSignIn(baseUrl: string, username: string): Promise<ApiUser> {
  const { token, user } = await httpClient(baseUrl).auth.signIn.mutate({ username, password: PASSWORD });
  return { ...user, token, http: httpClient(baseUrl, token) };
}

export async function apiBefriend(a: ApiUser, b: ApiUser): Promise<void> {
  await a.http.friends.request.mutate({ username: b.username });
  await b.http.friends.accept.mutate({ userId: a.id });
}

/**
 * A live WebSocket connection of the user (a "device", of the kind `device` says when given);
 * resolves once the server counts it.
 */
export async function apiConnect(
  baseUrl: string,
  user: ApiUser,
  device?: "web" | "desktop" | "mobile",
): Promise<{ client: ApiClient; close(): Promise<void> }> {
  const ws = createWSClient({
    url: `${baseUrl.replace(/^http/, "ws")}/trpc`,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: () => (device ? { token: user.token, device } : { token: user.token }),
  });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  await client.presence.heartbeat.mutate();
  return { client, close: () => ws.close() };
}
