/**
 * A PostgreSQL connection that drops as it starts up, while the server runs. postgres-js 3.4.9
 * reads the array types on every new connection from a promise nobody awaits, so a connection
 * lost during that query leaves an unhandled rejection: in production it takes the process down
 * (Node's default), and under Vitest it fails a run whose tests all passed (the flaky CI run of
 * apps/server, whose database-outage test cuts connections). The query must fail, to its caller.
 */
import { connect, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { executeRows, openDatabase, type DatabaseHandle } from "../src/index.js";
import { createScratchDatabase, type ScratchDatabase } from "../src/testing.js";

/**
 * A TCP proxy to PostgreSQL that, once armed, resets the next connection to open as soon as it
 * sends its first query (the message after its start-up message): the moment postgres-js sends
 * its array-type query on a new connection.
 */
async function startResettingProxy(target: URL) {
  let armed = false;
  let resets = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const mine = armed;
    armed = false;
    let messages = 0;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {}).on("close", () => sockets.delete(socket));
    }
    client.on("data", (chunk) => {
      if (mine && ++messages === 2) {
        resets++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    /** The next connection to open is reset at its first query. */
    arm: () => void (armed = true),
    resets: () => resets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("a PostgreSQL connection that drops as it starts up", () => {
  let scratch: ScratchDatabase;
  let proxy: Awaited<ReturnType<typeof startResettingProxy>>;
  let handle: DatabaseHandle;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    proxy = await startResettingProxy(new URL(scratch.url));
    handle = await openDatabase({ databaseUrl: proxy.url });
    process.on("unhandledRejection", onUnhandled);
  });
  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    await handle?.close();
    await proxy?.close();
    await scratch?.drop();
  });

  it("fails the query it was opened for and leaves no unhandled rejection; later connections still read arrays", async () => {
    await handle.ping(); // a connection open and idle
    proxy.arm();
    // Two at once: the idle connection takes the first, a new connection opens for the second.
    const [first, second] = await Promise.allSettled([
      handle.db.execute(sql`select pg_sleep(0.2)`),
      handle.db.execute(sql`select 1 as one`),
    ]);
    expect(proxy.resets()).toBe(1);
    expect(first.status).toBe("fulfilled");
    expect(second).toMatchObject({ status: "rejected", reason: { cause: { code: "ECONNRESET" } } });
    // Another round trip: an unhandled rejection from the lost connection has been reported by now.
    await handle.ping();
    expect(unhandled).toEqual([]);
    // Connections opened after start-up still know the array types (read once, shared by all).
    const [, arrays] = await Promise.all([
      handle.db.execute(sql`select pg_sleep(0.2)`),
      executeRows(handle.db, sql`select array['a', 'b']::text[] as xs, ${'{"c","d"}'}::text[] as ys`),
    ]);
    expect(arrays).toEqual([{ xs: ["a", "b"], ys: ["c", "d"] }]);
  });
});
