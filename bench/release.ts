/**
 * Release latency and API calls per release, on the real clock against the emulator.
 *
 * For each settle time S, every (resource, poller, repetition) delete runs concurrently over one
 * emulator, each on its own freshly seeded resource:
 *   - Anycast EIP: the emulator's `Releasing` transition takes S (the EIP is listed `Releasing`, then gone);
 *   - IPAM pool allocation: DeleteIpamPoolAllocation is synchronous in the API (and in the emulator), so
 *     S = 0 is the honest case; for S > 0 the delete's reply is delayed by S (a `latency` fault: the
 *     delete commits at once, its answer arrives S later), which is the closest the API comes to a wait.
 * Latency = delete() start → release confirmed (our delete() resolves / the reference poller sees it gone).
 * Calls = every API call the emulator logged for that resource's ID during the delete.
 */
import { performance } from "node:perf_hooks";
import { RunningEmulator, startEmulator } from "../emulator";
import { anycastEipAddressLifecycle } from "../provider/anycast/eip-lifecycle";
import { DEFAULT_POLL_POLICY, PollPolicy } from "../provider/cloud/poll";
import { ipamPoolAllocationLifecycle } from "../provider/ipam/lifecycle";
import { REGION, emulatorContext, markdownTable, max, median, seconds, table } from "./common";
import { REFERENCE_SCHEDULE, referenceReleaseAllocation, referenceReleaseEip } from "./reference";

export type ResourceKind = "eip" | "allocation";

export interface Poller {
  name: string;
  description: string;
  kind: "ours" | "reference";
  poll?: Partial<PollPolicy>;
}

const policyText = (p: PollPolicy) =>
  `first probe after ${p.firstDelayMs} ms, then every max(${p.minIntervalMs} ms, min(${p.maxIntervalMs} ms, ${p.growth} × time waited))`;

export const POLLERS: Record<string, Poller> = {
  ours: { name: "ours", kind: "ours", description: `our delete, default poll policy: ${policyText(DEFAULT_POLL_POLICY)}` },
  reference: {
    name: "reference",
    kind: "reference",
    description: `Terraform schedule (StateChangeConf Delay ${REFERENCE_SCHEDULE.delayMs / 1000} s, MinTimeout ${REFERENCE_SCHEDULE.minTimeoutMs / 1000} s): probes 5, 8, 14, 24, 34… s after the release`,
  },
  "growth-0.5": { name: "growth-0.5", kind: "ours", poll: { growth: 0.5 }, description: "our delete with growth 0.5 (interval = ½ of the time waited)" },
  "growth-1": { name: "growth-1", kind: "ours", poll: { growth: 1 }, description: "our delete with growth 1 (the wait doubles)" },
  "growth-2": { name: "growth-2", kind: "ours", poll: { growth: 2 }, description: "our delete with growth 2 (the wait triples)" },
};

export interface ReleaseSample {
  resource: ResourceKind;
  settleMs: number;
  poller: string;
  rep: number;
  id: string;
  latencyMs: number;
  /** From the release call reaching the emulator to the release confirmed: the poll schedule's own share. */
  sinceReleaseMs: number | null;
  calls: number;
  callsByAction: Record<string, number>;
  gone: boolean;
  error?: string;
}

export interface ReleaseSummaryRow {
  resource: ResourceKind;
  settleMs: number;
  poller: string;
  samples: number;
  latencyMedianMs: number;
  latencyMaxMs: number;
  /** median latency / S (null when S = 0) */
  ratioMedian: number | null;
  ratioMax: number | null;
  /** max (release call → confirmed) / S */
  sinceReleaseRatioMax: number | null;
  callsMedian: number;
  callsMax: number;
  failures: number;
  /** The first failure's message, when any delete failed. */
  firstError?: string;
}

export interface ReleaseResult {
  settleTimesMs: { eip: number[]; allocation: number[] };
  reps: number;
  pollers: Poller[];
  samples: ReleaseSample[];
  summary: ReleaseSummaryRow[];
  notes: string[];
}

export interface ReleaseOptions {
  eipSettleMs: number[];
  allocationSettleMs: number[];
  reps: number;
  pollers: string[];
  log?: (line: string) => void;
}

const POOL_ID = "ipam-pool-benchrelease";
const STAGGER_MS = 20;

function seedEip(emu: RunningEmulator): string {
  const out = emu.control.seed({ eipanycast: { eips: [{ name: "bench" }] } }) as { eipanycast: { anycastIds: string[] } };
  return out.eipanycast.anycastIds[0];
}

let nextBlock = 0;
function seedAllocation(emu: RunningEmulator): string {
  const n = nextBlock++;
  const cidr = `10.${(n >> 8) & 255}.${n & 255}.0/24`;
  const out = emu.control.seed({ vpcipam: { allocations: [{ ipamPoolId: POOL_ID, cidr, resourceType: "Custom", name: `bench-${n}` }] } }) as {
    vpcipam: { ipamPoolAllocationIds: string[] };
  };
  return out.vpcipam.ipamPoolAllocationIds[0];
}

