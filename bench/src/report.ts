/** The bench's outputs: JSON, a markdown table (also spliced into BENCHMARKS.md), an SVG chart. */
import type { RepeatedFigure, RepeatedTarget } from "./repeats.js";
import type { StormResult } from "./storm.js";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface StepResult {
  /** Offered status changes per second. */
  rate: number;
  changesPerSec: number;
  deliveredPerSec: number;
  expectedDeliveries: number;
  received: number;
  /** Deliveries superseded by a later state of the same friend (coalesced; not lost). */
  coalesced: number;
  lost: number;
  outOfOrder: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  drainMs: number;
  serverCores: number;
  /** Of `serverCores`, the servers' main (JavaScript) threads alone. */
  serverJsThreadCores?: number;
  /** The servers' event-loop delay during the step, ms (the worst server's): a stall shows here. */
  loopDelayP99: number | null;
  loopDelayMax: number | null;
  /**
   * The generators' event-loop delay during the step, ms (the worst one's): a delivery read late
   * is timed late, so a stall here is in every latency above, whatever the server did. (Absent in
   * runs before 2026-12-07.)
   */
  clientLoopDelayP99?: number | null;
  clientLoopDelayMax?: number | null;
  /**
   * Herald's servers' own p99s during the step, ms (server-stages.ts): a change asked for →
   * published (the database write, the store's ordering), and published → handed to a subscriber
   * (the bus, the feeds). Null for the floor. (Absent in runs before 2026-12-07.)
   */
  changePublishP99?: number | null;
  fanOutP99?: number | null;
  generatorCores: number;
  machineCores: number;
  /**
   * Of `machineCores`, time the hypervisor gave other guests (CPU steal): on a shared VM whose
   * host is busy every figure is slower than the machine. (Absent in runs before 2026-12-03.)
   */
  stealCores?: number;
  /** Everything else on the machine meanwhile: PostgreSQL, Redis, and anything not ours (steal apart). */
  otherCores: number;
  generatorSaturated: boolean;
  pass: boolean;
}

export interface IdleResult {
  requested: number;
  opened: number;
  failed: number;
  heldMs: number;
  stillOpen: number;
  connectPerSec: number;
  rssPerConnBytes: number | null;
  heapPerConnBytes: number | null;
  rssBeforeBytes: number;
  rssAfterBytes: number;
}

export interface TargetResult {
  name: string;
  label: string;
  servers: number;
  seedMs: number | null;
  connectPerSec: number;
  /** Server CPU per connect + subscribe of the scenario, µs (absent in runs before 2026-12-04). */
  connectCpuMicros?: number | null;
  scenarioConnections: number;
  scenarioRssPerConnBytes: number;
  scenarioHeapPerConnBytes: number;
  idle: IdleResult | null;
  steps: StepResult[];
  maxSustainedDeliveriesPerSec: number;
  maxSustainedAtRate: number | null;
}

export interface BenchResult {
  mode: string;
  at: string;
  durationSec: number;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  scenario: {
    users: number;
    friends: number;
    rates: number[];
    stepMs: number;
    drainMs: number;
    generators: number;
    idleConnections: number;
    p99LimitMs: number;
    /** Servers on one CPU, everything else of the bench on the others (`--pin`). */
    pinned?: boolean;
  };
  command: string;
  targets: TargetResult[];
  /** With `--repeat N` (N > 1): each target's headline figures over the N runs. */
  repeats?: RepeatedTarget[];
  /** The connect storm (storm.ts), run once after the targets; absent when skipped. */
  storm?: StormResult;
  failures: Array<{ target: string; error: string }>;
}

const fmt = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? "–"
    : value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kib = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? "–" : `${fmt(bytes / 1024, 1)} KiB`);
const ratio = (value: number | null | undefined, floor: number | null | undefined) =>
  value === null || value === undefined || !floor ? "" : ` (${fmt(value / floor, 2)}×)`;

