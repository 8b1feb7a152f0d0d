/**
 * The read-only cloud side of `recover`: which objects may be the one an interrupted create made
 * (candidates), and which objects carry this stack's ownership tag without being in its state (orphans).
 * Only List/Describe calls: ListAnycastEipAddresses, DescribeAnycastEipAddress, ListIpamPoolAllocations.
 */
import { AnycastEipRecord, BindingRecord, describeAnycastEip, findBinding, parseEipRecord } from "../anycast/api";
import { OWNER_TAG_KEY, ownerTagValue, stackOwnerPrefix } from "../anycast/ownership";
import { associationInputs, eipInputs } from "../anycast/state";
import type { CloudContext } from "../cloud/context";
import type { ResourceIdentity } from "../identity";
import { allocationLabel, parseAllocationRecord } from "../ipam/api";
import { allocationInputs } from "../ipam/state";
import { AllocationRecord } from "../ipam/types";
import type { CallParams } from "../cloud/transport";
import { callIn, Operation, operationOf } from "../operation";
import { Candidate, PendingOperation } from "./types";

/**
 * How far an object's creation time may lie before the token's (the machine that ran `pulumi up` and the
 * service may disagree on the time): 15 minutes, the largest skew a signed call is accepted with.
 */
export const CLOCK_SKEW_MS = 15 * 60 * 1000;

const PAGE_SIZE = 100;
/** A bound on pages, so a service that kept answering a NextToken could not keep recover busy forever. */
const MAX_PAGES = 200;

function listOf(v: unknown): Record<string, unknown>[] {
  const arr = Array.isArray(v) ? v : v && typeof v === "object" && Array.isArray((v as { Item?: unknown }).Item) ? (v as { Item: unknown[] }).Item : [];
  return arr.filter((x): x is Record<string, unknown> => !!x && typeof x === "object");
}

/** Every page of a list call; `items` picks the list out of one answer. */
async function everyPage(
  op: Operation,
  call: { operation: string; product: "Eipanycast" | "VpcIpam"; action: string; params: CallParams },
  items: (body: Record<string, unknown>) => Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await callIn(op, { ...call, params: { ...call.params, NextToken: next } });
    out.push(...items(body));
    next = typeof body.NextToken === "string" && body.NextToken !== "" ? body.NextToken : undefined;
    if (next === undefined) return out;
  }
  throw new Error(`${call.action} still had more pages after ${MAX_PAGES * PAGE_SIZE} items; narrow the search`);
}

/** ListAnycastEipAddresses in the operation's region, every page. */
export async function listAnycastEips(op: Operation, filter: { serviceLocation?: string; name?: string } = {}): Promise<AnycastEipRecord[]> {
  const items = await everyPage(
    op,
    {
      operation: `listing the Anycast EIPs of ${op.region}`,
      product: "Eipanycast",
      action: "ListAnycastEipAddresses",
      params: { ServiceLocation: filter.serviceLocation, Name: filter.name || undefined, MaxResults: String(PAGE_SIZE) },
    },
    (body) => listOf(body.AnycastList),
  );
  return items.map(parseEipRecord).filter((r) => r.anycastId !== "");
}

/** ListIpamPoolAllocations of one pool, every page. */
export async function listPoolAllocations(op: Operation, filter: { ipamPoolId: string; cidr?: string; name?: string }): Promise<AllocationRecord[]> {
  const items = await everyPage(
    op,
    {
      operation: `listing the allocations of IPAM pool ${filter.ipamPoolId}`,
      product: "VpcIpam",
      action: "ListIpamPoolAllocations",
      params: { RegionId: op.region, IpamPoolId: filter.ipamPoolId, Cidr: filter.cidr, IpamPoolAllocationName: filter.name || undefined, MaxResults: PAGE_SIZE },
    },
    (body) => listOf(body.IpamPoolAllocations),
  );
  return items.map(parseAllocationRecord).filter((r) => r.IpamPoolAllocationId !== "" && r.Status !== "Deleted");
}

/** Whether a creation time (ISO text) is at or after `cutoffMs`; an unreadable or missing time cannot rule it out. */
function createdSince(time: string | undefined, cutoffMs: number | undefined): boolean {
  if (cutoffMs === undefined || time === undefined || time === "") return true;
  const t = Date.parse(time);
  return Number.isNaN(t) || t >= cutoffMs;
}

export function eipCandidateLabel(r: AnycastEipRecord): string {
  const details = [r.ipAddress, r.name ? JSON.stringify(r.name) : "", r.status, r.createTime ? `created ${r.createTime}` : ""].filter((x) => x !== "");
  return `Anycast EIP ${r.anycastId} (${details.join(", ")})`;
}

function allocationCandidateLabel(r: AllocationRecord): string {
  const details = [r.Cidr ?? "", r.IpamPoolAllocationName ? JSON.stringify(r.IpamPoolAllocationName) : "", r.CreationTime ? `created ${r.CreationTime}` : ""].filter((x) => x !== "");
  return `${allocationLabel(r.IpamPoolAllocationId)} (${details.join(", ")})`;
}

