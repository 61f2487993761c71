/**
 * The example as a user runs it: plain `node src/main.js` on the compiled @herald/client (no tsx,
 * no TypeScript), against a real server, printing a friend list that changes live.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { befriend, connect, signUp, startTestServer, type TestServer } from "@herald/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const EXAMPLE_DIR = fileURLToPath(new URL("../", import.meta.url));
const PASSWORD = "correct horse"; // the test helpers' password

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

/** The script's output so far, and a way to await a line in it. */
function watch(child: ChildProcess) {
  let output = "";
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  return {
    get output() {
      return output;
    },
    async until(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`the script exited (${child.exitCode}) before printing ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} in the script's output:\n${output}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, Math.max(0, deadline - Date.now())).unref();
        });
      }
    },
  };
}

describe("examples/node-client", () => {
  it("imports the compiled @herald/client with plain node", () => {
    const printed = execFileSync(process.execPath, ["-e", "import('@herald/client').then(m => console.log(typeof m.createHeraldClient))"], {
      cwd: EXAMPLE_DIR,
      encoding: "utf8",
    });
    expect(printed.trim()).toBe("function");
  });

  it("signs in, prints the friend list, and prints it again as a friend comes online and a request arrives", async () => {
    const alice = await signUp(server.url);
    const bob = await signUp(server.url);
    const carol = await signUp(server.url);
    await befriend(alice, bob);

    const child = spawn(process.execPath, ["src/main.js", "--url", server.url, "--username", alice.username], {
      cwd: EXAMPLE_DIR,
      env: { ...process.env, HERALD_PASSWORD: PASSWORD },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const script = watch(child);
    try {
      await script.until(new RegExp(`○ ${bob.username} offline`));
      expect(script.output).toContain(`signed in as ${alice.username}`);

      const bobDevice = await connect(server.wsUrl, bob);
      await script.until(new RegExp(`● ${bob.username} online`));
      await carol.http.friends.request.mutate({ username: alice.username });
      await script.until(new RegExp(`wants to be friends: ${carol.username}`));
      await bobDevice.close();
    } finally {
      child.kill("SIGINT");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
  });
});