/** Herald's own two halves of a change's p99 (server-stages.ts); "–" for the floor and older runs. */
const stagesCell = (step: StepResult) =>
  step.changePublishP99 == null && step.fanOutP99 == null ? "–" : `${fmt(step.changePublishP99, 1)} / ${fmt(step.fanOutP99, 1)}`;

/** Server CPU per delivered event, µs: robust to a busy machine, unlike latency. */
export function cpuPerDelivery(step: StepResult): number | null {
  return step.deliveredPerSec > 0 ? (step.serverCores * 1e6) / step.deliveredPerSec : null;
}

/** The median over a target's steps of server CPU per delivery. */
export function medianCpuPerDelivery(target: TargetResult): number | null {
  const values = target.steps
    .map(cpuPerDelivery)
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  return values.length ? values[Math.floor(values.length / 2)]! : null;
}

/** The `--repeat` table: median (min–max) of each figure, the ratio of medians to the floor's. */
function renderRepeats(repeats: readonly RepeatedTarget[], users: number): string[] {
  const floor = repeats.find((t) => t.name === "floor");
  const cell = (t: RepeatedTarget, pick: (t: RepeatedTarget) => RepeatedFigure, digits: number, unit = "", toFloor = true) => {
    const f = pick(t);
    if (f.median === null) return "–";
    const vsFloor = !toFloor || t === floor || !floor ? "" : ratio(f.median, pick(floor).median);
    return `${fmt(f.median, digits)}${unit} (${fmt(f.min, digits)}–${fmt(f.max, digits)})${vsFloor}`;
  };
  const scaled = (f: RepeatedFigure, by: (v: number) => number): RepeatedFigure =>
    f.median === null ? f : { median: by(f.median), min: by(f.max!), max: by(f.min!) };
  const inKiB = (f: RepeatedFigure): RepeatedFigure =>
    f.median === null ? f : { median: f.median / 1024, min: f.min! / 1024, max: f.max! / 1024 };
  const lines = [
    `**Median of ${Math.max(...repeats.map((t) => t.runs))} runs** (range in brackets; ratios are of medians, to the floor's)`,
    "",
    "| target | runs | p99 at 200 changes/s (event-loop delay max) | p99 at 1,000 changes/s (event-loop delay max) | server CPU per change at 200/s | server CPU per delivery at 1,000/s | max sustained deliveries/s | connect + subscribe of all users | heap per idle connection |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const t of repeats) {
    lines.push(
      `| ${t.label} | ${t.runs}` +
        ` | ${cell(t, (x) => x.p99At200, 1, " ms", false)} (${cell(t, (x) => x.loopDelayMaxAt200, 1, " ms", false)})` +
        ` | ${cell(t, (x) => x.p99At1000, 1, " ms", false)} (${cell(t, (x) => x.loopDelayMaxAt1000, 1, " ms", false)})` +
        ` | ${cell(t, (x) => x.cpuPerChangeAt200Ms, 2, " ms")}` +
        ` | ${cell(t, (x) => x.cpuPerDeliveryAt1000Micros, 0, " µs")}` +
        ` | ${cell(t, (x) => x.maxSustainedDeliveriesPerSec, 0)}` +
        ` | ${cell(t, (x) => scaled(x.connectPerSec, (perSec) => users / perSec), 2, " s")}` +
        ` | ${cell(t, (x) => inKiB(x.idleHeapPerConnBytes), 1, " KiB")} |`,
    );
  }
  return lines;
}

