/**
 * Statements for PGlite that arrive in the same turn of the event loop go into its engine
 * together, as one simple query.
 *
 * Why: a simple query costs PGlite far more around the statement than in it. In the embedded
 * server during a connect burst (1,000 users × 20 friends), reading a user's token version took
 * ~450 µs of engine time, and a user's friends' presence rows ~700 µs, though PostgreSQL's own
 * `EXPLAIN ANALYZE` put planning and execution at ~0.1–0.3 ms. The rest is paid per trip into the
 * engine: the protocol, the implicit transaction, Emscripten's exception trampolines. Statements
 * sharing a trip share that cost (the row writer measured it for writes: ~350 µs alone, ~200 µs
 * each in twos, ~75 µs each in sixteens). While sockets connect, the reads of several of them
 * (friend lists, token versions, presence rows) are issued in the same turn.
 *
 * A simple query of several statements is one implicit transaction: when one of them fails,
 * none took effect, and each then runs again alone so that each caller gets its own answer. A
 * text with a `;` in it may be several statements (or a literal holding one) and always runs
 * alone, so that every statement of a combined query answers exactly one caller.
 */
import type { PGlite } from "@electric-sql/pglite";

/** Statements per trip at most: one trip runs on the server's thread from start to end. */
const MAX_COMBINED = 32;

interface Waiting {
  text: string;
  resolve: (rows: unknown[]) => void;
  reject: (error: unknown) => void;
}

interface Queue {
  items: Waiting[];
  sent: boolean;
}

const queues = new WeakMap<PGlite, Queue>();

/** The rows `text` (one statement) returns, run together with the other statements of this turn. */
export function execCombined(client: PGlite, text: string): Promise<unknown[]> {
  if (text.includes(";")) return execAlone(client, text);
  return new Promise((resolve, reject) => {
    let queue = queues.get(client);
    if (!queue) {
      const fresh: Queue = { items: [], sent: false };
      queues.set(client, fresh);
      setImmediate(() => send(client, fresh));
      queue = fresh;
    }
    queue.items.push({ text, resolve, reject });
    if (queue.items.length >= MAX_COMBINED) send(client, queue);
  });
}

function send(client: PGlite, queue: Queue): void {
  if (queue.sent) return;
  queue.sent = true;
  if (queues.get(client) === queue) queues.delete(client);
  void run(client, queue.items);
}

async function run(client: PGlite, items: Waiting[]): Promise<void> {
  if (items.length > 1) {
    const results = await client.exec(items.map((item) => item.text).join(";\n")).catch(() => null);
    if (results) {
      items.forEach((item, index) => item.resolve(results[index]?.rows ?? []));
      return;
    }
  }
  for (const item of items) execAlone(client, item.text).then(item.resolve, item.reject);
}

async function execAlone(client: PGlite, text: string): Promise<unknown[]> {
  const [result] = await client.exec(text);
  return result?.rows ?? [];
}
