/**
 * `pnpm --filter @herald/bench profile-summary <file.cpuprofile> [top]`: where a server's CPU
 * went — self time by function and by package, from a profile the bench wrote (`--profile`).
 * Given a `.heapprofile` (`--profile` with BENCH_ALLOC_PROFILE=1): where its bytes were
 * allocated, by function, itself and with what it calls.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
/** A sampling heap profile's tree (V8's `SamplingHeapProfile`). */
interface AllocationNode {
  callFrame: CallFrame;
  selfSize: number;
  children: AllocationNode[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function summarize(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, micros] of self) {
    const frame = byId.get(id)!.callFrame;
    const { functionName, url } = frame;
    const file = fileOf(url);
    const key = frameKey(frame);
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    const pkg = !url
      ? functionName.startsWith("(")
        ? functionName
        : "(native)"
      : url.startsWith("node:")
        ? "node:" + url.slice(5).split("/")[0]
        : url.includes("node_modules")
          ? file
              .split("/")
              .slice(0, file.startsWith("@") ? 2 : 1)
              .join("/")
          : file.split("/").slice(0, 3).join("/");
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  }
  const pct = (micros: number) => `${((micros / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `${(total / 1000).toFixed(0)} ms sampled over ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms`,
    "",
    "by package / area:",
  ];
  for (const [key, micros] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(micros)}  ${key}`);
  lines.push("", "by function (self time):");
  for (const [key, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(micros)}  ${key}`);
  return lines.join("\n");
}

/** Bytes allocated by function: by itself, and by it and everything it called. */
export function summarizeAllocations(head: AllocationNode, top = 25): string {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const walk = (node: AllocationNode, callers: ReadonlySet<string>) => {
    const key = frameKey(node.callFrame);
    const stack = new Set(callers).add(key); // a recursive function counts once per sample
    total += node.selfSize;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    for (const frame of stack) inclusive.set(frame, (inclusive.get(frame) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, stack);
  };
  walk(head, new Set());
  const pct = (bytes: number) => `${((bytes / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${(total / 2 ** 20).toFixed(1)} MiB allocated (sampled)`, "", "by function (self):"];
  for (const [key, bytes] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(bytes)}  ${key}`);
  lines.push("", "by function (with what it calls):");
  for (const [key, bytes] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(bytes)}  ${key}`);
  return lines.join("\n");
}

function fileOf(url: string): string {
  return url
    .replace(/^file:\/\//, "")
    .replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")
    .replace(/^\/work\/main\//, "");
}

function frameKey({ functionName, url, lineNumber }: CallFrame): string {
  const file = fileOf(url);
  return `${functionName || "(anonymous)"}  ${file ? `${file}:${lineNumber + 1}` : ""}`.trim();
}

if (process.argv[1]?.endsWith("profile-summary.ts")) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error("usage: profile-summary <file.cpuprofile | file.heapprofile> [top]");
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile | { head: AllocationNode };
  console.log("head" in profile ? summarizeAllocations(profile.head, Number(top ?? 25)) : summarize(profile, Number(top ?? 25)));
}
