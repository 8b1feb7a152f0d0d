/**
 * The sweeper of the live suite's leftovers (an interrupted run, a failed scenario): lists the Anycast EIPs
 * of the account and the allocations of the suite's IPAM pool, picks those that carry the suite's marker
 * (name prefix, or the marker tag on an EIP) and are older than a given age, and releases them through the
 * provider's own checked delete — the lifecycle `delete` the dynamic provider runs on `pulumi destroy`.
 * An object without the marker, or whose age cannot be read, is never touched.
 */
import { AnycastEipRecord, parseEipRecord } from "../../provider/anycast/api";
import { parseAllocationRecord } from "../../provider/ipam/api";
import { AllocationRecord } from "../../provider/ipam/types";
import { callIn, Operation } from "../../provider/operation";
import { REGISTRY } from "../../provider/registry";
import { MARKER_PREFIX, MARKER_TAG_KEY } from "./settings";
import { LiveTarget } from "./target";

export type SweepKind = "AnycastEipAddress" | "IpamPoolAllocation";

export interface SweepItem {
  kind: SweepKind;
  id: string;
  name: string;
  /** The cloud's creation time as it reported it. */
  createdAt: string;
  /** The cloud's status (`Allocated`, `Releasing`, `Created`, …). */
  status: string;
  /** Age at planning time; undefined when the creation time cannot be read (then it is kept). */
  ageMs: number | undefined;
  /** Instances still bound to an EIP: the checked delete detaches them first (`detachOnDelete`). */
  bindings: string[];
  decision: "release" | "keep";
  /** Why it is kept (`younger than 6h`, `creation time unreadable`). */
  keptBecause?: string;
}

export interface SweepPlan {
  items: SweepItem[];
  /** Objects seen without the marker (listed only as counts: never touched). */
  unmarked: Record<SweepKind, number>;
}

/** Every page of a List action: `itemsOf` picks the page's items; `NextToken` pages. */
async function listAll(op: Operation, action: string, params: Record<string, unknown>, itemsOf: (body: Record<string, unknown>) => unknown): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const body = await callIn(op, {
      operation: `listing for the sweep (${action}, page ${page + 1})`,
      product: action === "ListAnycastEipAddresses" ? "Eipanycast" : "VpcIpam",
      action,
      params: { ...params, NextToken: token },
    });
    const items = itemsOf(body);
    if (Array.isArray(items)) out.push(...items.filter((x): x is Record<string, unknown> => !!x && typeof x === "object"));
    token = typeof body.NextToken === "string" && body.NextToken !== "" ? body.NextToken : undefined;
    if (!token) return out;
  }
  throw new Error(`${action}: more than 100 pages; narrow the listing`);
}

const eipMarked = (e: AnycastEipRecord): boolean => e.name.startsWith(MARKER_PREFIX) || MARKER_TAG_KEY in e.tags;
const allocationMarked = (a: AllocationRecord): boolean => (a.IpamPoolAllocationName ?? "").startsWith(MARKER_PREFIX);

/** Release a marked object older than the limit; keep a younger one, or one whose age cannot be read. */
export function decide(item: Omit<SweepItem, "decision" | "ageMs">, now: number, olderThanMs: number, olderThanLabel: string): SweepItem {
  const created = Date.parse(item.createdAt);
  if (!Number.isFinite(created)) return { ...item, ageMs: undefined, decision: "keep", keptBecause: "creation time unreadable" };
  const ageMs = now - created;
  return ageMs > olderThanMs ? { ...item, ageMs, decision: "release" } : { ...item, ageMs, decision: "keep", keptBecause: `younger than ${olderThanLabel}` };
}

