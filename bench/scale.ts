/**
 * Scale: N resources (half IPAM pool allocations, half Anycast EIPs) created with `pulumi up` and removed
 * with `pulumi destroy` through the real CLI, with the emulator throttling every action at `perSecond`
 * requests/s (one token bucket per action, burst = perSecond; excess calls answer `Throttling.User`).
 * The provider runs with its production retry policy (full-jitter backoff from 200 ms, 8 attempts), so
 * the throttling is absorbed by our retries or shows up as failures.
 *
 * Achieved rate: the throttle allows at most `perSecond` successful calls of an action per second (after
 * an initial burst), so a phase that made `ok(a)` successful calls of action `a` needs at least
 * T_min = max_a (ok(a) − burst) / perSecond. Achieved = T_min / T_api, where T_api is the phase's API
 * window (first to last call in the emulator's log); 100 % means the busiest action ran at the throttle
 * bound the whole time. Wall time (the CLI command, start to exit) is reported beside it.
 */
import { EIPANYCAST_INSTANT_TIMING, startEmulator } from "../emulator";
import type { CallRecord } from "../emulator";
import { createEipanycastModel } from "../emulator/eipanycast";
import { createVpcIpamModel } from "../emulator/vpcipam";
import { REGION, markdownTable, seconds, table } from "./common";
import { BenchStack, failuresIn } from "./pulumi";

export interface ActionCalls {
  /** Calls that got past the throttle (each took a token), whatever the answer (a 404 confirming a release counts). */
  ok: number;
  throttled: number;
  /** Of `ok`, those answered with an error (e.g. ResourceNotFound while confirming a release). */
  errors: number;
}

export interface PhaseResult {
  exitCode: number | null;
  wallMs: number;
  /** First to last API call of the phase. */
  apiWindowMs: number;
  calls: number;
  throttled: number;
  byAction: Record<string, ActionCalls>;
  /** Resources the CLI reported an error for. */
  failures: number;
  failureLines: string[];
  bottleneck: { action: string; ok: number; perSecond: number } | null;
  /** Lower bound on the API window the throttle allows, ms. */
  minWindowMs: number;
  /** minWindowMs / apiWindowMs (null when the phase was not throttle-bound: every action within its burst). */
  achieved: number | null;
  /**
   * The same for the release actions alone (ReleaseAnycastEipAddress, DeleteIpamPoolAllocation): how close
   * the phase came to releasing at their throttle bound. Null when it released nothing past the burst.
   */
  releases: { minWindowMs: number; achieved: number | null };
}

/** The actions that release: one call per object, each bounded by its own throttle. */
export const RELEASE_ACTIONS = ["ReleaseAnycastEipAddress", "DeleteIpamPoolAllocation"] as const;

export interface ScaleStep {
  size: number;
  /** False for the unthrottled baseline run. */
  throttled: boolean;
  allocations: number;
  eips: number;
  up: PhaseResult;
  destroy: PhaseResult;
  inStateAfterUp: number;
  inCloudAfterUp: number;
  leftInCloud: number;
}

export interface ScaleResult {
  perSecond: number;
  burst: number;
  parallel: number | "CLI default (8)";
  steps: ScaleStep[];
  notes: string[];
}

/** The figures of one phase from its calls in the emulator's log and how the command ended. */
export function phase(records: CallRecord[], run: { code: number | null; wallMs: number; output: string }, perSecond: number, burst: number): PhaseResult {
  const byAction: Record<string, ActionCalls> = {};
  for (const c of records) {
    const a = (byAction[c.action ?? "?"] ??= { ok: 0, throttled: 0, errors: 0 });
    if (c.outcome.code === "Throttling.User") {
      a.throttled++;
    } else {
      a.ok++;
      if (c.outcome.status !== 200) a.errors++;
    }
  }
  const times = records.map((c) => c.time);
  const apiWindowMs = times.length > 1 ? Math.max(...times) - Math.min(...times) : 0;
  let bottleneck: PhaseResult["bottleneck"] = null;
  for (const [action, n] of Object.entries(byAction)) if (!bottleneck || n.ok > bottleneck.ok) bottleneck = { action, ok: n.ok, perSecond };
  const minWindowMs = bottleneck ? (Math.max(0, bottleneck.ok - burst) / perSecond) * 1000 : 0;
  const releaseMinMs = Math.max(0, ...RELEASE_ACTIONS.map((a) => (Math.max(0, (byAction[a]?.ok ?? 0) - burst) / perSecond) * 1000));
  const f = failuresIn(run.output);
  return {
    exitCode: run.code,
    wallMs: run.wallMs,
    apiWindowMs,
    calls: records.length,
    throttled: Object.values(byAction).reduce((n, a) => n + a.throttled, 0),
    byAction,
    failures: run.code === 0 ? 0 : Math.max(1, f.resourceErrors),
    failureLines: run.code === 0 ? [] : f.lines,
    bottleneck,
    minWindowMs,
    achieved: minWindowMs > 0 && apiWindowMs > 0 ? minWindowMs / apiWindowMs : null,
    releases: { minWindowMs: releaseMinMs, achieved: releaseMinMs > 0 && apiWindowMs > 0 ? releaseMinMs / apiWindowMs : null },
  };
}