export function renderMarkdown(result: BenchResult): string {
  const floor = result.targets.find((t) => t.name === "floor");
  const s = result.scenario;
  const lines: string[] = [];
  lines.push(
    `Run ${result.at} (${result.mode}, ${result.durationSec} s): \`${result.command}\` — ${s.users} users × ${s.friends} friends, ` +
      `${s.stepMs} ms per step, ${s.generators} generator processes${s.pinned ? ", servers pinned to CPU 0 and the bench's clients to the rest" : ""}; machine: ${result.machine.cpus} × ${result.machine.cpuModel}, ` +
      `${result.machine.memoryGiB} GiB, Node ${result.machine.node}.`,
  );
  const steal = stealWarning(result);
  if (steal) lines.push("", steal);
  const topRate = topRateWarning(result);
  if (topRate) lines.push("", topRate);
  if (result.repeats) lines.push("", ...renderRepeats(result.repeats, s.users));
  lines.push("");
  lines.push(`**Summary**${result.repeats ? " of the last run" : ""} (ratios are to the floor; for memory, lower is better)`);
  lines.push("");
  lines.push(
    "| target | max sustained deliveries/s (p99 ≤ 250 ms, no loss) | p99 at 1,000 changes/s | server CPU per delivery (→ deliveries/s per core) | connect + subscribe /s | server memory per connection, scenario (heap / RSS) | per idle connection (RSS / heap) | idle connections held |",
  );
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- |");
  const p99At = (t: TargetResult, rate: number) => t.steps.find((step) => step.rate === rate)?.p99 ?? null;
  for (const t of result.targets) {
    const idle = t.idle;
    lines.push(
      `| ${t.label} | ${fmt(t.maxSustainedDeliveriesPerSec)}${t === floor ? "" : ratio(t.maxSustainedDeliveriesPerSec, floor?.maxSustainedDeliveriesPerSec)}` +
        ` | ${p99At(t, 1000) === null ? "–" : `${fmt(p99At(t, 1000), 1)} ms`}${t === floor ? "" : ratio(p99At(t, 1000), floor ? p99At(floor, 1000) : null)}` +
        ` | ${medianCpuPerDelivery(t) === null ? "–" : `${fmt(medianCpuPerDelivery(t), 0)} µs (${fmt(1e6 / medianCpuPerDelivery(t)!, 0)})`}${t === floor || !floor ? "" : ratio(medianCpuPerDelivery(t), medianCpuPerDelivery(floor))}` +
        ` | ${fmt(t.connectPerSec)}${t === floor ? "" : ratio(t.connectPerSec, floor?.connectPerSec)}` +
        ` | ${kib(t.scenarioHeapPerConnBytes)} / ${kib(t.scenarioRssPerConnBytes)}${t === floor ? "" : ratio(t.scenarioHeapPerConnBytes, floor?.scenarioHeapPerConnBytes)}` +
        ` | ${idle ? `${kib(idle.rssPerConnBytes)} / ${kib(idle.heapPerConnBytes)}${t === floor ? "" : ratio(idle.rssPerConnBytes, floor?.idle?.rssPerConnBytes)}` : "–"}` +
        ` | ${idle ? `${fmt(idle.stillOpen)} of ${fmt(idle.requested)} for ${fmt(idle.heldMs / 1000, 0)} s` : "–"} |`,
    );
  }
  lines.push("");
  lines.push(
    "**Steps** (latency = send → friend receives, ms; `coalesced` = superseded by a newer state in the same or a later event, not lost)",
  );
  lines.push("");
  lines.push(
    "| target | offered changes/s | sent/s | delivered/s | vs floor | p50 | p95 | p99 | max | event-loop delay p99 / max: server (clients) | in the server: asked → published / published → sent, p99 | lost | coalesced | CPU cores: server (its JS thread) / generators / rest of machine | server µs per delivery | result |",
  );
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const t of result.targets) {
    for (const step of t.steps) {
      const floorStep = floor?.steps.find((f) => f.rate === step.rate);
      const vs =
        t === floor || !floorStep
          ? ""
          : `${fmt(step.deliveredPerSec / floorStep.deliveredPerSec, 2)}× / p99 ${fmt((step.p99 ?? 0) / (floorStep.p99 || 1), 1)}×`;
      const problems = [step.outOfOrder ? `${step.outOfOrder} out of order` : "", step.errors ? `${step.errors} errors` : ""]
        .filter(Boolean)
        .join(", ");
      lines.push(
        `| ${t.name} | ${fmt(step.rate)} | ${fmt(step.changesPerSec)} | ${fmt(step.deliveredPerSec)} | ${vs} | ${fmt(step.p50, 1)} | ${fmt(step.p95, 1)} | ${fmt(step.p99, 1)} | ${fmt(step.max, 1)} | ${fmt(step.loopDelayP99, 1)} / ${fmt(step.loopDelayMax, 1)}${step.clientLoopDelayMax == null ? "" : ` (${fmt(step.clientLoopDelayP99, 1)} / ${fmt(step.clientLoopDelayMax, 1)})`} | ${stagesCell(step)} | ${fmt(step.lost)} | ${fmt(step.coalesced)} | ${fmt(step.serverCores, 2)}${step.serverJsThreadCores === undefined ? "" : ` (${fmt(step.serverJsThreadCores, 2)})`} / ${fmt(step.generatorCores, 2)} / ${fmt(step.otherCores, 2)} | ${fmt(cpuPerDelivery(step), 0)} | ${step.pass ? "pass" : "**fail**"}${step.generatorSaturated ? " (generator saturated)" : ""}${machineSaturated(step, result.machine.cpus) ? " (machine saturated)" : ""}${problems ? ` ${problems}` : ""} |`,
      );
    }
  }
  if (result.storm) lines.push("", ...renderStorm(result.storm));
  if (result.failures.length > 0) {
    lines.push("");
    for (const failure of result.failures) lines.push(`- **${failure.target} did not run to the end**: ${failure.error.split("\n")[0]}`);
  }
  return lines.join("\n");
}

