/**
 * `pnpm --filter @herald/bench profile-summary <file.cpuprofile> [top]`: where a server's CPU
 * went — self time by function and by package, from a profile the bench wrote (`--profile`).
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
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
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url
      .replace(/^file:\/\//, "")
      .replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")
      .replace(/^\/work\/main\//, "");
    const key = `${functionName || "(anonymous)"}  ${file ? `${file}:${lineNumber + 1}` : ""}`.trim();
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

if (process.argv[1]?.endsWith("profile-summary.ts")) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error("usage: profile-summary <file.cpuprofile> [top]");
  console.log(summarize(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(top ?? 25)));
}
