/** The real process (`src/main.ts`): starts, prints where it listens, stops cleanly on SIGTERM. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { createScratchDatabase } from "@herald/db/testing";
import {
  befriend,
  connect,
  errorOf,
  HostIssuer,
  httpClient,
  signUp,
  TEST_AUDIENCE,
  TEST_ISSUER,
  TEST_SERVICE_TOKEN,
} from "../src/testing/index.js";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--conditions=@herald/source", "--import", "tsx", MAIN], {
    env: { ...process.env, PORT: "0", METRICS_PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/listening on (http:\/\/\S+)/);
      if (match) resolve({ child, url: match[1]! });
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
  });
}

/** Sends `signal` to the process and resolves with its exit code once it has exited. */
function stopWith(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill(signal);
  return exited;
}

describe("the server process", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it("on SIGTERM records last seen for its connected users and exits 0", async () => {
    const database = await createScratchDatabase(process.env.TEST_DATABASE_URL);
    cleanups.push(database.drop);
    const env = { DATABASE_URL: database.url, AUTH_SECRET: "process-test-secret-long", OFFLINE_GRACE_MS: "60000" };
    const first = await startProcess(env);
    cleanups.push(async () => void first.child.kill("SIGKILL"));
    const alice = await signUp(first.url);
    const bob = await signUp(first.url);
    await befriend(alice, bob);
    const device = await connect(`${first.url.replace("http", "ws")}/trpc`, alice);
    const connectedUntil = Date.now();
    expect(await stopWith(first.child, "SIGTERM")).toBe(0);
    await device.close();

    const second = await startProcess(env);
    cleanups.push(async () => void second.child.kill("SIGKILL"));
    const seen = await httpClient(second.url, bob.token).presence.get.query({ userId: alice.id });
    expect(seen.status).toBe("offline");
    // Recorded at shutdown, not after the (long) grace: the process could not wait for it.
    expect(Math.abs(Date.parse(seen.lastSeen!) - connectedUntil)).toBeLessThan(5_000);
  }, 120_000); // two real processes with tsx start-up

  it("the embedded default refuses a second process on its DATA_DIR, and on SIGKILL loses nothing it acknowledged", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "herald-sigkill-"));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // No DATABASE_URL and no AUTH_SECRET: PGlite and the secret generated into DATA_DIR, as `pnpm start` runs.
    const env = { DATABASE_URL: "", AUTH_SECRET: "", DATA_DIR: dataDir };
    const first = await startProcess(env);
    const alice = await signUp(first.url);
    const bob = await signUp(first.url);
    await befriend(alice, bob);
    await alice.http.presence.setStatus.mutate({ status: "dnd", message: "written before the kill" });
    // Its writes would live in its own memory, and one of the two would lose them.
    await expect(startProcess(env)).rejects.toThrow(/exited with 1 before listening:[\s\S]*is open in another process/);
    await stopWith(first.child, "SIGKILL");

    const second = await startProcess(env);
    cleanups.push(async () => void second.child.kill("SIGKILL"));
    const me = await httpClient(second.url, alice.token).presence.me.query();
    expect({ status: me.status, message: me.message }).toEqual({ status: "dnd", message: "written before the kill" });
    expect(await httpClient(second.url, bob.token).friends.list.query()).toMatchObject([{ id: alice.id, presence: { status: "offline" } }]);
  }, 120_000); // two real processes with tsx start-up

  it("after SIGKILL without Redis, the next server settles who was connected: last seen the moment the dead one last vouched, invisible users' frozen", async () => {
    const database = await createScratchDatabase(process.env.TEST_DATABASE_URL);
    cleanups.push(database.drop);
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    cleanups.push(() => sql.end());
    // The in-memory live store (no REDIS_URL); a 2-s TTL sweeps, and so vouches, every 0.5 s.
    const env = { DATABASE_URL: database.url, REDIS_URL: "", AUTH_SECRET: "process-test-secret-long", PRESENCE_TTL_SECONDS: "2" };
    const first = await startProcess(env);
    const alice = await signUp(first.url);
    const carol = await signUp(first.url);
    const bob = await signUp(first.url);
    await befriend(alice, bob);
    await befriend(carol, bob);
    await carol.http.presence.setStatus.mutate({ status: "invisible" });
    const wsUrl = `${first.url.replace("http", "ws")}/trpc`;
    const devices = [await connect(wsUrl, alice), await connect(wsUrl, carol)];
    const vouched = async () => {
      const rows = await sql<Array<{ vouched_at: Date; user_ids: string[] }>>`
        select vouched_at, array_agg(user_id) as user_ids from live_vouches join live_vouch_users using (server_id) group by server_id`;
      return rows.find((row) => row.user_ids.includes(alice.id) && row.user_ids.includes(carol.id));
    };
    await expect.poll(vouched, { timeout: 10_000 }).toBeDefined();
    await stopWith(first.child, "SIGKILL");
    const lastWord = (await vouched())!.vouched_at.toISOString();
    for (const device of devices) await device.close();

    const second = await startProcess(env);
    cleanups.push(async () => void second.child.kill("SIGKILL"));
    const bobSees = async () => {
      const friends = await httpClient(second.url, bob.token).friends.list.query();
      return Object.fromEntries(friends.map(({ id, presence }) => [id, { status: presence.status, lastSeen: presence.lastSeen }]));
    };
    // Settled once the dead server's word is a TTL old.
    await expect.poll(async () => (await bobSees())[alice.id]?.lastSeen, { timeout: 10_000 }).toBe(lastWord);
    expect(await bobSees()).toEqual({
      [alice.id]: { status: "offline", lastSeen: lastWord },
      // Invisible, she was never seen: a crash must not make her last seen move (rule 5).
      [carol.id]: { status: "offline", lastSeen: null },
    });
    expect(await sql`select 1 from live_vouches where vouched_at = ${lastWord}`).toHaveLength(0);
  }, 120_000);

  it("with AUTH_MODE=jwt takes the host's tokens from a local JWKS, refuses others, and serves system.* to HERALD_SERVICE_TOKEN", async () => {
    const issuer = await HostIssuer.start();
    cleanups.push(() => issuer.close());
    const database = await createScratchDatabase(process.env.TEST_DATABASE_URL);
    cleanups.push(database.drop);
    const { child, url } = await startProcess({
      DATABASE_URL: database.url,
      AUTH_MODE: "jwt",
      AUTH_JWKS_URL: issuer.jwksUrl,
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_AUDIENCE: TEST_AUDIENCE,
      AUTH_NAME_CLAIM: "nickname",
      FRIENDS: "host",
      HERALD_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    });
    cleanups.push(async () => void child.kill("SIGKILL"));
    const token = await issuer.sign("process|ada", { claims: { nickname: "Ada" } });
    expect(await httpClient(url, token).auth.me.query()).toEqual({ id: "process|ada", username: "Ada" });
    for (const refused of [
      await issuer.sign("process|ada", { expiresIn: -5 }),
      await issuer.sign("process|ada", { issuer: "https://other/" }),
    ]) {
      expect(await errorOf(httpClient(url, refused).auth.me.query())).toMatchObject({ code: "UNAUTHORIZED" });
    }
    const system = httpClient(url, TEST_SERVICE_TOKEN).system;
    await system.users.upsert.mutate({ users: [{ id: "process|bo", name: "Bo" }] });
    expect(await system.friends.link.mutate({ pairs: [["process|ada", "process|bo"]] })).toEqual({ changed: 1 });
    expect(await httpClient(url, token).friends.list.query()).toMatchObject([{ id: "process|bo", username: "Bo" }]);
    expect(await errorOf(httpClient(url, token).system.presence.reachable.query({ userIds: ["process|bo"] }))).toMatchObject({
      code: "FORBIDDEN",
    });
  }, 60_000);

  it("exits non-zero at start naming the variable when AUTH_MODE=jwt lacks its keys", async () => {
    await expect(startProcess({ AUTH_MODE: "jwt", AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE })).rejects.toThrow(
      /exited with 1 before listening:[\s\S]*AUTH_JWKS_URL or AUTH_JWT_KEY is required/,
    );
  }, 60_000);
});
