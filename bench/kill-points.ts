/**
 * Kill points: a `pulumi up` / `pulumi destroy` SIGKILLed (with every process it started) while one API
 * call is in flight, then the documented recovery — `pulumi cancel --yes`,
 * `pulumi-alicloud-release recover --yes`, the interrupted command again — and the checks: the cloud holds
 * exactly the declared objects and the state exactly those (no orphan, no duplicate: each object was made
 * once), `pulumi preview --expect-no-changes` passes, and after `pulumi destroy` nothing is left and no
 * object was released (or detached) twice.
 *
 * The kill is deterministic: the target call (the n-th call of one action in the command) is held by a
 * latency fault — the emulator commits it at once and holds the answer — and the command is killed as
 * soon as the call log shows the call. A point is one of four commands over the kill-point program
 * (bench/killpoints/program.ts): `create` (up from nothing), `update` (up of version 2 over version 1:
 * every in-place change), `replace` (up of another CIDR for the explicit allocation: a new one is made
 * before the old one is released), `delete` (destroy of version 1). The full run discovers every call
 * of each command from a clean run.
 */
import { EIPANYCAST_INSTANT_TIMING, type CallRecord, type RunningEmulator } from "../emulator";
import type { RecoverSummary } from "../provider/recover/types";
import { KillPointStack } from "./kill-point-stack";

export type Scenario = "create" | "update" | "replace" | "delete";
export const SCENARIOS: readonly Scenario[] = ["create", "update", "replace", "delete"];

export interface KillPoint {
  scenario: Scenario;
  product: "VpcIpam" | "Eipanycast";
  action: string;
  /** Which call of that action in the command (1 = the first). */
  occurrence: number;
}

export const killPointLabel = (p: KillPoint): string => `${p.scenario}: ${p.action} #${p.occurrence}`;

/**
 * The reduced run (in `npm test`): one boundary of each kind — the creates of an EIP, of an allocation by
 * prefix length and of an association, an update, the new allocation of a replacement, a release.
 */
export const REDUCED_KILL_POINTS: readonly KillPoint[] = [
  { scenario: "create", product: "Eipanycast", action: "AllocateAnycastEipAddress", occurrence: 1 },
  { scenario: "create", product: "VpcIpam", action: "CreateIpamPoolAllocation", occurrence: 1 },
  { scenario: "create", product: "Eipanycast", action: "AssociateAnycastEipAddress", occurrence: 1 },
  { scenario: "update", product: "Eipanycast", action: "ModifyAnycastEipAddressSpec", occurrence: 1 },
  { scenario: "replace", product: "VpcIpam", action: "CreateIpamPoolAllocation", occurrence: 1 },
  { scenario: "delete", product: "Eipanycast", action: "ReleaseAnycastEipAddress", occurrence: 1 },
];

const POOL = "ipam-pool-killpoints";
const CONFIG = { ipamPoolId: POOL, cidr: "10.70.200.0/24", eni: "eni-killpoints00001" };
/** The explicit allocation's block in the `replace` scenario's program. */
const REPLACED_CIDR = "10.70.201.0/24";
/** What the program declares: 1 EIP, 2 allocations, 1 binding (and one more allocation made by a replacement). */
const declared = (scenario: Scenario) => ({ AllocateAnycastEipAddress: 1, CreateIpamPoolAllocation: scenario === "replace" ? 3 : 2, AssociateAnycastEipAddress: 1 });
/** How long the target call's answer is held: far past any kill. */
const HOLD_MS = 10 * 60 * 1000;

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface PointResult {
  point: KillPoint;
  label: string;
  ok: boolean;
  /** What recover reported: its exit status and summary. */
  recover: { exitCode: number | null; summary?: RecoverSummary };
  checks: Check[];
  wallMs: number;
}

const lastSeq = (emu: RunningEmulator): number => emu.control.calls().reduce((m, c) => Math.max(m, c.seq), 0);
const callsSince = (emu: RunningEmulator, seq: number): CallRecord[] => emu.control.calls().filter((c) => c.seq > seq);

/** A clean cloud: nothing but the pool, every Eipanycast transition instant. */
function resetCloud(emu: RunningEmulator): void {
  emu.control.reset();
  emu.control.setTiming({ eipanycast: EIPANYCAST_INSTANT_TIMING });
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: POOL, regionId: "cn-hangzhou", cidrs: ["10.70.0.0/16"] }] } });
}