/** The connect storm's one row: issue 14, goal 2. */
function renderStorm(storm: StormResult): string[] {
  const s = (ms: number | null) => (ms === null ? "–" : `${fmt(ms / 1000, 1)} s`);
  const spread = (p: StormResult["snapshotAfterRestartMs"]) => `${s(p.p50)} / ${s(p.p99)} / ${s(p.max)}`;
  return [
    `**Connect storm** (PostgreSQL + Redis, one server${storm.pinned ? " pinned to CPU 0" : ""}): ${fmt(storm.users)} users × ${storm.friends} friends, each subscribed once; ` +
      `the server restarts (graceful stop with hand-over, new process on the same port; the server bundled and run by plain node, as \`pnpm start\` runs it) and every client reconnects at a random moment within ` +
      `${s(storm.windowMs)} of losing its socket, retrying every ~0.2 s while nothing answers. Goal: every fresh snapshot within ${s(storm.deadlineMs)} of the restart, ` +
      `no friend ever shown offline (presence TTL ${s(storm.ttlMs)}; watched until the handed-over registrations expired). A single run.`,
    "",
    "| clients | initial connect + subscribe | restart (of it, the stop) | snapshot after the restart p50 / p99 / max | after the client's own attempt p50 / p99 / max | missing | offline views (viewers) | CPU cores: server / clients / rest | server event-loop delay p99 / max | goal |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    `| ${fmt(storm.users)} | ${s(storm.initialConnectMs)} | ${s(storm.restartMs)} (${s(storm.stopMs)}) | ${spread(storm.snapshotAfterRestartMs)} | ${spread(storm.snapshotAfterAttemptMs)} | ${fmt(storm.missing)} | ${fmt(storm.flaps)} (${fmt(storm.flappedViewers)}) | ${fmt(storm.serverCpuCores, 2)} / ${fmt(storm.clientCores, 2)} / ${fmt(storm.otherCores, 2)} | ${fmt(storm.loopDelayP99, 1)} / ${fmt(storm.loopDelayMax, 1)} ms | ${storm.met ? "met" : "**not met**"} |`,
  ];
}

