/**
 * A social app that embeds Herald. It has its own users and sign-in (users.ts), issues its own
 * JWTs and serves their JWKS (issuer.ts), and mounts Herald on its own HTTP server at /presence
 * with `attachHerald`: Herald takes the app's tokens (AUTH_MODE=jwt) and the app's friend graph
 * (FRIENDS=host), which the app pushes through Herald's system API, in-process.
 *
 * Its routes: `POST /api/login` `{ username, password }` → `{ token, user }`;
 * `GET /.well-known/jwks.json`; Herald at `/presence/trpc` (HTTP and WebSocket).
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { attachHerald, type AttachedHerald, type HeraldConfig } from "@herald/server";
import { HostIssuer } from "./issuer.js";
import { HostDirectory, type HostUser } from "./users.js";

export interface HostAppOptions {
  /** Default 0: any free port. */
  port?: number;
  host?: string;
  /** Herald's backends and rules (database, Redis, grace…); default: `pnpm start`'s defaults. */
  herald?: Partial<HeraldConfig>;
}

export interface HostApp {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  /** Where clients reach Herald: HTTP, and the same path over ws://. */
  heraldUrl: string;
  heraldWsUrl: string;
  directory: HostDirectory;
  herald: AttachedHerald;
  /** The app's own friend graph changes, and Herald hears of it (live for subscribers). */
  befriend(a: string, b: string): Promise<void>;
  unfriend(a: string, b: string): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024;

export async function startHostApp(options: HostAppOptions = {}): Promise<HostApp> {
  const directory = new HostDirectory();
  let issuer: HostIssuer | null = null;

  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => send(res, 500, { error: (error as Error).message }));
  });
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === "GET" && req.url === "/.well-known/jwks.json") return send(res, 200, issuer!.jwks());
    if (req.method === "POST" && req.url === "/api/login") {
      const { username, password } = (await readJson(req)) as { username?: unknown; password?: unknown };
      const user = typeof username === "string" && typeof password === "string" ? directory.signIn(username, password) : null;
      if (!user) return send(res, 401, { error: "wrong username or password" });
      return send(res, 200, { token: await issuer!.sign(user), user });
    }
    if (req.method === "GET" && req.url === "/") {
      return send(res, 200, { app: "host-app", login: "POST /api/login", jwks: "/.well-known/jwks.json", herald: "/presence/trpc" });
    }
    send(res, 404, { error: "not found" });
  }

  server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  await once(server, "listening");
  const url = `http://${options.host ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`;
  issuer = await HostIssuer.create(url, "herald");

  // Herald on the app's own server, trusting the app's tokens and friend graph.
  const herald = await attachHerald(server, {
    ...options.herald,
    path: "/presence",
    identity: { mode: "jwt", jwksUrl: `${url}/.well-known/jwks.json`, issuer: issuer.issuer, audience: issuer.audience },
    friendSource: "host",
  });
  const { system } = herald.system;
  // The app's users and friendships, synced once at start; changes follow as they happen.
  await system.users.upsert({ users: directory.users().map(({ id, name }) => ({ id, name })) });
  await system.friends.link({ pairs: directory.friendPairs() });

  const idOf = (username: string): string => directory.userNamed(username).id;
  return {
    url,
    heraldUrl: `${url}${herald.trpcPath}`,
    heraldWsUrl: `${url.replace(/^http/, "ws")}${herald.trpcPath}`,
    directory,
    herald,
    async befriend(a, b) {
      directory.befriend(idOf(a), idOf(b));
      await system.friends.link({ pairs: [[idOf(a), idOf(b)]] });
    },
    async unfriend(a, b) {
      directory.unfriend(idOf(a), idOf(b));
      await system.friends.unlink({ pairs: [[idOf(a), idOf(b)]] });
    },
    async close() {
      await herald.close();
      server.closeAllConnections();
      server.close();
    },
  };
}

/** What a client of the app gets from `POST /api/login`. */
export interface LoginAnswer {
  token: string;
  user: HostUser;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_BODY_BYTES) throw new Error("request body too large");
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return {}; // not JSON: no username, no password, a 401
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
