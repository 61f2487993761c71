/**
 * A call already running when its user signs out finishes (docs/protocol.md §5): the sign-out
 * refuses the socket's next calls, not the ones past their check. Here a row lock on PostgreSQL
 * holds `friends.remove` between its check and its write while the user signs out elsewhere; a
 * remove cut short after its write would end the friendship without telling the friend (rule 11).
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { befriend, connect, databaseFor, rawSocket, signUp, startTestServer, type TestServer } from "../src/testing/index.js";

describe("a call in flight across a sign-out", () => {
  let database: Awaited<ReturnType<typeof databaseFor>>;
  let server: TestServer;
  let sql: postgres.Sql;
  beforeAll(async () => {
    database = await databaseFor("postgres");
    server = await startTestServer({ databaseUrl: database.databaseUrl });
    sql = postgres(database.databaseUrl!, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await server?.close();
    await database?.drop();
  });

  it("friends.remove held up while its user signs out still ends the friendship and tells the friend", async () => {
    const alice = await signUp(server.url);
    const bob = await signUp(server.url);
    await befriend(alice, bob);
    const bobDevice = await connect(server.wsUrl, bob, { subscribe: true });
    const { socket, closed } = await rawSocket(server.wsUrl, alice.token);
    const answers: Array<{ id?: number; result?: unknown; error?: { data?: { code?: string } } }> = [];
    socket.on("message", (data: Buffer) => {
      const text = data.toString();
      if (text === "PING") return void socket.send("PONG");
      answers.push(JSON.parse(text) as (typeof answers)[number]);
    });
    const answerTo = (id: number) => answers.find((answer) => answer.id === id);

    await sql.begin(async (tx) => {
      await tx`select 1 from friendships where user_low in (${alice.id}, ${bob.id}) and user_high in (${alice.id}, ${bob.id}) for update`;
      socket.send(JSON.stringify({ id: 2, method: "mutation", params: { path: "friends.remove", input: { userId: bob.id } } }));
      const removeWaiting = async () =>
        (
          await sql<
            Array<{ n: number }>
          >`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'delete from%friendships%'`
        )[0]!.n;
      await expect.poll(removeWaiting, { timeout: 10_000 }).toBe(1);
      await alice.http.auth.signOut.mutate();
      // The socket refuses what comes next...
      socket.send(JSON.stringify({ id: 3, method: "query", params: { path: "auth.me" } }));
      await expect.poll(() => answerTo(3)).toMatchObject({ error: { data: { code: "UNAUTHORIZED" } } });
    }); // ...and the remove, let go, finishes.

    let event = await bobDevice.feed.next(undefined, 5_000);
    while (event.type === "update") event = await bobDevice.feed.next(undefined, 5_000); // alice came online
    expect(event).toEqual({ type: "friend_removed", userId: alice.id });
    expect(await bob.http.friends.list.query()).toEqual([]);
    expect((await closed).code).toBe(4401);
    // If its answer left before the close, it is the remove's success, never an error.
    expect(answerTo(2)?.error).toBeUndefined();
    await bobDevice.close();
  });
});
