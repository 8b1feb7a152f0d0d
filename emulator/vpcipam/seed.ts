/**
 * VpcIpam seeding (`POST /_emulator/seed` → `{vpcipam: {pools, allocations, removePools}}`): the
 * spec's types and its validation into pool and allocation records. The state (model.ts) owns
 * the maps; it hands these builders a `SeedTarget` to look up pools and draw ids.
 */
import { ApiError } from "../core/types";
import { type IpVersion, addressBits, cidrContains, cidrsOverlap, formatCidr, mustParseCidr, parseCidr } from "./cidr";
import {
  ALLOCATION_ID_PATTERN,
  DEFAULT_ACCOUNT_ID,
  POOL_ID_PATTERN,
  type AllocationRecord,
  type AllocationResourceType,
  type PoolRecord,
  randomAlnum,
} from "./model";

export interface VpcIpamSeedPool {
  /** `ipam-pool-<lowercase alnum>`; generated when absent. Give it explicitly to seed allocations in the same call. */
  ipamPoolId?: string;
  /** The pool's region. */
  regionId: string;
  /** Provisioned CIDRs (canonical network addresses, one family, not overlapping). */
  cidrs: string[];
  /** Default: the family of `cidrs[0]`. */
  ipVersion?: IpVersion;
  allocationMinCidrMask?: number;
  allocationMaxCidrMask?: number;
  allocationDefaultCidrMask?: number;
  name?: string;
  description?: string;
  /** IPAM managed region; default `regionId`. */
  ipamRegionId?: string;
  ipamId?: string;
  ipamScopeId?: string;
  ipamScopeType?: "private" | "public";
  /** Parent pool (must already exist or come earlier in the same spec). */
  sourceIpamPoolId?: string;
  ownerId?: number;
  resourceGroupId?: string;
  isShared?: boolean;
  tags?: Record<string, string>;
}

export interface VpcIpamSeedAllocation {
  ipamPoolId: string;
  cidr: string;
  /** `VPC` | `IpamPool` | `Custom`; any other string seeds an "unexpected" type. */
  resourceType: AllocationResourceType | (string & Record<never, never>);
  /** Default: a generated `vpc-…` for VPC, a generated `ipam-pool-…` for IpamPool, "" otherwise. */
  resourceId?: string;
  name?: string;
  description?: string;
  /** `ipam-pool-alloc-<lowercase alnum>`; generated when absent. */
  ipamPoolAllocationId?: string;
  resourceOwnerId?: number;
  /** Default: the pool's region. */
  resourceRegionId?: string;
  /** Only these AccessKeyIds may Update/Delete it (others → OperationDenied.Unauthorized). */
  authorizedAccessKeyIds?: string[];
}

/**
 * What `seed()` accepts. Applied atomically in this order: pools, allocations, then `removePools`
 * (which deletes pools but keeps their allocations — a pool deleted out of band, so that Delete
 * can answer `ResourceNotFound.IpamPool`).
 */
export interface VpcIpamSeedSpec {
  pools?: VpcIpamSeedPool[];
  allocations?: VpcIpamSeedAllocation[];
  removePools?: string[];
}

export interface VpcIpamSeedResult {
  ipamPoolIds: string[];
  ipamPoolAllocationIds: string[];
}

/** What the builders need from the state. */
export interface SeedTarget {
  pool(id: string): PoolRecord | undefined;
  hasAllocation(id: string): boolean;
  allocationsOfPool(ipamPoolId: string): AllocationRecord[];
  newPoolId(): string;
  newAllocationId(): string;
  nextSeq(): number;
}

export function seedError(message: string): ApiError {
  return new ApiError("InvalidParameter", `VpcIpam seed: ${message}`, 400);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function optString(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw seedError(`${where}.${key} must be a string`);
  return v;
}

function optInt(o: Record<string, unknown>, key: string, where: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw seedError(`${where}.${key} must be an integer from ${min} to ${max}`);
  }
  return v;
}

function optStringArray(o: Record<string, unknown>, key: string, where: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw seedError(`${where}.${key} must be an array of strings`);
  return v as string[];
}

