/**
 * docs/protocol.md is the contract the code cites: it must name every procedure the router has,
 * every event the subscription can send, every WebSocket close code the server uses, and every
 * setting env.ts reads. This keeps it from falling behind the code; whether what it says about
 * them is right is the job of the behaviour tests.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { appRouter } from "@herald/presence";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const protocol = read("docs/protocol.md");

/** The text of one `## n.` section of the protocol. */
function section(n: number): string {
  const start = protocol.indexOf(`\n## ${n}. `);
  const end = protocol.indexOf("\n## ", start + 1);
  expect(start, `docs/protocol.md has a section ${n}`).toBeGreaterThan(-1);
  return protocol.slice(start, end === -1 ? undefined : end);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("docs/protocol.md", () => {
  it("numbers rules 1–11 in §2, with a stable anchor each", () => {
    const rules = section(2);
    for (let n = 1; n <= 11; n++) {
      expect(rules).toContain(`<a id="rule-${n}"></a>`);
      expect(rules).toContain(`**Rule ${n} — `);
    }
  });

  it("§3's table lists every procedure of appRouter", () => {
    const table = section(3);
    const procedures = Object.keys(appRouter._def.procedures);
    expect(procedures).toContain("presence.onChange");
    for (const path of procedures) expect(table, `docs/protocol.md §3 lists ${path}`).toContain(`| \`${path}\` |`);
  });

  it("§3 describes every event of presence.onChange", () => {
    // The wire shapes live in @herald/protocol (packages/presence re-exports them).
    const file = sourceFiles("packages/protocol/src").find((path) => /export type PresenceEvent\b/.test(readFileSync(path, "utf8")));
    expect(file, "PresenceEvent is declared somewhere in packages/protocol/src").toBeDefined();
    const declaration = /export type PresenceEvent\b([\s\S]*?);\n/.exec(readFileSync(file!, "utf8"))![1]!;
    const types = [...declaration.matchAll(/type: "(\w+)"/g)].map((m) => m[1]!);
    expect(types).toContain("snapshot");
    const events = section(3);
    for (const type of types) expect(events, `docs/protocol.md §3 describes ${type}`).toContain(`| \`${type}\` |`);
  });

  it("§5 lists every application close code the server uses", () => {
    // Application close codes are 4000–4999; any such number on a line that speaks of closing.
    const codes = new Set<string>();
    for (const path of [...sourceFiles("apps/server/src"), ...sourceFiles("packages/presence/src")]) {
      for (const [line] of readFileSync(path, "utf8").matchAll(/^.*close.*$/gim)) {
        for (const m of line.matchAll(/\b(4\d{3})\b/g)) codes.add(m[1]!);
      }
    }
    expect(codes.size).toBeGreaterThan(0);
    const sockets = section(5);
    for (const code of codes) expect(sockets, `docs/protocol.md §5 lists close code ${code}`).toContain(`| \`${code}\` |`);
  });

  it("§4 documents every setting env.ts reads", () => {
    const variables = [...new Set([...read("apps/server/src/env.ts").matchAll(/^\s+([A-Z][A-Z0-9_]+):\s/gm)].map((m) => m[1]!))];
    expect(variables).toContain("OFFLINE_GRACE_MS");
    const config = section(4);
    for (const name of variables) expect(config, `docs/protocol.md §4 documents ${name}`).toContain(`| \`${name}\` |`);
  });
});
