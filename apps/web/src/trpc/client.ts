/**
 * The tRPC client for one session.
 *
 * Why a splitLink and not wsLink for everything: on Herald the WebSocket *is* the user's
 * presence. A socket counts as a connection only with a valid token, and the server closes a
 * socket without one (code 4401), so signing up and signing in — the only calls made before
 * there is a token — go over plain HTTP, and a signed-out page opens no socket at all. Once
 * signed in, every other call (queries, mutations, the `presence.onChange` subscription and
 * the heartbeat) shares the one socket: heartbeats must travel on the connection they keep
 * alive, every call over it counts as "heard from", and one socket per tab is exactly one
 * connection in docs/protocol.md terms.
 */
import { createTRPCClient, createWSClient, httpLink, splitLink, wsLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "@herald/presence";
import { CLOSE_UNAUTHORIZED } from "@herald/protocol";
import { trpcHttpUrl, trpcWsUrl } from "./urls";

/** Calls that work without a session, and so must not need the socket. */
const SESSIONLESS_PATHS = new Set(["auth.signUp", "auth.signIn"]);

export type HeraldWsClient = ReturnType<typeof createWSClient>;

export interface HeraldClient {
  trpc: TRPCClient<AppRouter>;
  /** Null when signed out. */
  ws: HeraldWsClient | null;
  /** The close code of the socket's last drop (read when its state turns to reconnecting). */
  lastCloseCode(): number | null;
  close(): void;
}

export interface SessionCallbacks {
  /** The server refused the token: the session is over. */
  onUnauthorized(): void;
}

/** A quick first retry (most drops are brief), then backing off to 10 s, with jitter. */
export function reconnectDelayMs(attempt: number): number {
  if (attempt === 0) return 0;
  const base = Math.min(500 * 2 ** (attempt - 1), 10_000);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

export function createHeraldClient(token: string | null, callbacks: SessionCallbacks): HeraldClient {
  const http = httpLink({ url: trpcHttpUrl(window.location) });
  if (!token) {
    return { trpc: createTRPCClient<AppRouter>({ links: [http] }), ws: null, lastCloseCode: () => null, close() {} };
  }
  let lastCloseCode: number | null = null;
  const ws = createWSClient({
    url: () => trpcWsUrl(window.location),
    connectionParams: () => ({ token }),
    retryDelayMs: reconnectDelayMs,
    // Our own pings find a half-open socket (laptop lid, lost Wi-Fi) within ~15 s, so the
    // "reconnecting…" notice shows up and the socket is replaced; the server pings us as well.
    keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 5_000 },
    onClose(cause) {
      lastCloseCode = cause?.code ?? null;
      if (cause?.code === CLOSE_UNAUTHORIZED) callbacks.onUnauthorized();
    },
  });
  const trpc = createTRPCClient<AppRouter>({
    links: [splitLink({ condition: (op) => SESSIONLESS_PATHS.has(op.path), true: http, false: wsLink<AppRouter>({ client: ws }) })],
  });
  return { trpc, ws, lastCloseCode: () => lastCloseCode, close: () => void ws.close() };
}