/** Every action of both products, for a rate limit on each. */
export function everyAction(): { product: string; action: string }[] {
  return [
    ...Object.keys(createVpcIpamModel().actions).map((action) => ({ product: "VpcIpam", action })),
    ...Object.keys(createEipanycastModel().actions).map((action) => ({ product: "Eipanycast", action })),
  ];
}

export async function measureScale(options: {
  sizes: number[];
  perSecond: number;
  parallel?: number;
  baseline?: boolean;
  /** Environment of the CLI (and so of the provider process), e.g. ALICLOUD_RELEASE_BATCH_READS. */
  env?: Record<string, string>;
  log?: (line: string) => void;
}): Promise<ScaleResult> {
  const log = options.log ?? (() => undefined);
  const burst = Math.max(1, options.perSecond);
  const actions = everyAction();
  const steps: ScaleStep[] = [];
  const extra = options.parallel ? ["--parallel", String(options.parallel)] : [];
  const runStep = async (size: number, throttled: boolean): Promise<ScaleStep> => {
    const allocations = size / 2;
    const eips = size - allocations;
    const label = `${size} resources${throttled ? "" : " (no throttle)"}`;
    const emu = await startEmulator({ port: 0 });
    const stack = new BenchStack(emu, options.env);
    try {
      emu.control.setTiming({ eipanycast: EIPANYCAST_INSTANT_TIMING });
      emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-benchscale", regionId: REGION, cidrs: ["10.0.0.0/8"] }] } });
      await stack.init({ "alicloud:region": REGION, "bench:ipamPoolId": "ipam-pool-benchscale", "bench:allocations": allocations, "bench:eips": eips });
      if (throttled) for (const a of actions) emu.control.setRateLimit({ ...a, perSecond: options.perSecond, burst });

      log(`  ${label}: pulumi up…`);
      const before = emu.control.calls().at(-1)?.seq ?? 0;
      const up = await stack.up(extra);
      const upResult = phase(emu.control.calls(before), up, options.perSecond, burst);
      const { state } = await stack.exportState();
      const inState = (state.deployment.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/alicloud:")).length;
      const inv1 = emu.control.state() as { vpcipam: { allocations: unknown[] }; eipanycast: { eips: unknown[] } };
      const inCloudAfterUp = inv1.vpcipam.allocations.length + inv1.eipanycast.eips.length;
      log(`    up ${seconds(up.wallMs, 1)} (exit ${up.code}), ${upResult.calls} calls, ${upResult.throttled} throttled; ${inState} in state, ${inCloudAfterUp} in the cloud`);
      // Let the buckets refill so destroy starts as up did.
      await new Promise((r) => setTimeout(r, 1000 + (burst / options.perSecond) * 1000));

      log(`  ${label}: pulumi destroy…`);
      const mid = emu.control.calls().at(-1)?.seq ?? 0;
      const destroy = await stack.destroy(extra);
      const destroyResult = phase(emu.control.calls(mid), destroy, options.perSecond, burst);
      const inv2 = emu.control.state() as { vpcipam: { allocations: unknown[] }; eipanycast: { eips: unknown[] } };
      const left = inv2.vpcipam.allocations.length + inv2.eipanycast.eips.length;
      log(`    destroy ${seconds(destroy.wallMs, 1)} (exit ${destroy.code}), ${destroyResult.calls} calls, ${destroyResult.throttled} throttled; ${left} left in the cloud`);
      return { size, allocations, eips, throttled, up: upResult, destroy: destroyResult, inStateAfterUp: inState, inCloudAfterUp, leftInCloud: left };
    } finally {
      await stack.remove();
      await emu.close();
    }
  };
  for (const size of options.sizes) steps.push(await runStep(size, true));
  // The same largest run without any throttle: how fast the CLI goes on this machine when the API never says no.
  if (options.baseline !== false && options.sizes.length > 0) steps.push(await runStep(Math.max(...options.sizes), false));
  return {
    perSecond: options.perSecond,
    burst,
    parallel: options.parallel ?? "CLI default (8)",
    steps,
    notes: [
      `Every action of both products has its own token bucket: ${options.perSecond}/s, burst ${burst}; a call over it answers Throttling.User (400).`,
      "Production retry policy (no ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS override): full-jitter backoff from 200 ms capped at 5 s, 8 attempts for errors other than throttling; throttled attempts back off from 1 s and are bounded by the deadline only.",
      "Eipanycast transitions are instant here (the figure is throughput under the throttle, not settle waits).",
      "achieved = T_min / T_api with T_min = (successful calls of the busiest action − burst) / rate; wall time includes CLI start-up, the program run and checkpoint writes.",
      "release actions' rate = the same with T_min taken over ReleaseAnycastEipAddress and DeleteIpamPoolAllocation only (one call per object; the bound a destroy cannot beat).",
    ],
  };
}

const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(0)} %`);

export const SCALE_HEADERS = [
  "resources",
  "phase",
  "wall",
  "per resource",
  "API window",
  "calls",
  "throttled",
  "busiest action (ok calls)",
  "achieved rate",
  "failed resources",
  "done",
  "release actions' rate",
];

export function scaleRows(r: ScaleResult): (string | number)[][] {
  return r.steps.flatMap((s) =>
    (["up", "destroy"] as const).map((name) => {
      const p = s[name];
      return [
        `${s.size} (${s.allocations}+${s.eips})${s.throttled ? "" : " no throttle"}`,
        name,
        seconds(p.wallMs, 1),
        `${Math.round(p.wallMs / s.size)} ms`,
        seconds(p.apiWindowMs, 1),
        p.calls,
        p.throttled,
        p.bottleneck ? `${p.bottleneck.action} (${p.bottleneck.ok})` : "",
        !s.throttled ? "(baseline)" : s.up.exitCode !== 0 ? "n/a (up failed)" : pct(p.achieved),
        p.failures,
        name === "up" ? `${s.inStateAfterUp}/${s.size} created` : `${s.inCloudAfterUp - s.leftInCloud}/${s.inCloudAfterUp} removed`,
        name === "up" ? "" : !s.throttled ? "(baseline)" : pct(p.releases?.achieved ?? null),
      ];
    }),
  );
}

/** The throttled run of the baseline's size against the baseline: how much the throttle slowed the CLI down. */
export function baselineComparison(r: ScaleResult): string | undefined {
  const base = r.steps.find((s) => !s.throttled);
  const same = base && r.steps.find((s) => s.throttled && s.size === base.size);
  if (!base || !same) return undefined;
  if (same.up.exitCode !== 0 || same.destroy.exitCode !== 0 || base.up.exitCode !== 0 || base.destroy.exitCode !== 0) {
    return `at ${base.size} resources: no throttled/unthrottled comparison, a run failed (see the failures column)`;
  }
  const part = (name: "up" | "destroy") => {
    const rate = base[name].apiWindowMs / Math.max(1, same[name].apiWindowMs);
    const bound = base[name].bottleneck ? (base[name].bottleneck!.ok / Math.max(1, base[name].apiWindowMs)) * 1000 : 0;
    return `${name} ran at ${(rate * 100).toFixed(0)} % of its unthrottled speed (unthrottled, the busiest action ran at ${bound.toFixed(1)}/s)`;
  };
  return `at ${base.size} resources with the throttle, ${part("up")}; ${part("destroy")}`;
}

/** How wall time grows with the number of resources (throttled runs), relative to the smallest. */
export function growth(r: ScaleResult): string[] {
  const runs = r.steps.filter((s) => s.throttled).sort((a, b) => a.size - b.size);
  if (runs.length < 2) return [];
  const base = runs[0];
  return (["up", "destroy"] as const).map(
    (name) =>
      `${name}: ` +
      runs
        .map((s) =>
          s.up.exitCode !== 0
            ? `${s.size} → failed (${s.inStateAfterUp} of ${s.size} created)`
            : `${s.size} → ${seconds(s[name].wallMs, 1)}${s === base ? "" : ` (×${(s[name].wallMs / base[name].wallMs).toFixed(1)} for ×${s.size / base.size})`}`,
        )
        .join(", "),
  );
}

export function printScale(r: ScaleResult, md = false): string {
  const rows = scaleRows(r);
  const head = md ? markdownTable(SCALE_HEADERS, rows) : table(SCALE_HEADERS, rows);
  const lines = [head, `(throttle ${r.perSecond} requests/s per action, burst ${r.burst}; --parallel ${r.parallel})`];
  const g = growth(r);
  if (g.length > 0) lines.push(`growth of wall time with size — ${g.join("; ")}`);
  const b = baselineComparison(r);
  if (b) lines.push(b);
  for (const st of r.steps)
    for (const name of ["up", "destroy"] as const)
      for (const l of st[name].failureLines.filter((x) => /error: /.test(x) && !/error: (update|destroy) failed/.test(x)))
        lines.push(`${md ? "- " : ""}failed (${st.size} resources, ${name}): ${l.trim()}`);
  return lines.join(md ? "\n\n" : "\n");
}