/** A fresh stack with the scenario's starting point deployed and the version its command applies set. */
async function prepare(emu: RunningEmulator, scenario: Scenario): Promise<KillPointStack> {
  const stack = new KillPointStack(emu);
  await stack.init(CONFIG);
  if (scenario !== "create") await stack.ok(stack.command("up"));
  if (scenario === "update") await stack.setVersion(2);
  if (scenario === "replace") await stack.ok(["config", "set", "killpoints:cidr", REPLACED_CIDR]);
  return stack;
}

const commandOf = (stack: KillPointStack, scenario: Scenario): string[] => stack.command(scenario === "delete" ? "destroy" : "up");

/** Every API call of each scenario's command, from a clean run: the full list of kill points. */
export async function discoverKillPoints(emu: RunningEmulator, scenarios: readonly Scenario[] = SCENARIOS): Promise<KillPoint[]> {
  const points: KillPoint[] = [];
  for (const scenario of scenarios) {
    resetCloud(emu);
    const stack = await prepare(emu, scenario);
    try {
      const mark = lastSeq(emu);
      await stack.ok(commandOf(stack, scenario));
      const seen = new Map<string, number>();
      for (const c of callsSince(emu, mark)) {
        if (c.action === null || c.product === null) continue;
        const n = (seen.get(c.action) ?? 0) + 1;
        seen.set(c.action, n);
        points.push({ scenario, product: c.product as KillPoint["product"], action: c.action, occurrence: n });
      }
      if (scenario !== "delete") await stack.ok(stack.command("destroy"));
    } finally {
      await stack.remove();
    }
  }
  return points;
}

const check = (checks: Check[], name: string, ok: boolean, detail: string): void => void checks.push({ name, ok, detail });

/** Committed calls of `action` per object (keyed by `keyOf` of the call's parameters). */
function committedPer(calls: readonly CallRecord[], action: string, keyOf: (p: Readonly<Record<string, string>>) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of calls) if (c.action === action && c.mutating) counts.set(keyOf(c.params), (counts.get(keyOf(c.params)) ?? 0) + 1);
  return counts;
}

/** Object IDs in the cloud: EIPs, Custom allocations of the pool, bindings (as association IDs). */
function inventoryIds(emu: RunningEmulator): string[] {
  const state = emu.control.state();
  const eips = (state.eipanycast as { eips: { anycastId: string; status: string; bindings: { bindInstanceId: string; bindInstanceRegionId: string; bindInstanceType: string }[] }[] }).eips;
  const allocations = (state.vpcipam as { allocations: { ipamPoolAllocationId: string; ipamPoolId: string; resourceType: string }[] }).allocations;
  return [
    ...eips.map((e) => e.anycastId),
    ...eips.flatMap((e) => e.bindings.map((b) => [e.anycastId, b.bindInstanceId, b.bindInstanceRegionId, b.bindInstanceType].join(":"))),
    ...allocations.filter((a) => a.ipamPoolId === POOL && a.resourceType === "Custom").map((a) => a.ipamPoolAllocationId),
  ].sort();
}

/** The checks over the whole point's call log: each object made once, released at most once, and by the end all released. */
function callChecks(checks: Check[], calls: readonly CallRecord[], scenario: Scenario): void {
  for (const [action, wanted] of Object.entries(declared(scenario))) {
    const made = calls.filter((c) => c.action === action && c.mutating).length;
    check(checks, `${action} committed once per declared object`, made === wanted, `${made} committed, ${wanted} declared`);
  }
  const releases: [string, (p: Readonly<Record<string, string>>) => string][] = [
    ["ReleaseAnycastEipAddress", (p) => p.AnycastId],
    ["DeleteIpamPoolAllocation", (p) => p.IpamPoolAllocationId],
    ["UnassociateAnycastEipAddress", (p) => `${p.AnycastId}:${p.BindInstanceId}`],
  ];
  for (const [action, keyOf] of releases) {
    const twice = [...committedPer(calls, action, keyOf)].filter(([, n]) => n > 1);
    check(checks, `no ${action} sent twice`, twice.length === 0, twice.length === 0 ? "each at most once" : twice.map(([k, n]) => `${k}: ${n}`).join(", "));
  }
}

