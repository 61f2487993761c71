/** A TCP proxy a test can cut and restore, to stage a database outage without touching the database. */
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { createScratchDatabase } from "@herald/db/testing";

export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones until `restore`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  let open = true;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy: TcpProxy = {
    port: (server.address() as AddressInfo).port,
    cut() {
      open = false;
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    restore() {
      open = true;
    },
    close() {
      proxy.cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

/** A scratch PostgreSQL database (`TEST_DATABASE_URL`'s server) reached through a proxy of its own: `url` goes through it. */
export async function scratchDatabaseBehindProxy(): Promise<{ proxy: TcpProxy; url: string; drop(): Promise<void> }> {
  const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL);
  const proxy = await startTcpProxy(Number(new URL(scratch.url).port || 5432));
  const url = new URL(scratch.url);
  url.port = String(proxy.port);
  return { proxy, url: url.toString(), drop: () => scratch.drop() };
}
