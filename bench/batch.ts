/**
 * Coalesced reads (provider/cloud/coalesce.ts): N Anycast EIPs released concurrently, on the real clock
 * against the emulator in a process of its own (bench/child-emulator.ts), with batched reads and — side by side in the same run — with per-resource reads
 * (`batchReads: false`, each delete polling with its own Describe calls, as before batching).
 *
 * For each settle time S (the emulator's `Releasing` duration) and each N, one run per mode: N EIPs are
 * seeded, then N deletes start at once, each with a fresh context (as the provider's runtime makes one per
 * engine call; production retry and poll policies). Figures:
 *   - API calls per release: every call the emulator logged during the run ÷ N, and by action;
 *   - latency ÷ S, p50 and max over the N EIPs: release call → release confirmed (the emulator starts the
 *     Releasing transition at the release call, so this is what the poll schedule adds), and delete() start
 *     → confirmed (which adds the pre-read and the queueing of N release calls on this machine).
 */
import { performance } from "node:perf_hooks";
import { EIPANYCAST_INSTANT_TIMING, startEmulator } from "../emulator";
import { anycastEipAddressLifecycle } from "../provider/anycast/eip-lifecycle";
import { ipamPoolAllocationLifecycle } from "../provider/ipam/lifecycle";
import { ChildEmulator, startChildEmulator } from "./child-emulator";
import { REGION, emulatorContext, markdownTable, max, median, seconds, table } from "./common";
import { PhaseResult, ScaleStep, everyAction, phase } from "./scale";

export type BatchMode = "batched" | "per-resource";
export const BATCH_MODES: readonly BatchMode[] = ["per-resource", "batched"];

export interface BatchSample {
  id: string;
  /** delete() start → resolved. */
  latencyMs: number;
  /** Release call reaching the emulator → delete() resolved; null when no release call was logged. */
  sinceReleaseMs: number | null;
  error?: string;
}

export interface BatchRun {
  count: number;
  /** Repetitions pooled into this run's figures (a single EIP is released several times for a spread). */
  reps: number;
  settleMs: number;
  mode: BatchMode;
  wallMs: number;
  calls: number;
  callsByAction: Record<string, number>;
  samples: BatchSample[];
  failures: number;
  firstError?: string;
}

export interface BatchReleaseResult {
  settleTimesMs: number[];
  counts: number[];
  runs: BatchRun[];
  notes: string[];
}

async function seedEips(emu: ChildEmulator, n: number): Promise<string[]> {
  const out = (await emu.control.seed({ eipanycast: { eips: Array.from({ length: n }, (_, i) => ({ name: `batch${i}` })) } })) as { eipanycast: { anycastIds: string[] } };
  return out.eipanycast.anycastIds;
}

/** Repetitions for N EIPs: enough to pool about 5 samples of a single EIP; one run otherwise. */
export const repsFor = (count: number): number => Math.max(1, Math.ceil(5 / count));

async function runOnce(emu: ChildEmulator, count: number, settleMs: number, mode: BatchMode): Promise<Omit<BatchRun, "reps">> {
  await emu.control.reset();
  await emu.control.setTiming({ eipanycast: { Allocating: 0, Releasing: settleMs } });
  const ids = await seedEips(emu, count);
  const since = (await emu.control.calls()).at(-1)?.seq ?? 0;
  const started = performance.now();
  const ended = new Map<string, { latencyMs: number; at: number; error?: string }>();
  await Promise.all(
    ids.map(async (id) => {
      const t0 = performance.now();
      let error: string | undefined;
      try {
        await anycastEipAddressLifecycle.delete(emulatorContext(emu, { batchReads: mode === "batched" }), id, { anycastId: id, regionId: REGION });
      } catch (err) {
        error = (err as Error).message;
      }
      ended.set(id, { latencyMs: performance.now() - t0, at: Date.now(), error });
    }),
  );
  const wallMs = performance.now() - started;
  const calls = await emu.control.calls(since);
  const callsByAction: Record<string, number> = {};
  for (const c of calls) callsByAction[c.action ?? "?"] = (callsByAction[c.action ?? "?"] ?? 0) + 1;
  // The emulator's clock is the real clock here (Date.now, in its own process on this machine), so
  // call-log times compare with `at`.
  const releasedAt = new Map(calls.filter((c) => c.action === "ReleaseAnycastEipAddress" && c.mutating).map((c) => [c.params.AnycastId, c.time]));
  const left = new Set(((await emu.control.state()).eipanycast as { eips: { anycastId: string }[] }).eips.map((e) => e.anycastId));
  const samples = ids.map((id): BatchSample => {
    const e = ended.get(id)!;
    const error = e.error ?? (left.has(id) ? "the EIP was still there after the delete returned" : undefined);
    const release = releasedAt.get(id);
    return { id, latencyMs: e.latencyMs, sinceReleaseMs: release === undefined ? null : e.at - release, ...(error ? { error } : {}) };
  });
  const failed = samples.filter((s) => s.error);
  return { count, settleMs, mode, wallMs, calls: calls.length, callsByAction, samples, failures: failed.length, firstError: failed[0]?.error };
}