export function seedPoolRecord(raw: unknown, where: string, now: number, t: SeedTarget): PoolRecord {
  if (!isObject(raw)) throw seedError(`${where} must be an object`);
  let id = optString(raw, "ipamPoolId", where);
  if (id !== undefined) {
    if (!POOL_ID_PATTERN.test(id)) throw seedError(`${where}.ipamPoolId must match ${POOL_ID_PATTERN}`);
    if (t.pool(id) !== undefined) throw seedError(`${where}.ipamPoolId ${id} already exists`);
  } else {
    id = t.newPoolId();
  }
  const regionId = optString(raw, "regionId", where);
  if (!regionId) throw seedError(`${where}.regionId is required`);
  const cidrTexts = optStringArray(raw, "cidrs", where);
  if (!cidrTexts || cidrTexts.length === 0) throw seedError(`${where}.cidrs must be a non-empty array`);
  const blocks = cidrTexts.map((c) => {
    const r = parseCidr(c);
    if (!r.ok) throw seedError(`${where}.cidrs: ${JSON.stringify(c)} is not a canonical CIDR (${r.reason})`);
    return r.block;
  });
  const versionRaw = optString(raw, "ipVersion", where);
  if (versionRaw !== undefined && versionRaw !== "IPv4" && versionRaw !== "IPv6") throw seedError(`${where}.ipVersion must be IPv4 or IPv6`);
  const ipVersion: IpVersion = versionRaw ?? blocks[0].version;
  blocks.forEach((b, i) => {
    if (b.version !== ipVersion) throw seedError(`${where}.cidrs[${i}] is not ${ipVersion}`);
    blocks.slice(0, i).forEach((o) => {
      if (cidrsOverlap(o, b)) throw seedError(`${where}.cidrs overlap: ${formatCidr(o)} and ${formatCidr(b)}`);
    });
  });
  const bits = addressBits(ipVersion);
  const min = optInt(raw, "allocationMinCidrMask", where, 0, bits) ?? 0;
  const max = optInt(raw, "allocationMaxCidrMask", where, 0, bits) ?? bits;
  if (min > max) throw seedError(`${where}: allocationMinCidrMask > allocationMaxCidrMask`);
  const fallbackDefault = Math.min(Math.max(ipVersion === "IPv4" ? 24 : 64, min), max);
  const def = optInt(raw, "allocationDefaultCidrMask", where, min, max) ?? fallbackDefault;
  const scopeType = optString(raw, "ipamScopeType", where) ?? "private";
  if (scopeType !== "private" && scopeType !== "public") throw seedError(`${where}.ipamScopeType must be private or public`);
  const sourceIpamPoolId = optString(raw, "sourceIpamPoolId", where);
  let poolDepth = 0;
  if (sourceIpamPoolId !== undefined) {
    const parent = t.pool(sourceIpamPoolId);
    if (!parent) throw seedError(`${where}.sourceIpamPoolId ${sourceIpamPoolId} is not a known pool`);
    poolDepth = parent.poolDepth + 1;
  }
  const tagsRaw = raw.tags;
  if (tagsRaw !== undefined && (!isObject(tagsRaw) || Object.values(tagsRaw).some((v) => typeof v !== "string"))) {
    throw seedError(`${where}.tags must be an object of strings`);
  }
  const isShared = raw.isShared;
  if (isShared !== undefined && typeof isShared !== "boolean") throw seedError(`${where}.isShared must be a boolean`);
  const name = optString(raw, "name", where);
  const description = optString(raw, "description", where);
  const rec: PoolRecord = {
    ipamPoolId: id,
    ...(name !== undefined ? { name } : {}),
    ...(description !== undefined ? { description } : {}),
    regionId,
    ipamRegionId: optString(raw, "ipamRegionId", where) ?? regionId,
    ipVersion,
    cidrs: blocks.map(formatCidr),
    allocationMinCidrMask: min,
    allocationMaxCidrMask: max,
    allocationDefaultCidrMask: def,
    ipamId: optString(raw, "ipamId", where) ?? "ipam-emulator0000000000",
    ipamScopeId: optString(raw, "ipamScopeId", where) ?? `ipam-scope-emulator-${scopeType}`,
    ipamScopeType: scopeType,
    ...(sourceIpamPoolId !== undefined ? { sourceIpamPoolId } : {}),
    poolDepth,
    ownerId: optInt(raw, "ownerId", where, 0, Number.MAX_SAFE_INTEGER) ?? DEFAULT_ACCOUNT_ID,
    resourceGroupId: optString(raw, "resourceGroupId", where) ?? "rg-emulatordefault000",
    isShared: isShared === true,
    autoImport: false,
    tags: Object.entries((tagsRaw as Record<string, string> | undefined) ?? {}).map(([key, value]) => ({ key, value })),
    createTime: now,
    seq: t.nextSeq(),
  };
  return rec;
}

