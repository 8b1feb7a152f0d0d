/**
 * `npm run bench [-- --quick] [-- --only latency,calls,batch,state,scale] [-- --parallel N]`
 *
 * Figures, never assertions: release latency and API calls per release against the emulator on the real
 * clock, the same for many concurrent releases with batched and per-resource reads, bytes of provider
 * code per resource in Pulumi state, and create/destroy at scale through the real Pulumi CLI under a
 * 20 requests/s per-action throttle. Each part writes bench/results/<part>.json (with the machine, Node
 * and CLI versions) and prints a table.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MachineInfo, describeMachine, machineInfo, markdownTable, parseArgs, pulumiBinDir, repoRoot, resultsDir, table, writeResult } from "./common";
import { CALLS_HEADERS, LATENCY_HEADERS, ReleaseResult, callsRows, failureLines, latencyRows, measureReleases, printCalls, printLatency } from "./release";
import { StateResult, measureState, printState } from "./state";
import { ScaleResult, measureScale, printScale } from "./scale";
import { writePlots } from "./plots";
import {
  BATCH_HEADERS,
  BATCH_MODES,
  BATCH_SCALE_HEADERS,
  BatchMode,
  BatchReleaseResult,
  BatchScaleComparison,
  DESTROY_HEADERS,
  ThrottledDestroy,
  batchRows,
  batchScaleRows,
  destroyRows,
  measureBatchedReleases,
  measureThrottledDestroy,
  printBatch,
  printBatchScale,
} from "./batch";

const PARTS = ["latency", "calls", "batch", "state", "scale"] as const;
type Part = (typeof PARTS)[number];

const USAGE = `usage: npm run bench [-- --quick] [-- --only ${PARTS.join(",")}] [-- --parallel N] [-- --sizes 50,100,200,400] [-- --no-baseline] [-- --reps N] [-- --summary] [-- --releases-only]
  --summary    only rewrite bench/results/summary.md from the JSON results there
  --quick      a short run (about a minute): fewer settle times and repetitions, 100 resources for state, 50 for scale
  --only       comma-separated parts (default: all); batch = 1/10/100/200 EIPs released concurrently with batched
               and per-resource reads, then 200+200 resources destroyed through the CLI both ways (--quick: 1/10/100, 50+50)
  --releases-only  with --only batch: measure the concurrent releases only; the throttled-destroy and CLI
               tables are kept from the batch.json already there (the summary says which run they come from)
  --parallel   pulumi --parallel for the scale part (default: the CLI's default, 8 = 4 × cores)
  --no-baseline  skip the unthrottled run of the largest size
  --sizes      total resources per scale step, half allocations, half EIPs (default 50,100,200,400; --quick 50)
  --reps       repetitions per (resource, S, poller) for latency/calls (default 5; --quick 2)`;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The CLI parts need the Pulumi CLI that scripts/install-pulumi builds; build it (idempotent) or say how. */
function ensurePulumi(): void {
  const bin = pulumiBinDir();
  const script = path.join(repoRoot(), "scripts", "install-pulumi");
  log(`checking the Pulumi CLI (scripts/install-pulumi; builds it from Go modules on the first run, several minutes)…`);
  const r = spawnSync("bash", [script], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0 || !existsSync(path.join(bin, "pulumi")) || !existsSync(path.join(bin, "pulumi-language-nodejs"))) {
    throw new Error(
      `the state and scale parts drive the real Pulumi CLI, which scripts/install-pulumi builds into ${bin} (it needs Go; \`npm test\` runs it too). ` +
        `It failed or left no CLI; run \`bash scripts/install-pulumi\` and look at its output, or run only the emulator parts: npm run bench -- --only latency,calls`,
    );
  }
}

