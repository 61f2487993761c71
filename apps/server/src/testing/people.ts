/**
 * Where a test's users and friendships come from, so that one suite can run against either
 * identity source: Herald's own accounts (sign-up, friend requests) or a host app's (its JWTs,
 * and its friend graph pushed through `system.friends.*` with the service token). The rule suite
 * runs the same assertions on both.
 */
import { randomBytes } from "node:crypto";
import { befriend as befriendByRequest, httpClient, signUp, type TestUser } from "./clients.js";
import type { HostIssuer } from "./host-issuer.js";

export interface People {
  /** Which identity source, for test names. */
  readonly kind: "herald" | "host";
  /** A new user holding a valid session token. */
  newUser(): Promise<TestUser>;
  befriend(a: TestUser, b: TestUser): Promise<void>;
  /** Ends their friendship (it must have existed). */
  unfriend(a: TestUser, b: TestUser): Promise<void>;
  /** An id of the right kind that no user has. */
  readonly unknownId: string;
  /** A pending request from `a` to `b`; absent where only the host makes friendships. */
  readonly request?: (a: TestUser, b: TestUser) => Promise<void>;
}

/** Herald's own accounts: users sign up, and befriend each other by request and acceptance. */
export function heraldPeople(server: { url: string }): People {
  return {
    kind: "herald",
    newUser: () => signUp(server.url),
    befriend: befriendByRequest,
    async unfriend(a, b) {
      const { removed } = await a.http.friends.remove.mutate({ userId: b.id });
      if (!removed) throw new Error(`${a.username} and ${b.username} were not friends`);
    },
    unknownId: "00000000-0000-4000-8000-000000000000",
    async request(a, b) {
      await a.http.friends.request.mutate({ username: b.username });
    },
  };
}

/** At least 32 characters, as HERALD_SERVICE_TOKEN must be. */
export const TEST_SERVICE_TOKEN = "test-service-token-that-is-long-enough-0123456789";

let hostCounter = 0;

/**
 * The host's users: ids in the host's own format (not UUIDs; with a `|`, a comma and quotes, as
 * some hosts' ids have), tokens from the host's issuer, friendships from the host's backend.
 */
export function hostPeople(server: { url: string }, issuer: HostIssuer, serviceToken = TEST_SERVICE_TOKEN): People {
  const system = httpClient(server.url, serviceToken);
  return {
    kind: "host",
    async newUser() {
      const n = hostCounter++;
      const id = `host|${n},"${randomBytes(3).toString("hex")}"`;
      const name = `Host User ${n}`;
      const token = await issuer.sign(id, { name });
      const http = httpClient(server.url, token);
      await http.auth.me.query(); // first sight: provisions the user
      return { id, username: name, token, http };
    },
    async befriend(a, b) {
      const { changed } = await system.system.friends.link.mutate({ pairs: [[a.id, b.id]] });
      if (changed !== 1) throw new Error(`${a.id} and ${b.id} were friends already`);
    },
    async unfriend(a, b) {
      const { changed } = await system.system.friends.unlink.mutate({ pairs: [[a.id, b.id]] });
      if (changed !== 1) throw new Error(`${a.id} and ${b.id} were not friends`);
    },
    unknownId: "host|nobody",
  };
}
