/** Typed VpcIpam calls over the shared transport and retry policy. */
import { CloudError, requestRegionHint } from "../cloud/errors";
import { BatchReader, ReadCall } from "../cloud/coalesce";
import { callIn, Operation, readIn } from "../operation";
import { text } from "../parse";
import { AllocationRecord, IpamPoolAllocationOutputs } from "./types";

const NOT_FOUND = "ResourceNotFound.IpamPoolAllocation";
const REQUEST_REGION_INVALID = "OperationDenied.RequestRegionInvalid";

export function allocationLabel(id: string): string {
  return `IPAM pool allocation ${id}`;
}

/** The optional fields of GetIpamPoolAllocation's answer that AllocationRecord keeps (all strings in the model). */
const RECORD_FIELDS = [
  "IpamPoolId",
  "IpamPoolAllocationName",
  "IpamPoolAllocationDescription",
  "Cidr",
  "SourceCidr",
  "ResourceType",
  "ResourceId",
  "ResourceRegionId",
  "RegionId",
  "Status",
  "CreationTime",
] as const satisfies readonly (keyof AllocationRecord)[];

/** GetIpamPoolAllocation's answer, typed: a field of another type than the model's is dropped. */
export function parseAllocationRecord(body: Record<string, unknown>): AllocationRecord {
  const record: AllocationRecord = { IpamPoolAllocationId: text(body.IpamPoolAllocationId) ?? "" };
  for (const field of RECORD_FIELDS) record[field] = text(body[field]);
  return record;
}

/** A Get answer or List item as a record; undefined when it says the allocation is gone (`Deleted`). */
function liveRecord(body: Record<string, unknown>): AllocationRecord | undefined {
  const record = parseAllocationRecord(body);
  return !record.IpamPoolAllocationId || record.Status === "Deleted" ? undefined : record;
}

/** GetIpamPoolAllocation; undefined when the allocation is gone (not found, or reported `Deleted`). Always its own call. */
export async function getAllocation(op: Operation, id: string): Promise<AllocationRecord | undefined> {
  try {
    const body = await callIn(op, {
      operation: `reading ${allocationLabel(id)}`,
      product: "VpcIpam",
      action: "GetIpamPoolAllocation",
      params: { RegionId: op.region, IpamPoolAllocationId: id },
      method: "GET",
    });
    return liveRecord(body);
  } catch (err) {
    if (err instanceof CloudError && err.code === NOT_FOUND) return undefined;
    throw err;
  }
}

/**
 * Most `IpamPoolAllocationIds.N` one ListIpamPoolAllocations call is given, and its `MaxResults` (the
 * model allows 1–100, default 10): one page holds a full batch. The SDK model states no limit for the
 * ids, but the public API page says the list holds up to 20 IDs: the smaller, documented bound.
 */
export const LIST_ALLOCATIONS_MAX_IDS = 20;

/**
 * ListIpamPoolAllocations of one pool (`scope.partition`, required by the API) for `ids`, following
 * NextToken: the live records listed, parsed as Get's. More pages than the ids can fill is an answer that
 * makes no sense (a permanent error: the reads fall back to Get).
 */
async function listAllocations({ scope, timeoutMs }: ReadCall, ids: readonly string[]): Promise<Map<string, AllocationRecord>> {
  const wanted = new Set(ids);
  const found = new Map<string, AllocationRecord>();
  const maxPages = Math.ceil(ids.length / LIST_ALLOCATIONS_MAX_IDS) + 1;
  let nextToken: string | undefined;
  for (let page = 1; ; page++) {
    const body = await scope.transport.call(
      "VpcIpam",
      "ListIpamPoolAllocations",
      { RegionId: scope.region, IpamPoolId: scope.partition, IpamPoolAllocationIds: [...ids], MaxResults: LIST_ALLOCATIONS_MAX_IDS, NextToken: nextToken },
      { region: scope.region, timeoutMs },
    );
    const items = Array.isArray(body.IpamPoolAllocations) ? body.IpamPoolAllocations.filter((a): a is Record<string, unknown> => !!a && typeof a === "object") : [];
    for (const item of items) {
      const record = liveRecord(item);
      if (record && wanted.has(record.IpamPoolAllocationId) && !found.has(record.IpamPoolAllocationId)) found.set(record.IpamPoolAllocationId, record);
    }
    nextToken = text(body.NextToken) || undefined;
    if (nextToken === undefined || found.size === wanted.size) return found;
    if (page >= maxPages) {
      throw new CloudError({
        code: "UnexpectedResponse",
        message: `ListIpamPoolAllocations for ${ids.length} IpamPoolAllocationIds was still paging after ${page} pages of ${LIST_ALLOCATIONS_MAX_IDS}`,
        kind: "permanent",
        requestId: text(body.RequestId),
      });
    }
  }
}

