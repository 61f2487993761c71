/**
 * `pnpm --filter @herald/example-host-app start [port]`: the host app with Herald inside, on
 * http://127.0.0.1:4000 by default, Herald's database embedded (PGlite in memory). It then shows
 * two of its users seeing each other live, and keeps running for you to try (see README.md).
 */
import { connectAs } from "./client.js";
import { startHostApp } from "./host-app.js";
import { DEMO_USERS } from "./users.js";

const port = Number(process.argv[2] ?? 4000);
const app = await startHostApp({ port, herald: { dataDir: null, logLevel: "warn" } });
console.log(`host app on ${app.url}; Herald at ${app.heraldUrl} (HTTP and WebSocket)`);
console.log(`demo users (username / password): ${DEMO_USERS.map((u) => `${u.username} / ${u.password}`).join(", ")}`);

const password = (username: string) => DEMO_USERS.find((u) => u.username === username)!.password;
const alice = await connectAs(app, "alice", password("alice"));
const subscription = alice.herald.presence.onChange.subscribe(undefined, {
  onData: ({ data }) => console.log(`alice sees: ${JSON.stringify(data)}`),
});
const bob = await connectAs(app, "bob", password("bob"));
await bob.herald.presence.setStatus.mutate({ status: "away", message: "building something" });

process.on("SIGINT", () => {
  subscription.unsubscribe();
  void Promise.all([alice.close(), bob.close()])
    .then(() => app.close())
    .then(() => process.exit(0));
});