/** Repetitions of one (N, S, mode) as one run: calls and samples added up. */
function pool(parts: Omit<BatchRun, "reps">[]): BatchRun {
  const callsByAction: Record<string, number> = {};
  for (const p of parts) for (const [a, n] of Object.entries(p.callsByAction)) callsByAction[a] = (callsByAction[a] ?? 0) + n;
  const samples = parts.flatMap((p) => p.samples);
  const failed = samples.filter((s) => s.error);
  return {
    count: parts[0].count,
    reps: parts.length,
    settleMs: parts[0].settleMs,
    mode: parts[0].mode,
    wallMs: parts.reduce((t, p) => t + p.wallMs, 0),
    calls: parts.reduce((t, p) => t + p.calls, 0),
    callsByAction,
    samples,
    failures: failed.length,
    firstError: failed[0]?.error,
  };
}

export async function measureBatchedReleases(options: { settleMs: number[]; counts: number[]; log?: (line: string) => void }): Promise<BatchReleaseResult> {
  const log = options.log ?? (() => undefined);
  const emu = await startChildEmulator();
  const runs: BatchRun[] = [];
  try {
    for (const settleMs of options.settleMs) {
      for (const count of options.counts) {
        for (const mode of BATCH_MODES) {
          const reps = repsFor(count);
          const parts: Omit<BatchRun, "reps">[] = [];
          for (let rep = 0; rep < reps; rep++) parts.push(await runOnce(emu, count, settleMs, mode));
          const run = pool(parts);
          log(`  S = ${seconds(settleMs, 1)}, ${count} EIPs × ${reps}, ${mode}: ${run.calls} calls (${(run.calls / (count * reps)).toFixed(2)} per release), ${seconds(run.wallMs, 1)}${run.failures ? `, ${run.failures} failed` : ""}`);
          runs.push(run);
        }
      }
    }
  } finally {
    await emu.close();
  }
  return {
    settleTimesMs: options.settleMs,
    counts: options.counts,
    runs,
    notes: [
      "Real clock, production retry and poll policies; every EIP of a run is deleted concurrently (started together), each delete with a fresh context as the provider's runtime makes one.",
      "per-resource = alicloud-release:batchReads false: each delete reads with its own DescribeAnycastEipAddress calls (the behaviour before batching); batched = the default: reads of one round share ListAnycastEipAddresses calls (≤ 50 AnycastIds each, the API's maximum).",
      "A single EIP is released 5 times one after another (figures pooled): its latency depends on where S falls between two probes.",
      "The emulator runs in a process of its own (`pulumi-alicloud-release emulator`), driven through its HTTP control plane: the deletes' process pays for its own calls only, as against the real cloud, instead of sharing one event loop with the emulator answering them (this machine has 2 cores for both).",
      "calls per release = every call the emulator logged during the run ÷ N; release → confirmed = from the release call reaching the emulator (where the S-long Releasing transition starts) to the delete returning.",
    ],
  };
}

const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : "—");

function ratios(run: BatchRun, pick: (s: BatchSample) => number | null): { p50: number; max: number } {
  const xs = run.samples.filter((s) => !s.error).map(pick).filter((x): x is number => x !== null).map((x) => x / run.settleMs);
  return { p50: median(xs), max: max(xs) };
}

/** `List 0.31, Describe 0.02, Release 1.00` — calls per release by action. */
export function perReleaseByAction(run: BatchRun): string {
  return Object.entries(run.callsByAction)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([a, n]) => `${a.replace(/AnycastEipAddress(es)?/, "")} ${(n / (run.count * run.reps)).toFixed(2)}`)
    .join(", ");
}