/**
 * How the read coalescer reads allocations: alone with GetIpamPoolAllocation, in batches (one pool per
 * batch: the List call requires IpamPoolId) with ListIpamPoolAllocations, whose items carry the same
 * fields as Get's answer (SDK ListIpamPoolAllocationsResponseBodyIpamPoolAllocations), type and status
 * included.
 */
export const ALLOCATION_READS: BatchReader<AllocationRecord> = {
  product: "VpcIpam",
  noun: "IPAM pool allocation",
  oneAction: "GetIpamPoolAllocation",
  listAction: "ListIpamPoolAllocations",
  maxIds: LIST_ALLOCATIONS_MAX_IDS,
  async readOne({ scope, timeoutMs }, id) {
    try {
      return liveRecord(await scope.transport.call("VpcIpam", "GetIpamPoolAllocation", { RegionId: scope.region, IpamPoolAllocationId: id }, { region: scope.region, method: "GET", timeoutMs }));
    } catch (err) {
      if (err instanceof CloudError && err.code === NOT_FOUND) return undefined;
      throw err;
    }
  },
  readMany: listAllocations,
  complete: () => true,
};

/**
 * The allocation as the read coalescer reads it — batched with the process's other reads of allocations
 * of pool `ipamPoolId` in the same region and account, or its own Get — or undefined when it is gone.
 * Without a pool (state that lacks it) it is always its own Get.
 */
export function readAllocation(op: Operation, id: string, ipamPoolId: string | undefined): Promise<AllocationRecord | undefined> {
  if (!ipamPoolId) return getAllocation(op, id);
  return readIn(op, `reading ${allocationLabel(id)}`, ALLOCATION_READS, id, ipamPoolId);
}

/**
 * The IP version (`IPv4` / `IPv6`) of a pool, from ListIpamPools; undefined when the pool is not listed
 * or the answer does not say (the create call then reports what is wrong).
 */
export async function describePoolIpVersion(op: Operation, poolId: string): Promise<string | undefined> {
  return text((await describePool(op, poolId))?.IpVersion);
}

/** ListIpamPools for one pool: its entry (`IpVersion`, `PoolRegionId`, …), or undefined when not listed. */
async function describePool(op: Operation, poolId: string): Promise<Record<string, unknown> | undefined> {
  const body = await callIn(op, {
    operation: `reading IPAM pool ${poolId}`,
    product: "VpcIpam",
    action: "ListIpamPools",
    params: { RegionId: op.region, IpamPoolIds: [poolId] },
  });
  const pools = Array.isArray(body.IpamPools) ? body.IpamPools.filter((p): p is Record<string, unknown> => !!p && typeof p === "object") : [];
  return pools.find((p) => p.IpamPoolId === poolId);
}

/**
 * After `OperationDenied.RequestRegionInvalid`: the error with a hint naming the pool's region too, read
 * with ListIpamPools (best effort: if that read fails, the error keeps the hint it has).
 */
export async function withPoolRegionHint(op: Operation, poolId: string, err: unknown): Promise<unknown> {
  if (!(err instanceof CloudError) || err.code !== REQUEST_REGION_INVALID) return err;
  const poolRegion = await describePool(op, poolId).then(
    (p) => text(p?.PoolRegionId),
    () => undefined,
  );
  return poolRegion ? err.withHint(requestRegionHint(op.region, poolId, poolRegion)) : err;
}