/** After the recovery: the state holds exactly what the cloud holds (and, for up, exactly the declared objects). */
async function stateChecks(checks: Check[], emu: RunningEmulator, stack: KillPointStack, scenario: Scenario): Promise<void> {
  const { resources, pending } = await stack.state();
  const inState = resources.map((r) => r.id ?? "").sort();
  const inCloud = inventoryIds(emu);
  const expected = scenario === "delete" ? 0 : 4;
  check(checks, "state = cloud", JSON.stringify(inState) === JSON.stringify(inCloud), `state ${inState.join(", ") || "(none)"}; cloud ${inCloud.join(", ") || "(none)"}`);
  check(checks, "cloud = declared", inCloud.length === expected, `${inCloud.length} objects, ${expected} declared`);
  check(checks, "no pending operations", pending === 0, `${pending} left`);
  if (scenario !== "delete") {
    const same = await stack.run(["preview", "--expect-no-changes", "--non-interactive"]);
    check(checks, "pulumi preview --expect-no-changes", same.code === 0, same.code === 0 ? "no changes" : same.output.slice(-1500));
  }
}

/** Runs one kill point (see the module comment). Never throws for a failed check; throws only when the set-up fails. */
export async function runKillPoint(emu: RunningEmulator, point: KillPoint): Promise<PointResult> {
  const started = Date.now();
  const checks: Check[] = [];
  resetCloud(emu);
  const mark = lastSeq(emu);
  const stack = await prepare(emu, point.scenario);
  let recover: PointResult["recover"] = { exitCode: null };
  try {
    const before = lastSeq(emu);
    emu.control.addFault({ product: point.product, action: point.action, kind: "latency", latencyMs: HOLD_MS, afterCount: point.occurrence - 1, count: 1 });
    const arrived = () => callsSince(emu, before).filter((c) => c.action === point.action).length >= point.occurrence;
    const killed = await stack.runKilledWhen(commandOf(stack, point.scenario), arrived);
    emu.control.clearFaults();
    check(checks, "killed while the call was in flight", killed.signal === "SIGKILL" && killed.killed.length > 0, `${killed.signal ?? `exit ${killed.code}`}, ${killed.killed.length} processes`);
    check(checks, "pulumi cancel --yes", (await stack.run(["cancel", "--yes"])).code === 0, "lock removed");
    const r = await stack.recover();
    recover = { exitCode: r.code, summary: r.report?.summary };
    check(checks, "recover --yes exits 0", r.code === 0, r.code === 0 ? JSON.stringify(r.report?.summary) : r.output.slice(-3000));
    const again = await stack.run(commandOf(stack, point.scenario));
    check(checks, `pulumi ${point.scenario === "delete" ? "destroy" : "up"} again`, again.code === 0, again.code === 0 ? "ok" : again.output.slice(-3000));
    await stateChecks(checks, emu, stack, point.scenario);
    if (point.scenario !== "delete") {
      const destroy = await stack.run(stack.command("destroy"));
      check(checks, "pulumi destroy", destroy.code === 0, destroy.code === 0 ? "ok" : destroy.output.slice(-3000));
    }
    const left = inventoryIds(emu);
    check(checks, "nothing left after destroy", left.length === 0, left.join(", ") || "0 objects");
    callChecks(checks, callsSince(emu, mark), point.scenario);
  } finally {
    emu.control.clearFaults();
    await stack.remove();
  }
  return { point, label: killPointLabel(point), ok: checks.every((c) => c.ok), recover, checks, wallMs: Date.now() - started };
}

/** One line per point: its label, the outcome, what recover did, and every failed check. */
export function describePoint(r: PointResult, index: number, total: number): string {
  const s = r.recover.summary;
  const did = s === undefined ? `recover exit ${r.recover.exitCode}` : `recover: ${(["resume", "adopt", "clear", "rerun"] as const).map((k) => `${s[k]} ${k}`).join(", ")}`;
  const head = `kill point ${index + 1}/${total} ${r.label}: ${r.ok ? "ok" : "FAILED"} (${did}; ${(r.wallMs / 1000).toFixed(1)} s)`;
  return [head, ...r.checks.filter((c) => !c.ok).map((c) => `    ✗ ${c.name}: ${c.detail}`)].join("\n");
}

export interface KillPointsReport {
  total: number;
  ok: number;
  failed: number;
  results: PointResult[];
}

/** Runs `points` one after another (each on a fresh stack and a reset emulator). */
export async function runKillPoints(emu: RunningEmulator, points: readonly KillPoint[], log: (line: string) => void = () => undefined): Promise<KillPointsReport> {
  const results: PointResult[] = [];
  for (const [i, point] of points.entries()) {
    const r = await runKillPoint(emu, point);
    results.push(r);
    log(describePoint(r, i, points.length));
  }
  const ok = results.filter((r) => r.ok).length;
  return { total: results.length, ok, failed: results.length - ok, results };
}
