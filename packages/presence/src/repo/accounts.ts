/** Account queries: users, their password hashes and token versions. All of `users`' SQL is here. */
import { and, eq, sql } from "drizzle-orm";
import { executeRows, users, withDeadline, type Database, type UserRow } from "@herald/db";
import { createDurable } from "./presence-repo.js";
import { nullableTextArrayLiteral, textArrayLiteral } from "./text-array.js";

export interface Account {
  id: string;
  /** The name clients show: a Herald account's username, else the host's name for the user, else the id. */
  username: string;
}

/**
 * A user's name as every client is shown it (`username` in the API): Herald's own accounts have a
 * username; the host's users (`AUTH_MODE=jwt`) have the name the host gave them, if any.
 */
export const shownName = sql<string>`coalesce(${users.username}, ${users.displayName}, ${users.id})`;

export class AccountsRepo {
  constructor(private readonly db: Database) {}

  /** A new user with their presence row; null when the username is taken. */
  async create(username: string, passwordHash: string): Promise<Account | null> {
    let user: Account | undefined;
    try {
      [user] = await this.db.insert(users).values({ username, passwordHash }).returning({ id: users.id, username: shownName });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
    await createDurable(this.db, user!.id);
    return user!;
  }

  async byUsername(username: string): Promise<UserRow | undefined> {
    const [user] = await this.db.select().from(users).where(eq(users.username, username));
    return user;
  }

  async byId(id: string): Promise<Account | undefined> {
    const [user] = await this.db.select({ id: users.id, username: shownName }).from(users).where(eq(users.id, id));
    return user;
  }

  /**
   * The host's users (AUTH_MODE=jwt), made if new, with their presence rows; a given name
   * replaces the stored one, a null name keeps it. Ids must be distinct.
   */
  async provisionHostUsers(hostUsers: ReadonlyArray<{ id: string; name: string | null }>): Promise<void> {
    if (hostUsers.length === 0) return;
    // Arrays as single parameters: a thousand users are three parameters, not two thousand.
    const ids = textArrayLiteral(hostUsers.map((user) => user.id));
    const names = nullableTextArrayLiteral(hostUsers.map((user) => user.name));
    await executeRows(
      this.db,
      sql`insert into users (id, display_name)
        select id, name from unnest(${ids}::text[], ${names}::text[]) as u(id, name)
        on conflict (id) do update set display_name = coalesce(excluded.display_name, users.display_name)
        where excluded.display_name is not null and users.display_name is distinct from excluded.display_name`,
    );
    await executeRows(this.db, sql`insert into user_presence (user_id) select unnest(${ids}::text[]) on conflict do nothing`);
  }

  /** Which of these ids belong to users. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await executeRows<{ id: string }>(this.db, sql`select id from users where id = any(${textArrayLiteral(ids)}::text[])`);
    return new Set(rows.map((row) => row.id));
  }

  async idByUsername(username: string): Promise<string | undefined> {
    const [user] = await this.db.select({ id: users.id }).from(users).where(eq(users.username, username));
    return user?.id;
  }

  /** Replaces the hash only if it is still `oldHash` (a concurrent password change wins). */
  async replacePasswordHash(id: string, oldHash: string, newHash: string): Promise<void> {
    await this.db
      .update(users)
      .set({ passwordHash: newHash })
      .where(and(eq(users.id, id), eq(users.passwordHash, oldHash)));
  }

  /** Bumps the user's token version, revoking every token signed under the old one; null: no such user. */
  async bumpTokenVersion(id: string): Promise<number | null> {
    const [row] = await this.db
      .update(users)
      .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, id))
      .returning({ version: users.tokenVersion });
    return row?.version ?? null;
  }

  /** Current token versions of these users (absent: no such user). */
  async tokenVersions(ids: readonly string[]): Promise<Map<string, number>> {
    // Everyone verifying these users waits on this query: a lost one must not hold them forever.
    // Read on every connect burst: a written statement on the simple-query path (`executeRows`).
    const rows = await withDeadline(
      executeRows<{ id: string; token_version: number }>(
        this.db,
        sql`select id, token_version from users where id = any(${textArrayLiteral(ids)}::text[])`,
      ),
      "reading token versions",
    );
    return new Map(rows.map((row) => [row.id, row.token_version]));
  }
}

function isUniqueViolation(error: unknown): boolean {
  for (let e = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}