/** Lists (API calls) the target's EIPs and its pool's allocations; marked ones older than `olderThanMs` are to be released. */
export async function describeSweepPlan(target: LiveTarget, o: { now: number; olderThanMs: number; olderThanLabel: string }): Promise<SweepPlan> {
  const op = target.operation();
  const eips = (await listAll(op, "ListAnycastEipAddresses", { MaxResults: 50 }, (b) => b.AnycastList)).map(parseEipRecord);
  const allocations = (
    await listAll(op, "ListIpamPoolAllocations", { RegionId: op.region, IpamPoolId: target.settings.poolId, MaxResults: 100 }, (b) => b.IpamPoolAllocations)
  ).map(parseAllocationRecord);
  const items: SweepItem[] = [
    ...eips.filter(eipMarked).map((e) => ({
      kind: "AnycastEipAddress" as const,
      id: e.anycastId,
      name: e.name,
      createdAt: e.createTime,
      status: e.status,
      bindings: e.bindings.filter((b) => b.status !== "DELETED").map((b) => `${b.instanceId} (${b.instanceType} in ${b.regionId})`),
    })),
    ...allocations.filter(allocationMarked).map((a) => ({
      kind: "IpamPoolAllocation" as const,
      id: a.IpamPoolAllocationId,
      name: a.IpamPoolAllocationName ?? "",
      createdAt: a.CreationTime ?? "",
      status: a.Status ?? "",
      bindings: [],
    })),
  ].map((item) => decide(item, o.now, o.olderThanMs, o.olderThanLabel));
  return { items, unmarked: { AnycastEipAddress: eips.filter((e) => !eipMarked(e)).length, IpamPoolAllocation: allocations.filter((a) => !allocationMarked(a)).length } };
}

/**
 * Releases one item through the lifecycle delete of its kind, with the props a stored state would give
 * it: the region, and for an EIP `detachOnDelete` (a marked EIP's bindings were made by the suite).
 */
export async function releaseItem(target: LiveTarget, item: SweepItem): Promise<void> {
  const lifecycle = REGISTRY[item.kind].loadLifecycle();
  const props =
    item.kind === "AnycastEipAddress"
      ? { anycastId: item.id, regionId: target.settings.region, detachOnDelete: true }
      : { allocationId: item.id, ipamPoolId: target.settings.poolId, regionId: target.settings.region };
  await lifecycle.delete(target.context(), item.id, props);
}

/** Releases every item marked `release`, one after another; a failure is reported and the others still go. */
export async function executeSweep(target: LiveTarget, plan: SweepPlan, log: (line: string) => void): Promise<{ released: number; failed: number }> {
  let released = 0;
  let failed = 0;
  for (const item of plan.items.filter((i) => i.decision === "release")) {
    try {
      await releaseItem(target, item);
      released++;
      log(`released ${item.kind} ${item.id} (${item.name})`);
    } catch (err) {
      failed++;
      log(`FAILED to release ${item.kind} ${item.id} (${item.name}): ${(err as Error).message}`);
    }
  }
  return { released, failed };
}

const hours = (ms: number | undefined) => (ms === undefined ? "age unknown" : `${(ms / 3_600_000).toFixed(1)} h old`);

/** The plan as the sweeper prints it. */
export function sweepPlanLines(plan: SweepPlan, header: string): string[] {
  const toRelease = plan.items.filter((i) => i.decision === "release");
  return [
    header,
    ...(plan.items.length === 0 ? ["  no object carries the marker"] : []),
    ...plan.items.map((i) => {
      const what = i.decision === "release" ? `release${i.bindings.length > 0 ? ` (detaching ${i.bindings.join(", ")} first)` : ""}` : `keep: ${i.keptBecause}`;
      return `  ${i.kind.padEnd(18)} ${i.id.padEnd(34)} ${i.name}  created ${i.createdAt || "?"} (${hours(i.ageMs)}) → ${what}`;
    }),
    `  not marked, never touched: ${plan.unmarked.AnycastEipAddress} Anycast EIP(s), ${plan.unmarked.IpamPoolAllocation} allocation(s)`,
    `Plan: release ${toRelease.length} object(s).`,
  ];
}