function present(emu: RunningEmulator, resource: ResourceKind, id: string): boolean {
  const state = emu.control.state() as { vpcipam: { allocations: { ipamPoolAllocationId: string }[] }; eipanycast: { eips: { anycastId: string }[] } };
  return resource === "eip" ? state.eipanycast.eips.some((e) => e.anycastId === id) : state.vpcipam.allocations.some((a) => a.ipamPoolAllocationId === id);
}

type Run = Omit<ReleaseSample, "calls" | "callsByAction" | "sinceReleaseMs"> & { endedAt: number };

async function runOne(emu: RunningEmulator, resource: ResourceKind, settleMs: number, poller: Poller, rep: number): Promise<Run> {
  const id = resource === "eip" ? seedEip(emu) : seedAllocation(emu);
  // A fresh context per delete, as the provider's runtime makes one per call; production retry policy.
  // Batched reads off: the deletes of different pollers run side by side here, and batching would make
  // them ride each other's rounds; this part measures one delete's own schedule (bench/batch.ts measures
  // concurrent deletes with batching).
  const ctx = emulatorContext(emu, { batchReads: false, ...(poller.poll ? { poll: poller.poll } : {}) });
  const started = performance.now();
  let error: string | undefined;
  try {
    if (resource === "eip") {
      if (poller.kind === "ours") await anycastEipAddressLifecycle.delete(ctx, id, { anycastId: id, regionId: REGION });
      else await referenceReleaseEip(ctx, id, REGION);
    } else {
      if (poller.kind === "ours") await ipamPoolAllocationLifecycle.delete(ctx, id, { allocationId: id, ipamPoolId: POOL_ID, regionId: REGION });
      else await referenceReleaseAllocation(ctx, id, REGION);
    }
  } catch (err) {
    error = (err as Error).message;
  }
  const latencyMs = performance.now() - started;
  return { resource, settleMs, poller: poller.name, rep, id, latencyMs, endedAt: Date.now(), gone: !present(emu, resource, id), error };
}