async function main(): Promise<void> {
  const { flags, values } = parseArgs(process.argv.slice(2));
  if (flags.has("help") || flags.has("h")) {
    log(USAGE);
    return;
  }
  if (flags.has("summary")) {
    log(`wrote ${path.relative(process.cwd(), writeSummary())}`);
    return;
  }
  for (const f of flags) if (f !== "quick" && f !== "no-baseline" && f !== "releases-only") throw new Error(`unknown flag --${f}\n${USAGE}`);
  for (const k of values.keys()) if (!["only", "parallel", "sizes", "reps"].includes(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const quick = flags.has("quick");
  const only = (values.get("only") ?? PARTS.join(",")).split(",").map((s) => s.trim()).filter(Boolean);
  for (const p of only) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`unknown part "${p}" (known: ${PARTS.join(", ")})`);
  const parts = new Set(only as Part[]);
  const parallel = values.has("parallel") ? Number(values.get("parallel")) : undefined;
  if (parallel !== undefined && !(Number.isInteger(parallel) && parallel > 0)) throw new Error("--parallel must be a positive whole number");
  const reps = values.has("reps") ? Number(values.get("reps")) : quick ? 2 : 5;
  if (!(Number.isInteger(reps) && reps > 0)) throw new Error("--reps must be a positive whole number");
  const sizes = (values.get("sizes") ?? (quick ? "50" : "50,100,200,400")).split(",").map(Number);
  if (sizes.some((n) => !(Number.isInteger(n) && n >= 2 && n % 2 === 0))) throw new Error("--sizes must be even whole numbers ≥ 2");

  const releasesOnly = flags.has("releases-only");
  if (releasesOnly && !parts.has("batch")) throw new Error(`--releases-only applies to the batch part (--only batch)\n${USAGE}`);
  if (parts.has("state") || parts.has("scale") || (parts.has("batch") && !releasesOnly)) ensurePulumi();
  let machine: MachineInfo = machineInfo();
  log(describeMachine(machine));
  const started = Date.now();
  const written: string[] = [];
  const mode = quick ? "quick" : "full";

  if (parts.has("latency") || parts.has("calls")) {
    const settle = quick ? [500, 2000] : [500, 2000, 5000];
    const pollers = parts.has("calls") ? ["ours", "reference", "growth-0.5", "growth-1", "growth-2"] : ["ours", "reference"];
    log(`\n== release latency and API calls per release (real clock, settle times ${settle.map((s) => s / 1000).join(", ")} s, ${reps} repetitions)`);
    const release: ReleaseResult = await measureReleases({ eipSettleMs: settle, allocationSettleMs: [0, ...settle], reps, pollers, log });
    if (parts.has("latency")) {
      log(`\nrelease latency: delete() start → release confirmed (goal ≤ 1.2 × S)\n${printLatency(release)}`);
      written.push(writeResult("latency", { part: "latency", mode, machine, headers: LATENCY_HEADERS, rows: latencyRows(release), failed: failureLines(release), ...release }));
    }
    if (parts.has("calls")) {
      log(`\nAPI calls per release, from the emulator's call log (goal ≤ 3 per allocation, ≤ 6 per EIP)\n${printCalls(release)}`);
      for (const l of failureLines(release)) log(`failed: ${l}`);
      written.push(writeResult("calls", { part: "calls", mode, machine, headers: CALLS_HEADERS, rows: callsRows(release), failed: failureLines(release), ...release }));
    }
  }

  if (parts.has("batch")) {
    machine = machineInfo();
    written.push(await runBatchPart(quick, parallel, mode, machine, releasesOnly));
  }

  if (parts.has("state")) {
    machine = machineInfo();
    log(`\n== bytes of provider code per resource in state (real CLI, 100 resources)`);
    const state = await measureState({ total: 100, log });
    log(`\n${printState(state)}`);
    written.push(writeResult("state", { part: "state", mode, machine, ...state }));
  }

  if (parts.has("scale")) {
    machine = machineInfo();
    log(`\n== scale: create then destroy through the real CLI, every action throttled at 20 requests/s (sizes ${sizes.join(", ")})`);
    const scale = await measureScale({ sizes, perSecond: 20, parallel, baseline: !flags.has("no-baseline"), log });
    log(`\n${printScale(scale)}`);
    written.push(writeResult("scale", { part: "scale", mode, machine, ...scale }));
  }

  const summary = writeSummary();
  log(`\n${describeMachine(machine)}`);
  log(`summary of the latest results (Markdown): ${path.relative(process.cwd(), summary)}`);
  log(`plots (SVG, linked from the summary): ${(await writePlots()).map((f) => path.relative(process.cwd(), f)).join(", ")}`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; wrote ${written.map((f) => path.relative(process.cwd(), f)).join(", ") || "nothing"}`);
}

/** The batch part's throttled-destroy and CLI tables, as batch.json holds them. */
interface BatchScaleTables {
  destroyHeaders: string[];
  destroyRows: (string | number)[][];
  scaleHeaders: string[];
  scaleRows: (string | number)[][];
  destroys: ThrottledDestroy[];
  scale: BatchScaleComparison;
  /** Set when these tables were kept from an earlier run (`--releases-only`): that run's time and commit. */
  carriedOver?: { measuredAt: string; gitCommit: string | null };
}

/** The batch part: concurrent releases both ways, then (unless `releasesOnly`) the throttled scale step both ways through the CLI. */
async function runBatchPart(quick: boolean, parallel: number | undefined, mode: string, machine: MachineInfo, releasesOnly: boolean): Promise<string> {
  const settle = quick ? [500, 2000] : [500, 2000, 5000];
  const counts = quick ? [1, 10, 100] : [1, 10, 100, 200];
  log(`\n== batched reads: ${counts.join(", ")} EIPs released concurrently, per-resource and batched reads (real clock, S = ${settle.map((s) => s / 1000).join(", ")} s)`);
  const releases: BatchReleaseResult = await measureBatchedReleases({ settleMs: settle, counts, log });
  log(`\n${printBatch(releases)}`);
  const tables = releasesOnly ? previousScaleTables() : await measureBatchScale(quick, parallel);
  const { runs, ...rest } = releases;
  // Per-EIP samples of the 200-EIP runs are many: the file keeps each run's figures and its samples' ratios only.
  const compactRuns = runs.map(({ samples, ...run }) => ({ ...run, samples: samples.map((s) => ({ latencyMs: Math.round(s.latencyMs), sinceReleaseMs: s.sinceReleaseMs, ...(s.error ? { error: s.error } : {}) })) }));
  return writeResult("batch", { part: "batch", mode, machine, headers: BATCH_HEADERS, rows: batchRows(releases), ...tables, ...rest, runs: compactRuns });
}

/** `--releases-only`: the throttled-destroy and CLI tables of the batch.json already there, marked as carried over. */
function previousScaleTables(): BatchScaleTables {
  const previous = readResult<BatchScaleTables>("batch");
  if (!previous?.scale) throw new Error("--releases-only keeps the throttled-destroy and CLI tables of bench/results/batch.json, which has none: run the whole batch part once");
  const { destroyHeaders, destroyRows, scaleHeaders, scaleRows, destroys, scale } = previous;
  return { destroyHeaders, destroyRows, scaleHeaders, scaleRows, destroys, scale, carriedOver: previous.carriedOver ?? { measuredAt: previous.machine.measuredAt, gitCommit: previous.machine.gitCommit } };
}

/** The throttled destroy in one process, then the scale step through the real CLI, each per-resource and batched. */
async function measureBatchScale(quick: boolean, parallel: number | undefined): Promise<BatchScaleTables> {
  const size = quick ? 100 : 400;
  const destroys: ThrottledDestroy[] = [];
  for (const batchMode of BATCH_MODES) {
    log(`\n== batched reads, throttled destroy in one process: ${size / 2} allocations + ${size / 2} EIPs deleted at once, every action throttled at 20 requests/s, ${batchMode} reads`);
    destroys.push(await measureThrottledDestroy({ allocations: size / 2, eips: size / 2, perSecond: 20, mode: batchMode }));
  }
  log(`\n${table(DESTROY_HEADERS, destroyRows(destroys))}`);
  const scale: BatchScaleComparison = { perSecond: 20, parallel: parallel ?? "CLI default (8)", steps: [] };
  for (const [batchMode, env] of [
    ["per-resource", { ALICLOUD_RELEASE_BATCH_READS: "false" }],
    ["batched", {}],
  ] as [BatchMode, Record<string, string>][]) {
    log(`\n== batched reads at scale: ${size} resources through the real CLI, every action throttled at 20 requests/s, ${batchMode} reads`);
    const r = await measureScale({ sizes: [size], perSecond: 20, parallel, baseline: false, env, log });
    scale.steps.push({ mode: batchMode, step: r.steps[0] });
  }
  log(`\n${printBatchScale(scale)}`);
  return { destroyHeaders: DESTROY_HEADERS, destroyRows: destroyRows(destroys), scaleHeaders: BATCH_SCALE_HEADERS, scaleRows: batchScaleRows(scale), destroys, scale };
}

function readResult<T>(name: string): (T & { machine: MachineInfo; mode: string }) | undefined {
  const file = path.join(resultsDir(), `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T & { machine: MachineInfo; mode: string }) : undefined;
}

/** bench/results/summary.md: the latest result of every part as Markdown tables, each with its machine line. */
function writeSummary(): string {
  const out: string[] = ["# Benchmark results", "", "Generated by `npm run bench` from the JSON files beside this one; each part names the run it comes from.", ""];
  const header = (title: string, r: { machine: MachineInfo; mode: string }) => out.push(`## ${title}`, "", `_${r.mode} run, ${r.machine.measuredAt}; ${describeMachine(r.machine)}_`, "");
  type Rows = { headers: string[]; rows: (string | number)[][]; failed?: string[]; notes?: string[] };
  const latency = readResult<Rows>("latency");
  if (latency) {
    header("Release latency (delete() start → release confirmed; goal ≤ 1.2 × S)", latency);
    out.push(markdownTable(latency.headers, latency.rows), "", ...(latency.failed ?? []).map((l) => `- failed: ${l}`), ...(latency.notes ?? []).map((l) => `- ${l}`), "");
  }
  const calls = readResult<Rows>("calls");
  if (calls) {
    header("API calls per release (goal ≤ 3 per allocation, ≤ 6 per EIP)", calls);
    out.push(markdownTable(calls.headers, calls.rows), "");
  }
  const batch = readResult<Rows & BatchScaleTables & { notes: string[] }>("batch");
  if (batch) {
    header("Concurrent releases with batched reads (goals: ≤ 1.5 calls per release at 100+ EIPs, ≤ 1.2 × S; release actions ≥ 90 % of their throttle bound)", batch);
    out.push(markdownTable(batch.headers, batch.rows), "", ...batch.notes.map((l) => `- ${l}`), "");
    const from = batch.carriedOver;
    if (from) out.push(`_The two tables below come from an earlier run (${from.measuredAt}, commit ${from.gitCommit ?? "?"}): the run above measured the concurrent releases only (\`--releases-only\`)._`, "");
    out.push("Throttled destroy in one process (every delete at once, as the provider process runs them; no CLI):", "", markdownTable(batch.destroyHeaders, batch.destroyRows), "");
    out.push("The same resources through the real CLI:", "", markdownTable(batch.scaleHeaders, batch.scaleRows), "", `(every action throttled at ${batch.scale.perSecond} requests/s, burst ${batch.scale.perSecond}; --parallel ${batch.scale.parallel})`, "");
  }
  const state = readResult<StateResult>("state");
  if (state) {
    header("Provider code stored per resource in state (goal ≤ 2 KB per resource)", state);
    out.push(printState(state, true), "", ...state.notes.map((l) => `- ${l}`), "");
  }
  const scale = readResult<ScaleResult>("scale");
  if (scale) {
    header("Scale through the real CLI, every action throttled (goals: 0 failures, ≥ 80 % of the throttle bound)", scale);
    out.push(printScale(scale, true), "", ...scale.notes.map((l) => `- ${l}`), "");
  }
  const file = path.join(resultsDir(), "summary.md");
  writeFileSync(file, out.join("\n"));
  return file;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