export const BATCH_HEADERS = [
  "EIPs",
  "S",
  "reads",
  "calls per release",
  "by action (per release)",
  "≤ 1.5",
  "release→confirmed ÷S p50",
  "÷S max",
  "≤ 1.2",
  "delete start→confirmed ÷S p50",
  "÷S max",
  "failed",
];

export function batchRows(r: BatchReleaseResult): (string | number)[][] {
  return r.runs.map((run) => {
    const perRelease = run.calls / (run.count * run.reps);
    const since = ratios(run, (s) => s.sinceReleaseMs);
    const whole = ratios(run, (s) => s.latencyMs);
    return [
      run.reps > 1 ? `${run.count} (× ${run.reps} runs)` : run.count,
      seconds(run.settleMs, 1),
      run.mode,
      perRelease.toFixed(2),
      perReleaseByAction(run),
      run.mode === "batched" && run.count >= 100 ? (perRelease <= 1.5 ? "yes" : "no") : "",
      ratio(since.p50),
      ratio(since.max),
      run.failures > 0 ? "no (failed)" : since.max <= 1.2 ? "yes" : "no",
      ratio(whole.p50),
      ratio(whole.max),
      run.failures,
    ];
  });
}

export function printBatch(r: BatchReleaseResult, md = false): string {
  const rows = batchRows(r);
  const failed = r.runs.filter((x) => x.failures > 0).map((x) => `failed: ${x.count} EIPs, S = ${seconds(x.settleMs, 1)}, ${x.mode}: ${x.failures} — ${x.firstError}`);
  return [md ? markdownTable(BATCH_HEADERS, rows) : table(BATCH_HEADERS, rows), ...failed].join("\n");
}

/** The scale step (N allocations + N EIPs through the real CLI, throttled) once per reads mode and --parallel. */
export interface BatchScaleComparison {
  perSecond: number;
  steps: { mode: BatchMode; parallel: number | string; step: ScaleStep }[];
}

export const BATCH_SCALE_HEADERS = ["resources", "reads", "--parallel", "destroy wall", "API window", "calls", "reads (Describe / Get / List)", "throttled", "release actions' rate (goal ≥ 90 %)", "failed", "removed"];

export function batchScaleRows(c: BatchScaleComparison): (string | number)[][] {
  return c.steps.map(({ mode, parallel, step }) => {
    const d = step.destroy;
    const ok = (a: string) => d.byAction[a]?.ok ?? 0;
    const reads = `${ok("DescribeAnycastEipAddress")} / ${ok("GetIpamPoolAllocation")} / ${ok("ListAnycastEipAddresses") + ok("ListIpamPoolAllocations")}`;
    const rate = d.releases.achieved === null ? "n/a" : `${(d.releases.achieved * 100).toFixed(0)} %`;
    return [`${step.size} (${step.allocations}+${step.eips})`, mode, parallel, seconds(d.wallMs, 1), seconds(d.apiWindowMs, 1), d.calls, reads, d.throttled, rate, d.failures, `${step.inCloudAfterUp - step.leftInCloud}/${step.inCloudAfterUp}`];
  });
}

export function printBatchScale(c: BatchScaleComparison, md = false): string {
  const rows = batchScaleRows(c);
  const note = `(every action throttled at ${c.perSecond} requests/s, burst ${c.perSecond})`;
  return [md ? markdownTable(BATCH_SCALE_HEADERS, rows) : table(BATCH_SCALE_HEADERS, rows), note].join(md ? "\n\n" : "\n");
}

/**
 * The scale step's destroy without the CLI: N allocations and N EIPs deleted at once in this process (as
 * the provider process runs a destroy's deletes, without the engine's --parallel limit or its checkpoint
 * writes), every action throttled. What bounds the destroy is then the provider and the throttle alone.
 */
export interface ThrottledDestroy {
  mode: BatchMode;
  /** Whether throttled actions were paced (provider/cloud/pacing.ts, the default) or each caller backed off on its own. */
  paced: boolean;
  allocations: number;
  eips: number;
  perSecond: number;
  phase: PhaseResult;
  failed: number;
  firstError?: string;
  left: number;
}

const DESTROY_POOL = "ipam-pool-benchbatch";

/** The throttled destroy's configurations, side by side: before batching, before pacing, and today's default. */
export const THROTTLED_DESTROY_CONFIGS: readonly { mode: BatchMode; paced: boolean }[] = [
  { mode: "per-resource", paced: false },
  { mode: "batched", paced: false },
  { mode: "batched", paced: true },
];

