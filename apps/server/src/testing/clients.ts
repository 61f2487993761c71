/** Herald users and devices for tests, speaking tRPC exactly as real clients do. */
import { randomBytes } from "node:crypto";
import { TRPCClientError, createTRPCClient, createWSClient, httpLink, wsLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "@herald/presence";
import WebSocket from "ws";
import { EventFeed } from "./event-feed.js";

export type HeraldClient = TRPCClient<AppRouter>;

export interface TestUser {
  id: string;
  username: string;
  token: string;
  /** Calls over HTTP: never counts as a connection. */
  http: HeraldClient;
}

export function httpClient(baseUrl: string, token?: string): HeraldClient {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${baseUrl}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });
}

let counter = 0;
export function uniqueUsername(prefix = "u"): string {
  return `${prefix}_${(counter++).toString(36)}_${randomBytes(3).toString("hex")}`;
}

export async function signUp(baseUrl: string, username = uniqueUsername()): Promise<TestUser> {
  const { token, user } = await httpClient(baseUrl).auth.signUp.mutate({ username, password: "correct horse" });
  return { ...user, token, http: httpClient(baseUrl, token) };
}

export async function befriend(a: TestUser, b: TestUser): Promise<void> {
  await a.http.friends.request.mutate({ username: b.username });
  await b.http.friends.accept.mutate({ userId: a.id });
}

export interface Device {
  client: HeraldClient;
  /** Present once `subscribe()` was called. */
  feed: EventFeed;
  /** Closes the socket: this connection ends. */
  close(): Promise<void>;
}

/**
 * Opens a WebSocket connection for the user and waits until the server counts it.
 * With `subscribe`, also starts `presence.onChange` and waits for its snapshot.
 */
export async function connect(
  wsUrl: string,
  user: TestUser,
  /** `device`: sent as `connectionParams.device` (docs/protocol.md §9.2); omitted, the server takes `web`. */
  options: { subscribe?: boolean; device?: string } = {},
): Promise<Device> {
  const { device } = options;
  const wsClient = createWSClient({
    url: wsUrl,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: () => (device === undefined ? { token: user.token } : { token: user.token, device }),
    retryDelayMs: () => 50,
  });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
  const feed = new EventFeed();
  // Any authenticated call proves the connection was registered (createContext ran).
  await client.auth.me.query();
  if (options.subscribe) {
    const subscription = client.presence.onChange.subscribe(undefined, {
      onData: (tracked) => feed.push(tracked.data),
      onError: (error) => feed.fail(error),
    });
    feed.onClose(() => subscription.unsubscribe());
    await feed.next("snapshot");
  }
  return {
    client,
    feed,
    close: async () => {
      feed.close();
      await wsClient.close();
    },
  };
}

/** The tRPC error (code and message) a call must end with; fails when the call succeeds. */
export async function errorOf(call: Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return { code: (error as TRPCClientError<AppRouter>).data?.code, message: error.message };
    throw error;
  }
  throw new Error("expected the call to fail");
}

/** The tRPC error code a call ends with, or "ok" when it succeeds. */
export async function codeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return (error as TRPCClientError<AppRouter>).data?.code;
    throw error;
  }
  return "ok";
}
