/**
 * Signing in and up, over plain HTTP: they are the only calls made before there is a token, and a
 * WebSocket without a valid token is closed by the server (4401), so they never need the socket.
 */
import { createTRPCClient, httpLink } from "@trpc/client";
import type { AppRouter } from "@herald/presence";
import { trpcUrls } from "./urls.js";

export interface SignInOptions {
  /** The server's base URL, as for `createHeraldClient`. */
  url: string;
  username: string;
  password: string;
}

export interface Session {
  token: string;
  user: { id: string; username: string };
}

export function signIn({ url, username, password }: SignInOptions): Promise<Session> {
  return httpClient(url).auth.signIn.mutate({ username, password });
}

export function signUp({ url, username, password }: SignInOptions): Promise<Session> {
  return httpClient(url).auth.signUp.mutate({ username, password });
}

function httpClient(url: string) {
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: trpcUrls(url).http })] });
}