/** The notes under the throttle part's tables. */
export const THROTTLE_NOTES = [
  "Every action of both products has its own token bucket in the emulator: 20/s, burst 20; a call over it answers Throttling.User (400) and takes no token.",
  "release actions' rate = T_min / T_api, T_min = (successful calls of ReleaseAnycastEipAddress or DeleteIpamPoolAllocation − burst) / rate, the larger of the two; T_api = first to last API call of the destroy. 100 % = the releases ran at the throttle bound the whole time.",
  "unpaced = each throttled caller backs off on its own (full jitter from 1 s, capped at 5 s): the behaviour before pacing; paced = the default: the callers of a throttled action queue in the process and go one per interval at the rate the service accepted over the last second, plus 5 % (provider/cloud/pacing.ts).",
  "Through the CLI the engine runs at most --parallel deletes at once: at its default (8) no action is throttled and the engine, not the throttle, bounds the destroy.",
];

export async function measureThrottledDestroy(options: { allocations: number; eips: number; perSecond: number; mode: BatchMode; paced: boolean }): Promise<ThrottledDestroy> {
  const { allocations, eips, perSecond, mode, paced } = options;
  const emu = await startEmulator({ port: 0 });
  try {
    emu.control.setTiming({ eipanycast: EIPANYCAST_INSTANT_TIMING });
    const seeded = emu.control.seed({
      vpcipam: {
        pools: [{ ipamPoolId: DESTROY_POOL, regionId: REGION, cidrs: ["10.0.0.0/8"] }],
        allocations: Array.from({ length: allocations }, (_, i) => ({ ipamPoolId: DESTROY_POOL, cidr: `10.${i >> 8}.${i & 255}.0/24`, resourceType: "Custom" })),
      },
      eipanycast: { eips: Array.from({ length: eips }, (_, i) => ({ name: `bench${i}` })) },
    }) as { vpcipam: { ipamPoolAllocationIds: string[] }; eipanycast: { anycastIds: string[] } };
    for (const a of everyAction()) emu.control.setRateLimit({ ...a, perSecond, burst: perSecond });
    const since = emu.control.calls().at(-1)?.seq ?? 0;
    const started = performance.now();
    const ctx = () => emulatorContext(emu, { batchReads: mode === "batched", pace: paced ? {} : false });
    const outcomes = await Promise.allSettled([
      ...seeded.vpcipam.ipamPoolAllocationIds.map((id) => ipamPoolAllocationLifecycle.delete(ctx(), id, { allocationId: id, ipamPoolId: DESTROY_POOL, regionId: REGION })),
      ...seeded.eipanycast.anycastIds.map((id) => anycastEipAddressLifecycle.delete(ctx(), id, { anycastId: id, regionId: REGION })),
    ]);
    const wallMs = performance.now() - started;
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    const inv = emu.control.state() as { vpcipam: { allocations: unknown[] }; eipanycast: { eips: unknown[] } };
    return {
      mode,
      paced,
      allocations,
      eips,
      perSecond,
      phase: phase(emu.control.calls(since), { code: failed.length === 0 ? 0 : 1, wallMs, output: "" }, perSecond, perSecond),
      failed: failed.length,
      firstError: failed[0] ? String((failed[0].reason as Error)?.message ?? failed[0].reason) : undefined,
      left: inv.vpcipam.allocations.length + inv.eipanycast.eips.length,
    };
  } finally {
    await emu.close();
  }
}

export const DESTROY_HEADERS = ["resources", "reads", "throttled callers", "destroy", "calls", "reads (Describe / Get / List)", "throttled", "release actions' rate (goal ≥ 90 %)", "failed", "left"];

export function destroyRows(runs: ThrottledDestroy[]): (string | number)[][] {
  return runs.map((r) => {
    const ok = (a: string) => r.phase.byAction[a]?.ok ?? 0;
    const rate = r.phase.releases.achieved === null ? "n/a" : `${(r.phase.releases.achieved * 100).toFixed(0)} %`;
    return [
      `${r.allocations + r.eips} (${r.allocations}+${r.eips})`,
      r.mode,
      r.paced ? "paced" : "unpaced",
      seconds(r.phase.wallMs, 1),
      r.phase.calls,
      `${ok("DescribeAnycastEipAddress")} / ${ok("GetIpamPoolAllocation")} / ${ok("ListAnycastEipAddresses") + ok("ListIpamPoolAllocations")}`,
      r.phase.throttled,
      rate,
      r.failed,
      r.left,
    ];
  });
}