export function seedAllocationRecord(raw: unknown, where: string, now: number, t: SeedTarget): AllocationRecord {
  if (!isObject(raw)) throw seedError(`${where} must be an object`);
  const poolId = optString(raw, "ipamPoolId", where);
  const pool = poolId === undefined ? undefined : t.pool(poolId);
  if (!pool) throw seedError(`${where}.ipamPoolId ${String(poolId)} is not a known pool`);
  const cidrText = optString(raw, "cidr", where);
  const parsed = cidrText === undefined ? undefined : parseCidr(cidrText);
  if (!parsed || !parsed.ok) throw seedError(`${where}.cidr ${JSON.stringify(cidrText)} is not a canonical CIDR`);
  const block = parsed.block;
  if (block.version !== pool.ipVersion) throw seedError(`${where}.cidr is not ${pool.ipVersion}`);
  const source = pool.cidrs.map(mustParseCidr).find((s) => cidrContains(s, block));
  if (!source) throw seedError(`${where}.cidr ${cidrText} is outside the pool's CIDRs ${pool.cidrs.join(", ")}`);
  const clash = t.allocationsOfPool(pool.ipamPoolId).find((a) => cidrsOverlap(mustParseCidr(a.cidr), block));
  if (clash) throw seedError(`${where}.cidr ${cidrText} overlaps allocation ${clash.ipamPoolAllocationId} (${clash.cidr})`);
  const resourceType = optString(raw, "resourceType", where);
  if (!resourceType) throw seedError(`${where}.resourceType is required (VPC, IpamPool or Custom)`);
  let id = optString(raw, "ipamPoolAllocationId", where);
  if (id !== undefined) {
    if (!ALLOCATION_ID_PATTERN.test(id)) throw seedError(`${where}.ipamPoolAllocationId must match ${ALLOCATION_ID_PATTERN}`);
    if (t.hasAllocation(id)) throw seedError(`${where}.ipamPoolAllocationId ${id} already exists`);
  } else {
    id = t.newAllocationId();
  }
  const defaultResourceId =
    resourceType === "VPC" ? `vpc-${randomAlnum(20)}` : resourceType === "IpamPool" ? `ipam-pool-${randomAlnum(20)}` : "";
  const name = optString(raw, "name", where);
  const description = optString(raw, "description", where);
  const authorized = optStringArray(raw, "authorizedAccessKeyIds", where);
  const rec: AllocationRecord = {
    ipamPoolAllocationId: id,
    ipamPoolId: pool.ipamPoolId,
    ...(name !== undefined ? { name } : {}),
    ...(description !== undefined ? { description } : {}),
    cidr: formatCidr(block),
    sourceCidr: formatCidr(source),
    resourceType,
    resourceId: optString(raw, "resourceId", where) ?? defaultResourceId,
    resourceOwnerId: optInt(raw, "resourceOwnerId", where, 0, Number.MAX_SAFE_INTEGER) ?? pool.ownerId,
    resourceRegionId: optString(raw, "resourceRegionId", where) ?? pool.regionId,
    regionId: pool.regionId,
    status: "Created",
    creationTime: now,
    seq: t.nextSeq(),
    ...(authorized !== undefined ? { authorizedAccessKeyIds: [...authorized] } : {}),
  };
  return rec;
}