const COLORS = ["#444444", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

/** p99 (solid) and p50 (dashed) latency against offered changes/s, log latency axis. */
export function renderSvg(result: BenchResult): string {
  const width = 860;
  const height = 480;
  const margin = { left: 70, right: 250, top: 40, bottom: 55 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const rates = result.targets.flatMap((t) => t.steps.map((s) => s.rate));
  const maxRate = Math.max(1000, ...rates);
  const minMs = 0.1;
  const latencies = result.targets.flatMap((t) => t.steps.map((s) => s.p99 ?? 0));
  const maxMs = 10 ** Math.ceil(Math.log10(Math.max(1000, ...latencies)));
  const x = (rate: number) => margin.left + (rate / maxRate) * plotW;
  const y = (ms: number) =>
    margin.top + plotH - ((Math.log10(Math.max(minMs, ms)) - Math.log10(minMs)) / (Math.log10(maxMs) - Math.log10(minMs))) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(
    `<text x="${margin.left}" y="22" font-size="14" font-weight="bold">Fan-out latency vs status-change rate (${result.scenario.users} users × ${result.scenario.friends} friends, ${result.mode})</text>`,
  );
  for (let exp = Math.log10(minMs); exp <= Math.log10(maxMs) + 1e-9; exp++) {
    const ms = 10 ** exp;
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(ms)}" y2="${y(ms)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${y(ms) + 4}" text-anchor="end">${ms >= 1 ? ms.toLocaleString("en-US") : ms}</text>`);
  }
  const tickStep = maxRate <= 2000 ? 250 : maxRate <= 5000 ? 1000 : 2000;
  for (let rate = 0; rate <= maxRate; rate += tickStep) {
    parts.push(`<line x1="${x(rate)}" x2="${x(rate)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#f0f0f0"/>`);
    parts.push(`<text x="${x(rate)}" y="${margin.top + plotH + 18}" text-anchor="middle">${rate.toLocaleString("en-US")}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  parts.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 12}" text-anchor="middle">status changes per second (each delivered to ${result.scenario.friends} friends)</text>`,
  );
  parts.push(`<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">latency, ms (log)</text>`);
  const limit = result.scenario.p99LimitMs;
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(limit)}" y2="${y(limit)}" stroke="#d62728" stroke-dasharray="2 3"/>`,
  );
  parts.push(`<text x="${margin.left + 4}" y="${y(limit) - 4}" fill="#d62728">p99 limit ${limit} ms</text>`);
  result.targets.forEach((target, i) => {
    const color = COLORS[i % COLORS.length];
    for (const [key, dash] of [
      ["p99", ""],
      ["p50", ' stroke-dasharray="5 4"'],
    ] as const) {
      const points = target.steps.filter((s) => s[key] !== null).map((s) => `${x(s.rate).toFixed(1)},${y(s[key]!).toFixed(1)}`);
      if (points.length === 0) continue;
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.join(" ")}"/>`);
      if (key === "p99") {
        for (const s of target.steps) {
          if (s.p99 === null) continue;
          parts.push(
            `<circle cx="${x(s.rate).toFixed(1)}" cy="${y(s.p99).toFixed(1)}" r="3.5" fill="${s.pass ? color : "white"}" stroke="${color}" stroke-width="1.5"/>`,
          );
        }
      }
    }
    const ly = margin.top + 10 + i * 36;
    const lx = margin.left + plotW + 16;
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 30}" y="${ly + 4}">${escapeXml(target.label)}</text>`);
    parts.push(
      `<text x="${lx + 30}" y="${ly + 19}" fill="#666">max ${target.maxSustainedDeliveriesPerSec.toLocaleString("en-US")} deliveries/s</text>`,
    );
  });
  const ly = margin.top + 10 + result.targets.length * 36 + 10;
  const lx = margin.left + plotW + 16;
  parts.push(`<text x="${lx}" y="${ly}" fill="#666">solid: p99, dashed: p50</text>`);
  parts.push(`<text x="${lx}" y="${ly + 16}" fill="#666">hollow point: step failed</text>`);
  parts.push(`</svg>`);
  return parts.join("\n");
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const MD_START = "<!-- bench:results:start -->";
const MD_END = "<!-- bench:results:end -->";