export async function createAllocation(
  op: Operation,
  args: { ipamPoolId: string; cidr?: string; cidrMask?: number; name?: string; description?: string; clientToken: string },
): Promise<{ id: string; cidr?: string; sourceCidr?: string }> {
  const body = await callIn(op, {
    operation: `creating an allocation in IPAM pool ${args.ipamPoolId}`,
    product: "VpcIpam",
    action: "CreateIpamPoolAllocation",
    params: {
      RegionId: op.region,
      IpamPoolId: args.ipamPoolId,
      Cidr: args.cidr,
      CidrMask: args.cidrMask,
      IpamPoolAllocationName: args.name,
      IpamPoolAllocationDescription: args.description,
      ClientToken: args.clientToken,
    },
  });
  const id = body.IpamPoolAllocationId;
  if (typeof id !== "string" || id === "") {
    throw new CloudError({ code: "InvalidResponse", message: "CreateIpamPoolAllocation answered without IpamPoolAllocationId", requestId: String(body.RequestId ?? ""), kind: "permanent" });
  }
  return { id, cidr: text(body.Cidr), sourceCidr: text(body.SourceCidr) };
}

export async function updateAllocation(
  op: Operation,
  args: { id: string; name?: string; description?: string; clientToken: string },
): Promise<void> {
  await callIn(op, {
    operation: `updating ${allocationLabel(args.id)}`,
    product: "VpcIpam",
    action: "UpdateIpamPoolAllocation",
    params: {
      RegionId: op.region,
      IpamPoolAllocationId: args.id,
      IpamPoolAllocationName: args.name,
      IpamPoolAllocationDescription: args.description,
      ClientToken: args.clientToken,
    },
  });
}

/**
 * DeleteIpamPoolAllocation. Returns false when the allocation was already gone. With `dryRun`, the
 * service's `DryRunOperation` answer means "would succeed" and is returned as true.
 */
export async function deleteAllocation(
  op: Operation,
  args: { id: string; clientToken?: string; dryRun?: boolean },
): Promise<boolean> {
  try {
    await callIn(op, {
      operation: `${args.dryRun ? "dry-run releasing" : "releasing"} ${allocationLabel(args.id)}`,
      product: "VpcIpam",
      action: "DeleteIpamPoolAllocation",
      params: { RegionId: op.region, IpamPoolAllocationId: args.id, DryRun: args.dryRun ? true : undefined, ClientToken: args.clientToken },
    });
    return true;
  } catch (err) {
    if (err instanceof CloudError) {
      if (err.code === NOT_FOUND) return false;
      if (args.dryRun && err.code === "DryRunOperation") return true;
    }
    throw err;
  }
}

/** The outputs for a record, keeping the inputs as applied. */
export function outputsFromRecord(record: AllocationRecord, inputs: Partial<IpamPoolAllocationOutputs> & { regionId: string }): IpamPoolAllocationOutputs {
  return {
    allocationId: record.IpamPoolAllocationId,
    ipamPoolId: record.IpamPoolId ?? inputs.ipamPoolId ?? "",
    cidr: record.Cidr ?? inputs.cidr ?? "",
    sourceCidr: record.SourceCidr || undefined,
    resourceType: record.ResourceType ?? "Custom",
    resourceId: record.ResourceId || undefined,
    status: record.Status ?? "Created",
    regionId: inputs.regionId,
    poolRegionId: record.RegionId || record.ResourceRegionId || undefined,
    name: record.IpamPoolAllocationName || undefined,
    description: record.IpamPoolAllocationDescription || undefined,
    createTime: record.CreationTime || undefined,
    creationTime: record.CreationTime || undefined,
    cidrMask: inputs.cidrMask,
    adoptAllocationId: inputs.adoptAllocationId,
    allowVpcAllocationRelease: inputs.allowVpcAllocationRelease,
    timeoutSeconds: inputs.timeoutSeconds,
    maxAttempts: inputs.maxAttempts,
    adoptedInRun: inputs.adoptedInRun,
  };
}
