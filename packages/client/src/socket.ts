/**
 * The client's one WebSocket (tRPC's `createWSClient`) and the connection state it is in.
 *
 * The socket being open is not yet "connected": the server authenticates it from the
 * `connectionParams` that follow, and refuses it with 4401 (no valid session) or 4429 (too many
 * connections) after the socket opened. So "connected" is declared by the feed, when the server
 * has started our subscription on this socket (`markLive`); close codes decide the rest.
 */
import { createWSClient } from "@trpc/client";
import { CLOSE_TOO_MANY_CONNECTIONS, CLOSE_UNAUTHORIZED } from "@herald/protocol";
import type { Device, TokenSource, WebSocketConstructor } from "./api.js";
import type { ConnectionState } from "./connection-state.js";
import { reconnectDelayMs, refusedDelayMs } from "./reconnect-delay.js";

export type WsClient = ReturnType<typeof createWSClient>;

/** Our own pings find a half-open socket (laptop lid, lost Wi-Fi) within ~15 s; the server pings us as well. */
const KEEP_ALIVE = { enabled: true, intervalMs: 10_000, pongTimeoutMs: 5_000 } as const;

export interface SocketOptions {
  url: string;
  token: TokenSource;
  device: Device | undefined;
  WebSocket: WebSocketConstructor | undefined;
  onState(state: ConnectionState): void;
}

export interface Socket {
  ws: WsClient;
  state: () => ConnectionState;
  /** The server started our subscription on the current socket: it accepted us. */
  markLive(): void;
  /**
   * Calls `callback` once the socket is open (at once if it is). A call made on a closed socket
   * would open one immediately, skipping the reconnect backoff; this waits for tRPC's own schedule.
   * Returns a function that cancels the wait.
   */
  whenOpen(callback: () => void): () => void;
  /** Ends the client for good with a final state (`unauthorized`, `closed`); idempotent. */
  end(state: Extract<ConnectionState, { status: "unauthorized" | "closed" }>): Promise<void>;
}

export function openSocket(options: SocketOptions): Socket {
  let state: ConnectionState = { status: "connecting", attempt: 0 };
  let everLive = false;
  let lastCloseCode: number | null = null;
  let attempt = 0;
  let ending: Promise<void> | null = null;

  const set = (next: ConnectionState) => {
    if (ending) return; // final states are set by `end` alone
    state = next;
    options.onState(next);
  };
  const notLive = (): ConnectionState => {
    if (lastCloseCode === CLOSE_TOO_MANY_CONNECTIONS) return { status: "too_many_connections", attempt };
    return everLive ? { status: "reconnecting", attempt, closeCode: lastCloseCode } : { status: "connecting", attempt };
  };

  const ws = createWSClient({
    url: options.url,
    WebSocket: options.WebSocket as typeof globalThis.WebSocket | undefined,
    connectionParams: async () => {
      const token = typeof options.token === "function" ? await options.token() : options.token;
      if (typeof token !== "string" || token === "") throw new TypeError("Herald: the token function must return a non-empty string");
      // The server reads `token`; `device` is extra, and sent only when given.
      return options.device ? { token, device: options.device } : { token };
    },
    retryDelayMs: (attemptIndex) => {
      attempt = attemptIndex + 1;
      if (state.status !== "connected") set(notLive());
      return lastCloseCode === CLOSE_TOO_MANY_CONNECTIONS ? refusedDelayMs(attemptIndex) : reconnectDelayMs(attemptIndex);
    },
    keepAlive: KEEP_ALIVE,
    onClose(cause) {
      lastCloseCode = cause?.code ?? null;
      if (lastCloseCode === CLOSE_UNAUTHORIZED) {
        void socket.end({ status: "unauthorized", reason: closeReason(cause) ?? "the server refused the session token" });
        return;
      }
      set(notLive());
    },
  });

  const socket: Socket = {
    ws,
    state: () => state,
    markLive() {
      everLive = true;
      lastCloseCode = null;
      attempt = 0;
      if (state.status !== "connected") set({ status: "connected" });
    },
    whenOpen(callback) {
      let done = false;
      let subscription: { unsubscribe(): void } | null = null;
      subscription = ws.connectionState.subscribe({
        next({ state }) {
          if (done || state !== "pending") return;
          done = true;
          subscription?.unsubscribe();
          callback();
        },
      });
      // A behaviour subject answers at once: the socket may have been open already.
      if (done) subscription.unsubscribe();
      return () => {
        done = true;
        subscription?.unsubscribe();
      };
    },
    end(final) {
      if (!ending) {
        state = final;
        options.onState(final);
        ending = ws.close();
      }
      return ending;
    },
  };
  return socket;
}

/** The close frame's reason ("signed out", "session expired"), when the WebSocket implementation gives it. */
function closeReason(cause: unknown): string | null {
  const reason = (cause as { reason?: unknown } | undefined)?.reason;
  return typeof reason === "string" && reason !== "" ? reason : null;
}