export function writeReports(result: BenchResult, outDir: string, benchmarksMd: string | null): { markdown: string; paths: string[] } {
  const markdown = renderMarkdown(result);
  const base = join(outDir, result.mode);
  const paths = [`${base}.json`, `${base}.md`, `${base}.svg`];
  writeFileSync(paths[0]!, JSON.stringify(result, null, 2) + "\n");
  writeFileSync(paths[1]!, `# Herald bench — ${result.mode}\n\n${markdown}\n\n![latency against rate](./${result.mode}.svg)\n`);
  writeFileSync(paths[2]!, renderSvg(result) + "\n");
  if (benchmarksMd && existsSync(benchmarksMd)) {
    const text = readFileSync(benchmarksMd, "utf8");
    const start = text.indexOf(MD_START);
    const end = text.indexOf(MD_END);
    if (start >= 0 && end > start) {
      writeFileSync(
        benchmarksMd,
        `${text.slice(0, start + MD_START.length)}\n${markdown}\n\n![latency against rate](bench/results/${result.mode}.svg)\n${text.slice(end)}`,
      );
      paths.push(benchmarksMd);
    }
  }
  return { markdown, paths };
}

/** Below this much CPU steal in every step, a run's figures are the machine's own. */
const NOTABLE_STEAL_CORES = 0.05;

/**
 * A target that passed the run's top rate was never taken to its limit: its max sustained is
 * only a lower bound, and a ratio to it (to the floor's, for issue 14's goal) only an upper bound.
 */
export function topRateWarning(result: BenchResult): string | null {
  const top = Math.max(...result.scenario.rates);
  const passed = result.repeats
    ? result.repeats.filter((t) => (t.topRatePassedRuns ?? 0) > 0).map((t) => `${t.label} (in ${t.topRatePassedRuns} of ${t.runs} runs)`)
    : result.targets.filter((t) => t.maxSustainedAtRate === top).map((t) => t.label);
  if (passed.length === 0) return null;
  return (
    `**Top rate passed:** ${passed.join(", ")} passed the run's top rate (${fmt(top)} changes/s): ` +
    "its max sustained is only a lower bound there, and a ratio to it only an upper bound. Higher `--rates` measure it."
  );
}

/**
 * A warning when the host took CPU time from this VM during the run's steps, else null. With
 * `--repeat`, any run's steps count: the medians are made of every run.
 */
export function stealWarning(result: BenchResult): string | null {
  const steals = result.targets.flatMap((t) => t.steps.map((step) => step.stealCores ?? 0));
  const repeated = result.repeats ?? [];
  const worst = Math.max(0, ...steals, ...repeated.map((t) => t.worstStealCores?.max ?? 0));
  if (worst < NOTABLE_STEAL_CORES) return null;
  const mean = steals.reduce((a, b) => a + b, 0) / steals.length;
  const [meanOf, worstOf] = repeated.length > 0 ? [" in the last run's steps", " of any run"] : ["", ""];
  return (
    `**CPU steal:** the host took ${fmt(mean, 2)} cores on average${meanOf} (up to ${fmt(worst, 2)} in a step${worstOf}) of this VM's ${result.machine.cpus} ` +
    "while it wanted to run: every CPU and latency figure of this run is worse than the machine's, and is comparable only with the floor's in the same run."
  );
}

/** Every core busy (server, generators and the rest together): the step's latency is partly the machine's. */
function machineSaturated(step: StepResult, cpus: number): boolean {
  return step.machineCores >= 0.95 * cpus;
}

/** `tsx src/report.ts <result.json> [--md]`: re-renders the markdown and chart of a saved run. */
if (process.argv[1]?.endsWith("report.ts")) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: report.ts <result.json> [--md]");
  const result = JSON.parse(readFileSync(file, "utf8")) as BenchResult;
  for (const step of result.targets.flatMap((t) => t.steps)) step.otherCores ??= step.machineCores - step.serverCores - step.generatorCores;
  const out = join(file, "..");
  const { markdown, paths } = writeReports(result, out, process.argv.includes("--md") ? join(out, "..", "..", "BENCHMARKS.md") : null);
  console.log(`${markdown}\n\nwrote ${paths.join(", ")}`);
}
