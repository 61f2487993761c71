/**
 * The deployment files (docker-compose.yml, Dockerfile, deploy/nginx.conf) cannot be run here
 * (no Docker engine), so they are checked for what several servers need, and parsed by the real
 * tools when the machine has them: Debian's `docker-compose config` (apt-get install -y
 * docker-compose) and `nginx -t`.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "../../src/node-flags.js";

const ROOT = fileURLToPath(new URL("../../../..", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const run = promisify(execFile);

function which(binary: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, binary))) return join(dir, binary);
  }
  return null;
}

describe("deployment files", () => {
  it("docker-compose.yml: PostgreSQL 15, Redis 7, two servers sharing both, nginx; docker-compose accepts it", async () => {
    const compose = read("docker-compose.yml");
    expect(compose).toMatch(/image: postgres:15/);
    expect(compose).toMatch(/image: redis:7/);
    expect(compose).toMatch(/^ {2}herald-1:/m);
    expect(compose).toMatch(/^ {2}herald-2:/m);
    expect(compose).toMatch(/REDIS_URL: redis:\/\/redis:6379/);
    expect(compose).toMatch(/AUTH_SECRET: \$\{AUTH_SECRET:\?/); // one secret for every server
    expect(compose.match(/healthcheck:/g)?.length).toBeGreaterThanOrEqual(4);
    const dockerCompose = which("docker-compose");
    if (!dockerCompose) {
      console.warn("docker-compose not installed: parsed checks only (apt-get install -y docker-compose)");
      return;
    }
    const file = join(ROOT, "docker-compose.yml");
    const { AUTH_SECRET: _unset, ...withoutSecret } = process.env;
    const [parsed, refused] = await Promise.all([
      run(dockerCompose, ["-f", file, "config"], { env: { ...process.env, AUTH_SECRET: "a-secret-for-validation-only" } }),
      run(dockerCompose, ["-f", file, "config", "-q"], { env: withoutSecret }).then(
        () => null,
        (error: Error) => error,
      ),
    ]);
    for (const service of ["postgres:", "redis:", "herald-1:", "herald-2:", "nginx:"]) expect(parsed.stdout).toContain(service);
    // Without a secret, compose refuses rather than start servers that cannot share sessions.
    expect(refused?.message).toMatch(/AUTH_SECRET/);
  });

  it("docker-compose.yml's cluster profile: six Redis Cluster nodes, a create job, two servers on REDIS_CLUSTER_NODES; compose accepts it", async () => {
    const compose = read("docker-compose.yml");
    expect(compose).toMatch(/--cluster-enabled yes/);
    expect(compose).toMatch(/redis-cli --cluster create(\s+172\.29\.0\.2\d:6379){6} --cluster-replicas 1/);
    expect(compose).toMatch(/REDIS_CLUSTER_NODES: 172\.29\.0\.21:6379,/);
    expect(compose.match(/profiles: \["cluster"\]/g)?.length).toBeGreaterThanOrEqual(5);
    const dockerCompose = which("docker-compose");
    if (!dockerCompose) return; // said once, by the test above
    const file = join(ROOT, "docker-compose.yml");
    const env = { ...process.env, AUTH_SECRET: "a-secret-for-validation-only" };
    // (docker-compose 1.x lists profiled services with or without --profile; the file's own
    // `profiles:` lines, checked above, are what keep them out of a plain `up`.)
    const cluster = await run(dockerCompose, ["-f", file, "--profile", "cluster", "config", "--services"], { env });
    for (const service of ["redis-node-1", "redis-node-6", "redis-cluster-init", "herald-cluster-1", "herald-cluster-2", "nginx-cluster"]) {
      expect(cluster.stdout).toContain(service);
    }
  });

  it("metrics stay inside: compose scrapes METRICS_PORT on its network without publishing it; nginx never proxies it", () => {
    const compose = read("docker-compose.yml");
    expect(compose).toMatch(/METRICS_PORT: "9464"/);
    expect(compose).toMatch(/METRICS_HOST: 0\.0\.0\.0/);
    // Published ports are `host:container` mappings; 9464 must not be one of them.
    const published = [...compose.matchAll(/^\s+- "?([\w.${}:-]+:\d+)"?$/gm)].map((m) => m[1]!);
    expect(published.filter((mapping) => mapping.endsWith(":9464"))).toEqual([]);
    expect(read("deploy/prometheus.yml")).toMatch(/herald-1:9464/);
    const conf = read("deploy/nginx.conf").replace(/#.*$/gm, "");
    expect(conf).not.toMatch(/9464|metrics/);
  });

  it("Dockerfile: node:20-slim, pnpm 12.4.2, frozen lockfile, web built", () => {
    const dockerfile = read("Dockerfile");
    expect(dockerfile).toMatch(/^FROM node:20-slim( AS \w+)?$/m);
    expect(dockerfile).toContain("pnpm@12.4.2");
    expect(dockerfile).toContain("pnpm install --frozen-lockfile");
    expect(dockerfile).toContain("--filter=@herald/web");
    expect(read(".dockerignore")).toMatch(/node_modules/);
  });

  it("Dockerfile: multi-stage from turbo prune; the image runs compiled JS with production dependencies, as node", () => {
    const dockerfile = read("Dockerfile").replace(/^\s*#.*$/gm, "");
    const stages = dockerfile.split(/^(?=FROM )/m).filter((stage) => stage.startsWith("FROM "));
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/turbo prune @herald\/server\b[^\n]*--docker/);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^FROM node:20-slim\b/);
    // Only what runs: built output and installed production dependencies, never the sources.
    expect(runtime).not.toMatch(/^COPY (?!--from=)/m);
    expect(runtime).toMatch(/^COPY --from=\w+ \/app\/apps\/server\/dist\/? /m);
    expect(runtime).toMatch(/^COPY --from=\w+ \/app\/apps\/web\/dist\/? /m);
    const depsStage = stages.find((stage) => /pnpm install --prod --frozen-lockfile/.test(stage));
    expect(depsStage, "a stage installs production dependencies only").toBeDefined();
    // Not root, and the user is set before the command runs.
    const users = [...runtime.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe("node");
    expect(runtime.indexOf("USER node")).toBeLessThan(runtime.indexOf("CMD "));
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    const cmd = /^CMD (\[.*\])$/m.exec(runtime)?.[1];
    const argv = JSON.parse(cmd ?? "null") as string[];
    expect(argv[0]).toBe("node");
    expect(argv.at(-1)).toBe("apps/server/dist/main.js");
    expect(argv.slice(1, -1), "the server's V8 flags (node-flags.ts)").toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
    expect(argv.join(" ")).not.toMatch(/tsx|pnpm|\.ts\b/);
  });

  it("@herald/server builds to dist/main.js; tsx is a dev tool, not a dependency of the image", () => {
    const manifest = JSON.parse(read("apps/server/package.json")) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(manifest.scripts.build).toBeDefined();
    expect(Object.keys(manifest.dependencies)).not.toContain("tsx");
    const start = (JSON.parse(read("package.json")) as { scripts: { start: string } }).scripts.start;
    const nodeFlags = /turbo run build\b.*&& node (.*) apps\/server\/dist\/main\.js$/.exec(start)?.[1]?.split(" ");
    expect(nodeFlags, "pnpm start builds, then runs dist/main.js with node").toBeDefined();
    expect(nodeFlags, "the server's V8 flags (node-flags.ts)").toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
  });

  it("every setting the server reads is in .env.example and the README, and reaches `pnpm dev` through turbo.json", () => {
    // The schema's keys: every UPPER_CASE property name in env.ts, the only reader of process.env.
    const variables = [...new Set([...read("apps/server/src/env.ts").matchAll(/^\s+([A-Z][A-Z0-9_]+):\s/gm)].map((m) => m[1]!))];
    expect(variables).toContain("OFFLINE_GRACE_MS");
    const example = read(".env.example");
    const readme = read("README.md");
    const turbo = JSON.parse(read("turbo.json")) as { globalEnv?: string[]; tasks: { dev: { env?: string[]; passThroughEnv?: string[] } } };
    const reachesDev = new Set([...(turbo.globalEnv ?? []), ...(turbo.tasks.dev.env ?? []), ...(turbo.tasks.dev.passThroughEnv ?? [])]);
    // The README's configuration table.
    const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1));
    const documented = [...table.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]!);
    expect(documented.length).toBeGreaterThan(10);
    for (const name of variables) {
      expect(documented, `README's configuration table documents ${name}`).toContain(name);
      expect(example, `.env.example lists ${name}`).toMatch(new RegExp(`^#? ?${name}=`, "m"));
      expect(reachesDev.has(name), `turbo.json passes ${name} to dev`).toBe(true);
    }
    for (const name of documented) expect(example, `.env.example lists ${name}`).toMatch(new RegExp(`^#? ?${name}=`, "m"));
  });

  it("deploy/nginx.conf: both servers upstream, WebSocket upgrade on /trpc; nginx -t accepts it", async () => {
    const conf = read("deploy/nginx.conf");
    expect(conf).toMatch(/server herald-1:3000/);
    expect(conf).toMatch(/server herald-2:3000/);
    const trpc = /location \/trpc \{([\s\S]*?)\n {4}\}/.exec(conf)?.[1] ?? "";
    expect(trpc).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(trpc).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(trpc).toMatch(/proxy_read_timeout/);
    const nginx = which("nginx") ?? (existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : null);
    if (!nginx) {
      console.warn("nginx not installed: parsed checks only");
      return;
    }
    // nginx -t resolves upstream names, so point them at loopback in a throwaway copy.
    const dir = mkdtempSync(join(tmpdir(), "herald-nginx-"));
    try {
      writeFileSync(
        join(dir, "default.conf"),
        conf.replace(/herald-\d+:3000/g, "127.0.0.1:3000").replace(/listen 80;/, "listen 127.0.0.1:1;"),
      );
      const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((n) => `${n}_temp_path ${dir}/${n};`).join(" ");
      writeFileSync(
        join(dir, "nginx.conf"),
        `pid ${dir}/nginx.pid; error_log ${dir}/error.log; events {} http { access_log off; ${temp} include ${dir}/default.conf; }`,
      );
      const { stderr } = await run(nginx, ["-t", "-q", "-c", join(dir, "nginx.conf")]).catch((error: { stderr?: string }) => {
        throw new Error(`nginx -t rejected deploy/nginx.conf: ${error.stderr ?? String(error)}`);
      });
      expect(stderr).not.toMatch(/emerg/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
