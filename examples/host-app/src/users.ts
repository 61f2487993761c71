/**
 * The host app's own users and friend graph: what any social app already has before it adopts
 * Herald. Ids are the app's own (not UUIDs), and passwords are the app's business: Herald never
 * sees them. Kept in memory here; a real app has them in its own database.
 */
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

export interface HostUser {
  /** The app's id for the user: the `sub` of the tokens it issues, and the id Herald uses. */
  id: string;
  username: string;
  /** What Herald shows next to the user's presence (the `name` claim, `system.users.upsert`). */
  name: string;
}

interface StoredUser extends HostUser {
  salt: Buffer;
  hash: Buffer;
}

/** The demo's users, with their passwords (a demo's: say so wherever they are shown). */
export const DEMO_USERS: ReadonlyArray<HostUser & { password: string }> = [
  { id: "usr_1001", username: "alice", name: "Alice Liddell", password: "alice-password" },
  { id: "usr_1002", username: "bob", name: "Bob Builder", password: "bob-password" },
  { id: "usr_1003", username: "carol", name: "Carol Danvers", password: "carol-password" },
];

/** Who is friends with whom in the app, by username: Alice–Bob and Bob–Carol; Alice and Carol are not. */
export const DEMO_FRIENDSHIPS: ReadonlyArray<readonly [string, string]> = [
  ["alice", "bob"],
  ["bob", "carol"],
];

export class HostDirectory {
  private readonly byUsername = new Map<string, StoredUser>();
  /** Friendships as sorted id pairs, `a\u0000b`. */
  private readonly friendships = new Set<string>();

  constructor(users = DEMO_USERS, friendships = DEMO_FRIENDSHIPS) {
    for (const { password, ...user } of users) {
      const salt = randomBytes(16);
      this.byUsername.set(user.username, { ...user, salt, hash: scryptSync(password, salt, 32) });
    }
    for (const [a, b] of friendships) this.befriend(this.userNamed(a).id, this.userNamed(b).id);
  }

  /** The user whose password this is, or null. */
  signIn(username: string, password: string): HostUser | null {
    const user = this.byUsername.get(username);
    if (!user) return null;
    const hash = scryptSync(password, user.salt, 32);
    return timingSafeEqual(hash, user.hash) ? publicView(user) : null;
  }

  users(): HostUser[] {
    return [...this.byUsername.values()].map(publicView);
  }

  userNamed(username: string): HostUser {
    const user = this.byUsername.get(username);
    if (!user) throw new Error(`no user named ${username}`);
    return publicView(user);
  }

  /** Every friendship as a pair of ids. */
  friendPairs(): Array<[string, string]> {
    return [...this.friendships].map((key) => key.split("\u0000") as [string, string]);
  }

  befriend(a: string, b: string): void {
    this.friendships.add(pairKey(a, b));
  }

  unfriend(a: string, b: string): void {
    this.friendships.delete(pairKey(a, b));
  }
}

function publicView({ id, username, name }: StoredUser): HostUser {
  return { id, username, name };
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}
