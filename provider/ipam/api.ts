/** Typed VpcIpam calls over the shared transport and retry policy. */
import { CloudContext, invoke } from "../cloud/context";
import { CloudError } from "../cloud/errors";
import { AllocationRecord, IpamPoolAllocationOutputs } from "./types";

const NOT_FOUND = "ResourceNotFound.IpamPoolAllocation";

export function describeAllocation(id: string): string {
  return `IPAM pool allocation ${id}`;
}

/** GetIpamPoolAllocation; undefined when the allocation is gone (not found, or reported `Deleted`). */
export async function getAllocation(ctx: CloudContext, id: string, region: string, deadlineAt?: number): Promise<AllocationRecord | undefined> {
  try {
    const body = await invoke(ctx, {
      operation: `reading ${describeAllocation(id)}`,
      product: "VpcIpam",
      action: "GetIpamPoolAllocation",
      params: { RegionId: region, IpamPoolAllocationId: id },
      region,
      method: "GET",
      deadlineAt,
    });
    const record = body as unknown as AllocationRecord;
    if (!record.IpamPoolAllocationId || record.Status === "Deleted") return undefined;
    return record;
  } catch (err) {
    if (err instanceof CloudError && err.code === NOT_FOUND) return undefined;
    throw err;
  }
}

/**
 * The IP version (`IPv4` / `IPv6`) of a pool, from ListIpamPools; undefined when the pool is not listed
 * or the answer does not say (the create call then reports what is wrong).
 */
export async function describePoolIpVersion(ctx: CloudContext, poolId: string, region: string, deadlineAt?: number): Promise<string | undefined> {
  const body = await invoke(ctx, {
    operation: `reading IPAM pool ${poolId}`,
    product: "VpcIpam",
    action: "ListIpamPools",
    params: { RegionId: region, IpamPoolIds: [poolId] },
    region,
    deadlineAt,
  });
  const pools = Array.isArray(body.IpamPools) ? (body.IpamPools as Record<string, unknown>[]) : [];
  const pool = pools.find((p) => p && p.IpamPoolId === poolId);
  return typeof pool?.IpVersion === "string" ? pool.IpVersion : undefined;
}

export async function createAllocation(
  ctx: CloudContext,
  args: { ipamPoolId: string; cidr?: string; cidrMask?: number; name?: string; description?: string; region: string; clientToken: string; deadlineAt: number },
): Promise<{ id: string; cidr?: string; sourceCidr?: string }> {
  const body = await invoke(ctx, {
    operation: `creating an allocation in IPAM pool ${args.ipamPoolId}`,
    product: "VpcIpam",
    action: "CreateIpamPoolAllocation",
    params: {
      RegionId: args.region,
      IpamPoolId: args.ipamPoolId,
      Cidr: args.cidr,
      CidrMask: args.cidrMask,
      IpamPoolAllocationName: args.name,
      IpamPoolAllocationDescription: args.description,
      ClientToken: args.clientToken,
    },
    region: args.region,
    deadlineAt: args.deadlineAt,
  });
  const id = body.IpamPoolAllocationId;
  if (typeof id !== "string" || id === "") {
    throw new CloudError({ code: "InvalidResponse", message: "CreateIpamPoolAllocation answered without IpamPoolAllocationId", requestId: String(body.RequestId ?? ""), kind: "permanent" });
  }
  return { id, cidr: body.Cidr as string | undefined, sourceCidr: body.SourceCidr as string | undefined };
}

export async function updateAllocation(
  ctx: CloudContext,
  args: { id: string; region: string; name?: string; description?: string; clientToken: string; deadlineAt: number },
): Promise<void> {
  await invoke(ctx, {
    operation: `updating ${describeAllocation(args.id)}`,
    product: "VpcIpam",
    action: "UpdateIpamPoolAllocation",
    params: {
      RegionId: args.region,
      IpamPoolAllocationId: args.id,
      IpamPoolAllocationName: args.name,
      IpamPoolAllocationDescription: args.description,
      ClientToken: args.clientToken,
    },
    region: args.region,
    deadlineAt: args.deadlineAt,
  });
}

/**
 * DeleteIpamPoolAllocation. Returns false when the allocation was already gone. With `dryRun`, the
 * service's `DryRunOperation` answer means "would succeed" and is returned as true.
 */
export async function deleteAllocation(
  ctx: CloudContext,
  args: { id: string; region: string; clientToken?: string; dryRun?: boolean; deadlineAt: number },
): Promise<boolean> {
  try {
    await invoke(ctx, {
      operation: `${args.dryRun ? "dry-run releasing" : "releasing"} ${describeAllocation(args.id)}`,
      product: "VpcIpam",
      action: "DeleteIpamPoolAllocation",
      params: { RegionId: args.region, IpamPoolAllocationId: args.id, DryRun: args.dryRun ? true : undefined, ClientToken: args.clientToken },
      region: args.region,
      deadlineAt: args.deadlineAt,
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
    creationTime: record.CreationTime || undefined,
    cidrMask: inputs.cidrMask,
    adoptAllocationId: inputs.adoptAllocationId,
    allowVpcAllocationRelease: inputs.allowVpcAllocationRelease,
    timeoutSeconds: inputs.timeoutSeconds,
    maxAttempts: inputs.maxAttempts,
  };
}
