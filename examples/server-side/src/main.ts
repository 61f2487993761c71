/**
 * Herald from server code: the router called in-process with `createCaller`, as an admin tool, a
 * job or a bot would. Two users sign up and become friends; Ada comes online and sets a status;
 * Grace reads it, then watches it change live through `presence.onChange`.
 *
 *   pnpm --filter @herald/example-server-side start   (builds it and the packages it uses, then runs it)
 *
 * Embedded database (PGlite, in memory) by default; set DATABASE_URL to use PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { openDatabase } from "@herald/db";
import { createCaller, createHeraldApp, MemoryPresenceBus, MemoryPresenceStore, type PresenceEvent } from "@herald/presence";

const databaseUrl = process.env["DATABASE_URL"];
const database = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir: null });
const app = createHeraldApp({
  db: database.db,
  store: new MemoryPresenceStore(),
  bus: new MemoryPresenceBus(),
  authSecret: randomUUID() + randomUUID(),
});

/** A user of this run (a suffix keeps names unique on a shared PostgreSQL). */
async function signUp(name: string) {
  const username = `${name}_${randomUUID().slice(0, 8)}`;
  const { user } = await createCaller(app, null).auth.signUp({ username, password: "correct horse battery" });
  return { ...user, caller: createCaller(app, user.id) };
}

const ada = await signUp("ada");
const grace = await signUp("grace");
const names = new Map([[ada.id, "ada"]]);

function describe(event: PresenceEvent): string {
  switch (event.type) {
    case "snapshot":
      return `snapshot: ${event.friends.map((friend) => `${names.get(friend.userId)} ${friend.status}`).join(", ")}`;
    case "update":
      return `update: ${names.get(event.presence.userId)} is ${event.presence.status}${event.presence.message ? `, "${event.presence.message}"` : ""}`;
    default:
      return event.type;
  }
}

await ada.caller.friends.request({ username: grace.username });
await grace.caller.friends.accept({ userId: ada.id });

// A connection is what puts a user online; a socket would open one, here the server does.
const adaOnline = await app.connections.open(ada.id, () => {});
await ada.caller.presence.setStatus({ status: "dnd", message: "writing the first program" });
const seen = await grace.caller.presence.get({ userId: ada.id });
console.log(`grace sees ada: ${seen.status}, "${seen.message ?? ""}"`);

// Events arrive typed as every client gets them: { id, data }. Leaving the loop ends the subscription.
const events = await grace.caller.presence.onChange();
let updates = 0;
for await (const { data: event } of events) {
  console.log(describe(event));
  if (event.type === "snapshot") await ada.caller.presence.setStatus({ status: "away", message: null });
  else if (event.type === "update" && ++updates === 1)
    await adaOnline.close(); // offline after the grace (OFFLINE_GRACE_MS)
  else if (event.type === "update") break;
}
await app.close({ settleGraces: true });
await database.close();
