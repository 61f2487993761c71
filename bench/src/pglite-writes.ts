/**
 * `pnpm --filter @herald/bench pglite-writes`: what writing presence rows costs on a file-backed
 * PGlite, per row, as one statement each, and in batches of 2, 4 and 16 rows in the two forms a
 * batch can take: one statement joining the rows as a JSON array, or the one-row statements in
 * one simple query (`executeBatch`, which Herald uses on PGlite). CPU per row, with the caches
 * evicted before every statement, as they are in a server that does other work between writes.
 * The statements are the server's own (row-writer.ts, through @herald/presence/testing).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { executeBatch, executeRows, openDatabase } from "@herald/db";
import { DEFAULT_DURABLE_PRESENCE, type DurablePresence } from "@herald/presence";
import { batchUpdate, oneRowUpdate, type RowWrite } from "@herald/presence/testing";

const USERS = 1000;
const dataDir = mkdtempSync(join(tmpdir(), "herald-pglite-writes-"));
const { db, close } = await openDatabase({ dataDir });
const client = (db as unknown as { $client: { exec(query: string): Promise<unknown> } }).$client;
const ids = Array.from({ length: USERS }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
await client.exec(`
  insert into users (id, username, password_hash) select id, 'u' || n, 'x' from unnest(array[${ids.map((id) => `'${id}'`).join(",")}]) with ordinality as t(id, n);
  insert into user_presence (user_id) select id from users;`);
const revisions = new Map(ids.map((id) => [id, 0]));
const STATUSES = ["away", "online", "dnd"] as const satisfies ReadonlyArray<DurablePresence["status"]>;

const write = (userId: string, status: DurablePresence["status"]): RowWrite => ({
  userId,
  expectedRevision: revisions.get(userId)!,
  after: { ...DEFAULT_DURABLE_PRESENCE, status },
});

type Form = (batch: string[], status: DurablePresence["status"]) => Promise<Array<{ user_id: string }>>;
const FORMS: Record<string, Form> = {
  "one statement per row": async (batch, status) =>
    (
      await Promise.all(batch.map((id) => executeRows<{ user_id: string }>(db, oneRowUpdate(write(id, status)), { prepared: true })))
    ).flat(),
  "JSON-joined statement": (batch, status) => executeRows(db, batchUpdate(batch.map((id) => write(id, status)))),
  "statements in one query": (batch, status) => {
    const writes = batch.map((id) => write(id, status));
    return executeBatch(db, writes.map(oneRowUpdate), () => batchUpdate(writes), { prepared: true });
  },
};

// 32 MiB touched before each write: what other work does to the caches between writes in a server.
const junk = new Float64Array(4 * 1024 * 1024);
const evictCaches = () => {
  for (let i = 0; i < junk.length; i += 8) junk[i] = junk[i]! + 1;
};

let next = 0;
async function microsPerRow(form: Form, size: number, batches: number): Promise<number> {
  let micros = 0;
  for (let k = 0; k < batches; k++) {
    const batch = Array.from({ length: size }, () => ids[next++ % USERS]!);
    evictCaches();
    const before = process.cpuUsage();
    const written = await form(batch, STATUSES[k % STATUSES.length]!);
    const used = process.cpuUsage(before);
    micros += used.user + used.system;
    // Every compare-and-set must have landed, or the comparison means nothing.
    if (written.length !== size) throw new Error(`${size} rows written as ${written.length}`);
    for (const id of batch) revisions.set(id, revisions.get(id)! + 1);
  }
  return micros / (batches * size);
}

const SIZES = [1, 2, 4, 16];
const results = new Map<string, number[]>();
for (let round = 0; round < 3; round++) {
  for (const size of SIZES) {
    for (const [name, form] of Object.entries(FORMS)) {
      if (size === 1 && name !== "one statement per row") continue;
      const perRow = await microsPerRow(form, size, Math.max(20, Math.round(400 / size)));
      if (round > 0) results.set(`${size}|${name}`, [...(results.get(`${size}|${name}`) ?? []), perRow]); // round 0 warms up
    }
  }
}
console.log("µs of CPU per row written (file-backed PGlite, caches evicted before each statement; two rounds after a warm-up)");
for (const [key, values] of results) {
  const [size, name] = key.split("|");
  console.log(`  ${size!.padStart(2)} rows, ${name!.padEnd(24)} ${values.map((v) => v.toFixed(0).padStart(4)).join(" ")}`);
}
await close();
rmSync(dataDir, { recursive: true, force: true });
