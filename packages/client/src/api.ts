/** The SDK's public contract: what `createHeraldClient` takes and what the client it returns offers. */
import type { ConnectionState } from "./connection-state.js";
import type {
  ChosenStatus,
  Friend,
  FriendRequests,
  HeraldTRPCClient,
  LastSeenLevel,
  OwnPresence,
  Preview,
  VisiblePresence,
} from "./types.js";

/** The kind of device a connection comes from; sent in `connectionParams` as `device`. */
export type Device = "web" | "desktop" | "mobile";

/** A session token, or a function giving one: called on every (re)connect, so it may refresh the token. */
export type TokenSource = string | (() => string | Promise<string>);

/**
 * Any WebSocket class following the browser's API. Browsers (and Node 22+) have one built in;
 * on Node 20 pass the `ws` package's: `import WebSocket from "ws"`.
 */
export type WebSocketConstructor = abstract new (url: string, protocols?: string | string[]) => unknown;

export interface HeraldClientOptions {
  /** The server's base URL, `http(s)://host:port` (a path prefix is kept); the API is at `/trpc` below it. */
  url: string;
  token: TokenSource;
  device?: Device | undefined;
  /** Only where there is no global `WebSocket` (Node 20). */
  WebSocket?: WebSocketConstructor | undefined;
}

/** Everything the client knows, as one immutable value: a new object only when something changed. */
export interface HeraldState {
  connection: ConnectionState;
  /**
   * True once the first snapshot arrived with everything that goes with it (names, your own
   * presence, requests). Stays true while reconnecting: the last known state is kept until
   * the fresh snapshot replaces it.
   */
  synced: boolean;
  /** Your friends, who is around first (`compareFriends`): online, away, dnd, then offline by last seen. */
  friends: readonly Friend[];
  /** Your own presence; null until first known. */
  own: OwnPresence | null;
  /** Pending friend requests, kept live by the server's `requests` events (no polling). */
  requests: FriendRequests;
}

export interface SetStatusOptions {
  /** A string sets the message, `null` clears it; omitted keeps it. */
  message?: string | null | undefined;
  /** The allow-list for `invisible`: friends who still see you online. Omitted keeps it. */
  visibleTo?: string[] | undefined;
  /**
   * When this status (and a message given with it) ends by itself: back to `online`, the message
   * cleared (docs/protocol.md §9.1). A `Date` or an ISO-8601 instant; omitted or `null`: no end.
   */
  until?: Date | string | null | undefined;
}

export interface HeraldClient {
  /** The typed tRPC client over this client's WebSocket: every procedure of the router. */
  readonly trpc: HeraldTRPCClient;

  /** The whole state (see `HeraldState`); the same object until something changes. */
  getState(): HeraldState;
  getConnection(): ConnectionState;
  getFriends(): readonly Friend[];
  /** One friend's presence; the same object until it changes. Undefined for non-friends. */
  getPresence(userId: string): VisiblePresence | undefined;
  getOwnPresence(): OwnPresence | null;
  getRequests(): FriendRequests;
  /**
   * Calls `listener` after every change of the state (fits React's `useSyncExternalStore`).
   * Returns the function that unsubscribes it.
   */
  subscribe(listener: (state: HeraldState) => void): () => void;

  /** Your chosen status, optionally with a message and allow-list. Answers (and keeps) your new own presence. */
  setStatus(status: ChosenStatus, options?: SetStatusOptions): Promise<OwnPresence>;
  /** Your status message; `null` (or only spaces) clears it. */
  setMessage(message: string | null): Promise<OwnPresence>;
  /** Who sees you online while you are invisible. */
  setVisibility(visibleTo: string[]): Promise<OwnPresence>;
  /** Auto-away (docs/protocol.md §7.2): idle turns `online` into an automatic `away`, active undoes only that. */
  setIdle(idle: boolean): Promise<OwnPresence>;
  /**
   * Who sees your exact last seen (docs/protocol.md §9.3): `level` for every friend, and
   * `exceptions` (friend id → level) that replace it for some; omitted exceptions are kept.
   */
  setLastSeenPrivacy(level: LastSeenLevel, exceptions?: Record<string, LastSeenLevel>): Promise<OwnPresence>;
  /** "See as" (§9.4): exactly what the friend `friendId` sees of you now, and why. */
  preview(friendId: string): Promise<Preview>;
  /** Asks `username` to be friends; accepts at once if they had asked you. */
  requestFriend(username: string): Promise<{ status: "pending" | "accepted" }>;
  acceptFriend(userId: string): Promise<void>;
  /** Unfriends, declines their request, or cancels yours. */
  removeFriend(userId: string): Promise<void>;

  /** Closes the socket and stops every timer; the state turns `closed`. Further calls fail. */
  close(): Promise<void>;
}
