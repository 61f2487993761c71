/**
 * Issue 14, goal 4: the resident memory of an embedded Herald (PGlite on disk, in-memory store)
 * idling with N users, each subscribed on one connection, with 2 × `friends` friends each.
 *
 *   pnpm --filter @herald/bench embedded-rss [users=1000] [friends=10]
 *
 * The server runs in its own process (under tsx, which the figure includes); the clients run here.
 * Test-strength password hashing, so that signing up 1,000 users takes seconds.
 */
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, signUp, type TestUser } from "@herald/server/testing";

const users = Number(process.argv[2] ?? 1000);
const friendsEachWay = Number(process.argv[3] ?? 10);
const dataDir = join(mkdtempSync(join(tmpdir(), "herald-rss-")), "data");
const server = fork(new URL("./embedded-rss/server.ts", import.meta.url).pathname, [dataDir], {
  execArgv: ["--conditions=@herald/source", "--import", "tsx"],
});
const { url, wsUrl } = await new Promise<{ url: string; wsUrl: string }>((resolve) => server.once("message", resolve as never));
const rssMiB = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))![1]) / 1024);

const people: TestUser[] = [];
for (let i = 0; i < users; i += 50) people.push(...(await Promise.all(Array.from({ length: Math.min(50, users - i) }, () => signUp(url)))));
const pairs: Array<[TestUser, TestUser]> = [];
for (let i = 0; i < users; i++) for (let k = 1; k <= friendsEachWay; k++) pairs.push([people[i]!, people[(i + k) % users]!]);
for (let i = 0; i < pairs.length; i += 100) {
  await Promise.all(
    pairs.slice(i, i + 100).map(async ([a, b]) => {
      await a.http.friends.request.mutate({ username: b.username });
      await b.http.friends.accept.mutate({ userId: a.id });
    }),
  );
}
const devices = [];
for (let i = 0; i < users; i += 100)
  devices.push(...(await Promise.all(people.slice(i, i + 100).map((u) => connect(wsUrl, u, { subscribe: true })))));
const samples: number[] = [];
for (let i = 0; i < 5; i++) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  samples.push(rssMiB());
}
console.log(
  `embedded Herald idle with ${devices.length} subscribed users × ${2 * friendsEachWay} friends: RSS ${samples.join(", ")} MiB (1 s apart)`,
);
server.kill("SIGKILL");
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
