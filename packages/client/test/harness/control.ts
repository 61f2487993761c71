/**
 * What tests ask of the world around the client, run in Node: real Herald servers (port 0, an
 * embedded in-memory database, or PostgreSQL where one must survive a restart), users made over
 * HTTP, and a WebSocket relay. Every argument and answer is plain JSON, so the Chromium suite can
 * ask for the same things through the control server (control-server.ts).
 */
import { databaseFor, httpClient, signUp as signUpUser, startTestServer, type TestServer, type TestUser } from "@herald/server/testing";
import { startPingEatingRelay, type PingEatingRelay, type RelayStats } from "./ping-eating-relay.js";

export interface ServerOptions {
  /** `PRESENCE_TTL_SECONDS`; default 60. */
  presenceTtlSeconds?: number;
  /** Turns the abuse limits on (they are off by default here) with this many connections per user. */
  maxConnectionsPerUser?: number;
  /** A server that `restartServer` can restart keeps its data in PostgreSQL (an in-memory database would be lost). */
  restartable?: boolean;
}

export interface ServerInfo {
  id: string;
  /** The base URL to give `createHeraldClient`. */
  url: string;
}

/** A change made while a server is down (see `restartServer`), by one user over HTTP. */
export type Change =
  { kind: "request"; fromId: string; toId: string; accept?: boolean } | { kind: "remove"; userId: string; otherId: string };

export interface UserInfo {
  id: string;
  username: string;
  token: string;
}

interface RunningServer {
  server: TestServer;
  options: ServerOptions;
  dropDatabase: () => Promise<void>;
}

const servers = new Map<string, RunningServer>();
const users = new Map<string, TestUser & { serverId: string }>();
const relays = new Map<string, PingEatingRelay>();
let nextId = 0;

async function launch(options: ServerOptions, databaseUrl: string | undefined, port = 0): Promise<TestServer> {
  return startTestServer({
    port,
    databaseUrl,
    // Short, so a friend who leaves shows as offline soon; long enough that a restart is one.
    offlineGraceMs: 300,
    ...(options.presenceTtlSeconds ? { presenceTtlMs: options.presenceTtlSeconds * 1000 } : {}),
    ...(options.maxConnectionsPerUser ? { rateLimits: true, maxConnectionsPerUser: options.maxConnectionsPerUser } : {}),
  });
}

function running(id: string): RunningServer {
  const found = servers.get(id);
  if (!found) throw new Error(`no running server ${id}`);
  return found;
}

function user(id: string): TestUser & { serverId: string } {
  const found = users.get(id);
  if (!found) throw new Error(`no user ${id}`);
  return found;
}

async function makeChange(url: string, change: Change): Promise<void> {
  if (change.kind === "request") {
    const from = user(change.fromId);
    const to = user(change.toId);
    await httpClient(url, from.token).friends.request.mutate({ username: to.username });
    if (change.accept) await httpClient(url, to.token).friends.accept.mutate({ userId: from.id });
  } else {
    await httpClient(url, user(change.userId).token).friends.remove.mutate({ userId: change.otherId });
  }
}

export const control = {
  async startServer(options: ServerOptions = {}): Promise<ServerInfo> {
    const database = options.restartable ? await databaseFor("postgres") : { databaseUrl: undefined, drop: async () => {} };
    const server = await launch(options, database.databaseUrl);
    const id = `server-${nextId++}`;
    servers.set(id, { server, options, dropDatabase: database.drop });
    return { id, url: server.url };
  },

  /**
   * Stops the server (its clients see it go: the reconnect notice, then closed sockets) and starts
   * it again on the same port. `whileDown` changes are made meanwhile, through a second server on
   * the same database that its clients cannot reach: they can learn of them only once back.
   */
  async restartServer(id: string, whileDown: Change[] = []): Promise<ServerInfo> {
    const entry = running(id);
    if (!entry.options.restartable) throw new Error("start the server with { restartable: true } to restart it");
    const { databaseUrl } = entry.server.config;
    await entry.server.close();
    if (whileDown.length > 0) {
      const side = await launch(entry.options, databaseUrl);
      try {
        for (const change of whileDown) await makeChange(side.url, change);
      } finally {
        await side.close();
      }
    }
    entry.server = await launch(entry.options, databaseUrl, entry.server.port);
    return { id, url: entry.server.url };
  },

  async stopServer(id: string): Promise<void> {
    const entry = servers.get(id);
    if (!entry) return;
    servers.delete(id);
    for (const [userId, found] of users) if (found.serverId === id) users.delete(userId);
    await entry.server.close();
    await entry.dropDatabase();
  },

  async signUp(serverId: string): Promise<UserInfo> {
    const made = await signUpUser(running(serverId).server.url);
    users.set(made.id, { ...made, serverId });
    return { id: made.id, username: made.username, token: made.token };
  },

  /** `from` asks `to` to be friends over HTTP; `accept` has `to` accept it. */
  async requestFriend(fromId: string, toId: string, accept = false): Promise<void> {
    const from = user(fromId);
    const to = user(toId);
    await from.http.friends.request.mutate({ username: to.username });
    if (accept) await to.http.friends.accept.mutate({ userId: from.id });
  },

  /** Unfriends, declines or cancels, over HTTP. */
  async removeFriend(userId: string, otherId: string): Promise<void> {
    await user(userId).http.friends.remove.mutate({ userId: otherId });
  },

  /** Signs the user out everywhere (`auth.signOut` over HTTP, as another device would). */
  async signOut(userId: string): Promise<void> {
    await user(userId).http.auth.signOut.mutate();
  },

  /** The user's own presence as the server has it (`presence.me` over HTTP, which is no connection). */
  async ownPresence(userId: string) {
    const found = user(userId);
    return httpClient(running(found.serverId).server.url, found.token).presence.me.query();
  },

  /** A WebSocket relay in front of the server that never passes on the server's keep-alive pings (ping-eating-relay.ts). */
  async startPingEatingRelay(serverId: string): Promise<{ id: string; url: string }> {
    const relay = await startPingEatingRelay(running(serverId).server.port);
    const id = `relay-${nextId++}`;
    relays.set(id, relay);
    return { id, url: relay.url };
  },

  relayStats(id: string): RelayStats {
    const relay = relays.get(id);
    if (!relay) throw new Error(`no relay ${id}`);
    return relay.stats();
  },

  async stopAll(): Promise<void> {
    for (const relay of relays.values()) await relay.close();
    relays.clear();
    for (const id of [...servers.keys()]) await control.stopServer(id);
  },
};

export type Control = typeof control;