export function summarize(samples: ReleaseSample[]): ReleaseSummaryRow[] {
  const groups = new Map<string, ReleaseSample[]>();
  for (const s of samples) {
    const key = `${s.resource}|${s.settleMs}|${s.poller}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((g) => {
    const { resource, settleMs, poller } = g[0];
    const ok = g.filter((s) => !s.error && s.gone);
    const lat = ok.map((s) => s.latencyMs);
    return {
      resource,
      settleMs,
      poller,
      samples: g.length,
      latencyMedianMs: median(lat),
      latencyMaxMs: max(lat),
      ratioMedian: settleMs > 0 ? median(lat) / settleMs : null,
      ratioMax: settleMs > 0 ? max(lat) / settleMs : null,
      sinceReleaseRatioMax: settleMs > 0 && ok.every((s) => s.sinceReleaseMs !== null) ? max(ok.map((s) => s.sinceReleaseMs!)) / settleMs : null,
      callsMedian: median(ok.map((s) => s.calls)),
      callsMax: max(ok.map((s) => s.calls)),
      failures: g.length - ok.length,
      firstError: g.find((s) => s.error)?.error ?? (g.some((s) => !s.gone) ? "the resource was still there after the delete returned" : undefined),
    };
  });
}

export async function measureReleases(options: ReleaseOptions): Promise<ReleaseResult> {
  const log = options.log ?? (() => undefined);
  const pollers = options.pollers.map((p) => {
    const found = POLLERS[p];
    if (!found) throw new Error(`unknown poller ${p}`);
    return found;
  });
  const emu = await startEmulator({ port: 0 });
  const samples: ReleaseSample[] = [];
  try {
    emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: POOL_ID, regionId: REGION, cidrs: ["10.0.0.0/8"] }] } });
    const settleTimes = [...new Set([...options.eipSettleMs, ...options.allocationSettleMs])].sort((a, b) => a - b);
    for (const s of settleTimes) {
      const resources: ResourceKind[] = [];
      if (options.eipSettleMs.includes(s)) resources.push("eip");
      if (options.allocationSettleMs.includes(s)) resources.push("allocation");
      emu.control.setTiming({ eipanycast: { Allocating: 0, Releasing: s } });
      emu.control.clearFaults();
      if (s > 0) emu.control.addFault({ product: "VpcIpam", action: "DeleteIpamPoolAllocation", kind: "latency", latencyMs: s });
      const since = emu.control.calls().at(-1)?.seq ?? 0;
      // Started STAGGER_MS apart, interleaved (rep, poller, resource), so that their busy moments (the read and
      // the release at the start) do not queue behind each other on this one Node thread.
      const runs: Promise<Run>[] = [];
      for (let rep = 0; rep < options.reps; rep++)
        for (const poller of pollers)
          for (const resource of resources) {
            const startIn = runs.length * STAGGER_MS;
            runs.push(new Promise((r) => setTimeout(r, startIn)).then(() => runOne(emu, resource, s, poller, rep)));
          }
      log(`  S = ${seconds(s, 1)}: ${runs.length} deletes (${resources.join(" + ")}) × ${pollers.map((p) => p.name).join(", ")}, concurrently…`);
      const done = await Promise.all(runs);
      const calls = emu.control.calls(since);
      for (const d of done) {
        const mine = calls.filter((c) => c.params.AnycastId === d.id || c.params.IpamPoolAllocationId === d.id);
        const byAction: Record<string, number> = {};
        for (const c of mine) byAction[c.action ?? "?"] = (byAction[c.action ?? "?"] ?? 0) + 1;
        // The emulator's clock is the real clock here (Date.now), so call-log times compare with endedAt.
        const release = mine.find((c) => c.mutating && (c.action === "ReleaseAnycastEipAddress" || c.action === "DeleteIpamPoolAllocation"));
        const { endedAt, ...rest } = d;
        samples.push({ ...rest, sinceReleaseMs: release ? endedAt - release.time : null, calls: mine.length, callsByAction: byAction });
      }
    }
  } finally {
    await emu.close();
  }
  return {
    settleTimesMs: { eip: options.eipSettleMs, allocation: options.allocationSettleMs },
    reps: options.reps,
    pollers,
    samples,
    summary: summarize(samples),
    notes: [
      "Real clock; production retry policy; default poll policy unless the poller says otherwise.",
      `Every delete of one S-batch runs concurrently against one in-process emulator, each on its own resource, started ${STAGGER_MS} ms apart.`,
      "EIP: S is the emulator's Releasing duration. Allocation: the API deletes synchronously; S > 0 delays the DeleteIpamPoolAllocation reply by S (latency fault, committed at once).",
      "The reference poller makes the same pre-read and release call as ours; only the confirmation schedule differs (Terraform's own delete skips the pre-read: one call fewer).",
      "Batched reads off (alicloud-release:batchReads=false): one delete's own reads and schedule; concurrent deletes sharing List calls are measured by the batch part.",
    ],
  };
}

const ratio = (r: number | null) => (r === null ? "n/a" : Number.isFinite(r) ? `${r.toFixed(2)}x` : "—");
const secs = (ms: number) => (Number.isFinite(ms) ? seconds(ms) : "—");
const count = (n: number) => (Number.isFinite(n) ? n : "—");

export function latencyRows(result: ReleaseResult, pollers: string[] = ["ours", "reference"]): (string | number)[][] {
  return result.summary
    .filter((r) => pollers.includes(r.poller))
    .map((r) => [
      r.resource,
      r.settleMs === 0 ? "0 (sync API)" : seconds(r.settleMs, 1),
      r.poller,
      secs(r.latencyMedianMs),
      secs(r.latencyMaxMs),
      ratio(r.ratioMedian),
      ratio(r.ratioMax),
      r.ratioMax === null ? "n/a" : r.failures > 0 ? "no (failed)" : r.ratioMax <= 1.2 ? "yes" : "no",
      ratio(r.sinceReleaseRatioMax),
      r.failures,
    ]);
}

export const LATENCY_HEADERS = ["resource", "S", "poller", "latency (median)", "latency (max)", "÷S (median)", "÷S (max)", "≤ 1.2×S", "release call→confirmed ÷S (max)", "failed"];

export function callsRows(result: ReleaseResult): (string | number)[][] {
  return result.summary.map((r) => {
    const goal = r.resource === "eip" ? 6 : 3;
    const sample = result.samples.find((s) => s.resource === r.resource && s.settleMs === r.settleMs && s.poller === r.poller && !s.error);
    const byAction = sample ? Object.entries(sample.callsByAction).map(([a, n]) => `${a.replace(/AnycastEipAddress|IpamPoolAllocation/, "")} ${n}`).join(", ") : "";
    return [
      r.resource,
      r.settleMs === 0 ? "0 (sync API)" : seconds(r.settleMs, 1),
      r.poller,
      count(r.callsMedian),
      count(r.callsMax),
      r.failures > 0 ? `≤ ${goal}: failed` : `≤ ${goal}: ${r.callsMax <= goal ? "yes" : "no"}`,
      ratio(r.ratioMax),
      byAction,
    ];
  });
}

export const CALLS_HEADERS = ["resource", "S", "poller", "calls (median)", "calls (max)", "goal", "÷S (max)", "one release, by action"];

/** One line per (resource, S, poller) that had failures, with the first error. */
export function failureLines(result: ReleaseResult): string[] {
  return result.summary
    .filter((r) => r.failures > 0)
    .map((r) => `${r.resource}, S = ${seconds(r.settleMs, 1)}, ${r.poller}: ${r.failures}/${r.samples} failed — ${r.firstError ?? "?"}`);
}

export function printLatency(result: ReleaseResult, md = false): string {
  const rows = latencyRows(result);
  const failed = failureLines(result).filter((l) => /, (ours|reference): /.test(l));
  return [md ? markdownTable(LATENCY_HEADERS, rows) : table(LATENCY_HEADERS, rows), ...failed.map((l) => `failed: ${l}`)].join("\n");
}

export function printCalls(result: ReleaseResult, md = false): string {
  const rows = callsRows(result);
  return md ? markdownTable(CALLS_HEADERS, rows) : table(CALLS_HEADERS, rows);
}