/** What a candidate search needs besides the pending create. */
export interface CandidateScope {
  /** IDs the stack's state holds: never candidates. */
  held: ReadonlySet<string>;
  /** Objects created before this (epoch ms) are not candidates; undefined: no time bound (no token). */
  cutoffMs?: number;
  identity?: ResourceIdentity;
}

/**
 * Anycast EIPs that may be the one a pending create allocated: in its region, of its service location and
 * name, not in the state, not tagged as another resource's, created since the create started.
 */
async function listEipCandidates(ctx: CloudContext, op: PendingOperation, scope: CandidateScope): Promise<Candidate[]> {
  const inputs = eipInputs(op.inputs);
  const operation = operationOf(ctx, inputs);
  const mine = scope.identity === undefined ? undefined : ownerTagValue(scope.identity);
  const records = await listAnycastEips(operation, { serviceLocation: inputs.serviceLocation || undefined, name: inputs.name });
  return records
    .filter((r) => !scope.held.has(r.anycastId) && r.status !== "Releasing" && r.status !== "Released")
    .filter((r) => (inputs.name === undefined || inputs.name === "" || r.name === inputs.name) && !r.serviceManaged)
    .filter((r) => r.tags[OWNER_TAG_KEY] === undefined || r.tags[OWNER_TAG_KEY] === mine)
    .filter((r) => createdSince(r.createTime, scope.cutoffMs))
    .map((r) => ({ id: r.anycastId, label: eipCandidateLabel(r), createTime: r.createTime || undefined, owner: r.tags[OWNER_TAG_KEY] }));
}

/**
 * IPAM pool allocations that may be the one a pending create made: `Custom` ones of its pool, of its CIDR
 * (or prefix length) and name, not in the state, created since the create started.
 */
async function listAllocationCandidates(ctx: CloudContext, op: PendingOperation, scope: CandidateScope): Promise<Candidate[]> {
  const inputs = allocationInputs(op.inputs);
  const operation = operationOf(ctx, inputs);
  const records = await listPoolAllocations(operation, { ipamPoolId: inputs.ipamPoolId, cidr: inputs.cidr, name: inputs.name });
  const maskOf = (cidr: string | undefined) => Number(cidr?.split("/")[1]);
  return records
    .filter((r) => !scope.held.has(r.IpamPoolAllocationId) && (r.ResourceType === undefined || r.ResourceType === "" || r.ResourceType === "Custom"))
    .filter((r) => inputs.cidrMask === undefined || maskOf(r.Cidr) === inputs.cidrMask)
    .filter((r) => inputs.name === undefined || inputs.name === "" || r.IpamPoolAllocationName === inputs.name)
    .filter((r) => createdSince(r.CreationTime, scope.cutoffMs))
    .map((r) => ({ id: r.IpamPoolAllocationId, label: allocationCandidateLabel(r), createTime: r.CreationTime || undefined }));
}

/** The candidates of a pending create of an EIP or an allocation (read-only). */
export function listCreateCandidates(ctx: CloudContext, op: PendingOperation, scope: CandidateScope): Promise<Candidate[]> {
  if (op.kind === "AnycastEipAddress") return listEipCandidates(ctx, op, scope);
  if (op.kind === "IpamPoolAllocation") return listAllocationCandidates(ctx, op, scope);
  throw new Error(`no candidate search for ${op.kind ?? op.urn}`);
}

/** The binding a pending AnycastEipAssociation create asked for, as the EIP reports it now (undefined: none). */
export async function describePendingBinding(ctx: CloudContext, op: PendingOperation): Promise<{ id: string; binding?: BindingRecord; eip?: AnycastEipRecord }> {
  const inputs = associationInputs(op.inputs);
  const key = { anycastId: inputs.anycastId, bindInstanceId: inputs.bindInstanceId, bindInstanceRegionId: inputs.bindInstanceRegionId, bindInstanceType: inputs.bindInstanceType };
  const id = [key.anycastId, key.bindInstanceId, key.bindInstanceRegionId, key.bindInstanceType].join(":");
  const eip = await describeAnycastEip(operationOf(ctx, inputs), key.anycastId);
  const binding = findBinding(eip, key);
  return { id, eip, binding: binding?.status === "UNBINDING" ? undefined : binding };
}

/** EIPs in `regions` that carry this stack's ownership tag and are not in `held`. */
export async function listOwnerTaggedEips(ctx: CloudContext, regions: readonly string[], project: string, stack: string, held: ReadonlySet<string>): Promise<{ region: string; record: AnycastEipRecord }[]> {
  const prefix = stackOwnerPrefix(project, stack);
  const out: { region: string; record: AnycastEipRecord }[] = [];
  for (const region of regions) {
    const records = await listAnycastEips(operationOf(ctx, { regionId: region }));
    for (const record of records) {
      const owner = record.tags[OWNER_TAG_KEY];
      if (owner !== undefined && owner.startsWith(prefix) && !held.has(record.anycastId) && record.status !== "Releasing") out.push({ region, record });
    }
  }
  return out;
}
