/**
 * `pnpm --filter @herald/bench exec tsx src/conn-memory.ts [N] [snap]`: server heap per connection,
 * authenticated only vs subscribed to `presence.onChange`, on 21 users who are all friends
 * (20 friends each). With `snap`, writes heap snapshots to /tmp/heap/{base,auth,sub}.heapsnapshot
 * for a by-constructor diff. Used to find where an idle connection's memory goes.
 */
import { mkdirSync } from "node:fs";
import WebSocket from "ws";
import { Child } from "./children.js";
import { seedHerald } from "./seed.js";
mkdirSync("/tmp/heap", { recursive: true });
const n = 21;
const friends = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => j).filter((j) => j !== i));
const edges: Array<[number, number]> = [];
for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edges.push([i, j]);
const server = new Child("h", "herald-server.ts", [
  JSON.stringify({
    port: 0,
    host: "127.0.0.1",
    dataDir: null,
    authSecret: "x".repeat(20),
    presenceTtlMs: 60_000,
    offlineGraceMs: 500,
    rateLimits: false,
    statusRateLimit: 0,
    logLevel: "warn",
    webDistDir: "/nonexistent",
    passwordHashing: { params: { N: 2 ** 14, r: 8, p: 1 } },
  }),
]);
const { url } = await server.ready;
const { users } = await seedHerald(url, { users: n, friends, edges }, console.log);
const wsUrl = `${url.replace("http", "ws")}/trpc?connectionParams=1`;
const mem = async () => ({ heapUsed: (await server.request<{ heapUsed: number }>({ type: "gc" })).heapUsed, external: 0 });
const sockets: WebSocket[] = [];
async function open(count: number, subscribe: boolean) {
  for (let k = 0; k < count; k++) {
    const user = users[k % n]!;
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.on("open", () => {
        ws.send(JSON.stringify({ method: "connectionParams", data: { token: user.token } }));
        ws.send(
          JSON.stringify(
            subscribe
              ? { id: 1, method: "subscription", params: { path: "presence.onChange", input: {} } }
              : { id: 1, method: "query", params: { path: "auth.me", input: {} } },
          ),
        );
      });
      ws.on("message", (d) => {
        const t = d.toString();
        if (t === "PING") ws.send("PONG");
        else if (t.includes('"snapshot"') || t.includes('"username"')) resolve();
      });
      ws.on("error", reject);
    });
    sockets.push(ws);
  }
}
const N = Number(process.argv[2] ?? 500);
if (process.argv[3] === "snap") await server.request({ type: "heap-snapshot", path: "/tmp/heap/base.heapsnapshot" });
for (const subscribe of [false, true]) {
  const a = await mem();
  await open(N, subscribe);
  await new Promise((r) => setTimeout(r, 1500));
  const b = await mem();
  console.log(
    subscribe ? "subscribed" : "auth only ",
    "heap/conn",
    ((b.heapUsed - a.heapUsed) / N / 1024).toFixed(2),
    "KiB; external/conn",
    ((b.external - a.external) / N / 1024).toFixed(2),
  );
  if (process.argv[3] === "snap")
    await server.request({ type: "heap-snapshot", path: `/tmp/heap/${subscribe ? "sub" : "auth"}.heapsnapshot` });
  for (const s of sockets.splice(0)) s.terminate();
  await new Promise((r) => setTimeout(r, 2000));
}
await server.stop();
