/**
 * `/healthz` while the database is away (a TCP proxy between them is cut): 503 to every probe,
 * 200 again once it is back; the log says what failed once per outage, naming the backend, and
 * says when it passes again, however often a load balancer probes.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { startHeraldServer, type HeraldServer } from "../src/server.js";
import { testServerConfig } from "../src/testing/index.js";
import { scratchDatabaseBehindProxy, type TcpProxy } from "./tcp-proxy.js";

interface LogLine {
  level: number;
  msg: string;
  failing?: Record<string, string>;
}

const PROBES_WHILE_CUT = 5;

describe("/healthz during a database outage", () => {
  let proxy: TcpProxy;
  let server: HeraldServer;
  let drop = async () => {};
  const lines: LogLine[] = [];

  beforeAll(async () => {
    let url: string;
    ({ proxy, url, drop } = await scratchDatabaseBehindProxy());
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    server = await startHeraldServer(testServerConfig({ databaseUrl: url, logLevel: "info" }), pino({ level: "info" }, sink));
  });
  afterAll(async () => {
    proxy.restore();
    await server?.close();
    await proxy?.close();
    await drop();
  });

  const probe = async () => (await fetch(`${server.url}/healthz`)).status;
  const healthLines = () => lines.filter((line) => line.msg.startsWith("health check"));

  it("answers 503 to every probe, logs the failure once naming the database, and the recovery once", { timeout: 60_000 }, async () => {
    expect(await probe()).toBe(200);
    proxy.cut();
    for (let i = 0; i < PROBES_WHILE_CUT; i++) expect(await probe()).toBe(503);
    proxy.restore();
    await expect.poll(probe, { timeout: 30_000 }).toBe(200);
    expect(await probe()).toBe(200);

    const logged = healthLines();
    expect(logged.map((line) => line.msg)).toEqual(["health check failing: database", "health check passing again"]);
    expect(Object.keys(logged[0]!.failing!)).toEqual(["database"]);
    // Why, as the socket said it, not as the driver wrapped it ("Failed query: select 1").
    expect(logged[0]!.failing!.database).not.toMatch(/^$|^Failed query/);
  });
});
