/**
 * VpcIpam state and rules: IPAM pools (seeded only — no pool action is in scope) and their
 * allocations. Moto-style: the model owns plain records and enforces the service's rules; it never
 * sees HTTP or raw request strings (handlers.ts parses those).
 *
 * Assumptions (the public docs are silent; facts in docs/api-facts.md §6):
 * - Get/List answer from any request region (IPAM data is account-wide), while Create, Update and
 *   Delete must be called in the pool's region (`OperationDenied.RequestRegionInvalid` otherwise;
 *   documented for Delete and, in prose, for Create).
 * - Released allocations are forgotten at once: Get → `ResourceNotFound.IpamPoolAllocation`, List
 *   omits them, and their CIDR is free again. No `Deleted` status is ever shown.
 * - Allocations live in one flat, account-wide id space; `RegionId` of an allocation is its pool's
 *   region at creation time.
 * - Conflicts are checked against the pool's own live allocations (any resource type). A sub-pool's
 *   CIDR shows up in its parent as an `IpamPool` allocation, so it is covered once seeded as such.
 * - Mask limits: an explicit `Cidr`'s prefix and a `CidrMask` must both lie within the pool's
 *   [AllocationMinCidrMask, AllocationMaxCidrMask]. Unset limits default to 0 and 32 (IPv4) / 128
 *   (IPv6); an unset AllocationDefaultCidrMask defaults to 24 (IPv4) / 64 (IPv6), clamped into the
 *   limits (it is only reported: Create requires Cidr or CidrMask).
 * - `OperationDenied.Unauthorized` (documented for Delete) is an emulator device: an allocation
 *   seeded with `authorizedAccessKeyIds` refuses Update/Delete from any other AccessKeyId.
 *   Allocations created through the API accept every caller.
 * - Check order for Delete: allocation exists → pool exists → caller authorized → request region →
 *   resource type → DryRun. Update uses the same order. Create: pool exists → region → CIDR/mask
 *   rules → free space → DryRun.
 */
import { randomBytes } from "node:crypto";

import {
  type CidrBlock,
  type IpVersion,
  addressBits,
  cidrContains,
  cidrsOverlap,
  findFirstFreeBlock,
  formatCidr,
  mustParseCidr,
} from "./cidr";
import * as errors from "./errors";
import { type SeedTarget, type VpcIpamSeedResult, isObject, seedAllocationRecord, seedError, seedPoolRecord } from "./seed";

export type AllocationResourceType = "VPC" | "IpamPool" | "Custom";
export const KNOWN_RESOURCE_TYPES: readonly AllocationResourceType[] = ["VPC", "IpamPool", "Custom"];

/** Emulated account id, reported as OwnerId / ResourceOwnerId unless a seed says otherwise (assumption). */
export const DEFAULT_ACCOUNT_ID = 1234567890123456;

// ---------------------------------------------------------------------------------------------
// Records (plain JSON: they are what snapshot() writes)
// ---------------------------------------------------------------------------------------------

export interface PoolTag {
  readonly key: string;
  readonly value: string;
}

export interface PoolRecord {
  ipamPoolId: string;
  name?: string;
  description?: string;
  /** The pool's region (PoolRegionId): allocations must be created/changed/released from here. */
  regionId: string;
  /** The IPAM's managed region (IpamRegionId / RegionId in ListIpamPools). */
  ipamRegionId: string;
  ipVersion: IpVersion;
  /** Provisioned CIDRs, canonical text, in provisioning order. */
  cidrs: string[];
  allocationMinCidrMask: number;
  allocationMaxCidrMask: number;
  allocationDefaultCidrMask: number;
  ipamId: string;
  ipamScopeId: string;
  ipamScopeType: "private" | "public";
  sourceIpamPoolId?: string;
  poolDepth: number;
  ownerId: number;
  resourceGroupId: string;
  isShared: boolean;
  autoImport: boolean;
  tags: PoolTag[];
  /** Epoch ms. */
  createTime: number;
  /** Creation order (paging key). */
  seq: number;
}

export interface AllocationRecord {
  ipamPoolAllocationId: string;
  ipamPoolId: string;
  name?: string;
  description?: string;
  /** Canonical CIDR text. */
  cidr: string;
  /** The pool CIDR that contains `cidr`. */
  sourceCidr: string;
  /** `VPC` | `IpamPool` | `Custom`, or anything a seed put there (to exercise UnexpectedResourceType). */
  resourceType: string;
  resourceId: string;
  resourceOwnerId: number;
  resourceRegionId: string;
  /** The pool's region when the allocation was made. */
  regionId: string;
  status: "Created";
  /** Epoch ms. */
  creationTime: number;
  seq: number;
  /** Emulator device for `OperationDenied.Unauthorized`; absent = anyone may change it. */
  authorizedAccessKeyIds?: string[];
}

export type { VpcIpamSeedPool, VpcIpamSeedAllocation, VpcIpamSeedSpec, VpcIpamSeedResult } from "./seed";

// ---------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
/** Process-wide, never reset: ids do not repeat across model resets within one process. */
let idCounter = 0;

export function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += ALNUM[bytes[i] % ALNUM.length];
  return out;
}

/** `length` lowercase alphanumerics: random head + a base-36 process counter tail (unique). */
function uniqueSuffix(length: number): string {
  const counter = (idCounter++).toString(36).padStart(6, "0");
  return randomAlnum(length - counter.length) + counter;
}

export const POOL_ID_PATTERN = /^ipam-pool-[a-z0-9]+$/;
/** `ipam-pool-alloc-…` is what we emit; doc examples also show `ipam-alloc-…`, accepted from seeds. */
export const ALLOCATION_ID_PATTERN = /^ipam-(pool-)?alloc-[a-z0-9]+$/;

// ---------------------------------------------------------------------------------------------
// Validation shared with handlers
// ---------------------------------------------------------------------------------------------

function startsWithHttp(s: string): boolean {
  const lower = s.toLowerCase();
  return lower.startsWith("http://") || lower.startsWith("https://");
}

/**
 * IpamPoolAllocationName: 1–128 characters, must not start with `http://` / `https://`
 * (case-insensitive — assumption). Returns a reason or undefined when valid.
 */
export function checkAllocationName(name: string): string | undefined {
  const len = [...name].length;
  if (len < 1 || len > 128) return "It must be 1 to 128 characters in length.";
  if (startsWithHttp(name)) return "It cannot start with http:// or https://.";
  return undefined;
}

/**
 * IpamPoolAllocationDescription: 1–256 characters, starts with a letter (ASCII — assumption) or a
 * Chinese character (CJK unified ideograph), must not start with `http://` / `https://`.
 */
export function checkAllocationDescription(description: string): string | undefined {
  const len = [...description].length;
  if (len < 1 || len > 256) return "It must be 1 to 256 characters in length.";
  if (!/^[A-Za-z\u3400-\u4dbf\u4e00-\u9fff]/u.test(description)) return "It must start with a letter or a Chinese character.";
  if (startsWithHttp(description)) return "It cannot start with http:// or https://.";
  return undefined;
}

/** UTC ISO 8601 without milliseconds: `2024-10-15T02:24:19Z`. */
export function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// ---------------------------------------------------------------------------------------------
// Model inputs
// ---------------------------------------------------------------------------------------------

/** Who is calling and from where (the parts of RequestContext the rules need). */
export interface Caller {
  readonly regionId: string;
  readonly accessKeyId: string;
  readonly now: number;
}

export interface CreateAllocationInput {
  readonly ipamPoolId: string;
  /** Parsed, canonical block (syntax already checked by the handler). Exactly one of cidr / cidrMask. */
  readonly cidr?: CidrBlock;
  readonly cidrMask?: number;
  readonly name?: string;
  readonly description?: string;
  readonly dryRun: boolean;
}

export interface UpdateAllocationInput {
  readonly ipamPoolAllocationId: string;
  readonly name?: string;
  readonly description?: string;
  readonly dryRun: boolean;
}

export interface AllocationFilter {
  readonly ipamPoolId: string;
  readonly ids?: readonly string[];
  readonly name?: string;
  /** Canonical CIDR text: exact match (assumption; the docs do not say whether it is exact or containment). */
  readonly cidr?: string;
}

export interface PoolFilter {
  readonly ids?: readonly string[];
  readonly name?: string;
  readonly ipamScopeId?: string;
  readonly poolRegionId?: string;
  readonly sourceIpamPoolId?: string;
  readonly ipVersion?: IpVersion;
  readonly isShared?: boolean;
  readonly resourceGroupId?: string;
  /** Each tag must be present; a tag without value matches any value. */
  readonly tags?: readonly { key: string; value?: string }[];
}

// ---------------------------------------------------------------------------------------------
// Snapshot format
// ---------------------------------------------------------------------------------------------

export interface VpcIpamSnapshot {
  format: "vpcipam/1";
  seq: number;
  pools: PoolRecord[];
  allocations: AllocationRecord[];
}

/** `IpamPoolId` → `ipamPoolId`, at every depth: how the SDK models name the API's fields. */
function camelCaseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelCaseKeys);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.charAt(0).toLowerCase() + k.slice(1), camelCaseKeys(x)]));
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

export class VpcIpamState {
  private pools = new Map<string, PoolRecord>();
  private allocations = new Map<string, AllocationRecord>();
  private seq = 0;

  reset(): void {
    this.pools = new Map();
    this.allocations = new Map();
    this.seq = 0;
  }

  // ---- lookups ----

  getPool(ipamPoolId: string): PoolRecord | undefined {
    return this.pools.get(ipamPoolId);
  }

  /** Live allocation or `ResourceNotFound.IpamPoolAllocation`. Region-independent (assumption, see header). */
  getAllocation(ipamPoolAllocationId: string): AllocationRecord {
    const a = this.allocations.get(ipamPoolAllocationId);
    if (!a) throw errors.allocationNotFound();
    return a;
  }

  private requirePool(ipamPoolId: string): PoolRecord {
    const p = this.pools.get(ipamPoolId);
    if (!p) throw errors.poolNotFound();
    return p;
  }

  private allocationsOfPool(ipamPoolId: string): AllocationRecord[] {
    return [...this.allocations.values()].filter((a) => a.ipamPoolId === ipamPoolId).sort((a, b) => a.seq - b.seq);
  }

  private newAllocationId(): string {
    for (;;) {
      const id = `ipam-pool-alloc-${uniqueSuffix(18)}`;
      if (!this.allocations.has(id)) return id;
    }
  }

  private newPoolId(): string {
    for (;;) {
      const id = `ipam-pool-${uniqueSuffix(20)}`;
      if (!this.pools.has(id)) return id;
    }
  }

  // ---- rules ----

  /**
   * Pick or check the CIDR for a new allocation in `pool`. Throws the cloud error; returns the
   * block and its source pool CIDR.
   */
  private placeAllocation(pool: PoolRecord, input: { cidr?: CidrBlock; cidrMask?: number }): { block: CidrBlock; source: CidrBlock } {
    const sources = pool.cidrs.map(mustParseCidr);
    const live = this.allocationsOfPool(pool.ipamPoolId).map((a) => ({ rec: a, block: mustParseCidr(a.cidr) }));
    const range = `It must be from ${pool.allocationMinCidrMask} to ${pool.allocationMaxCidrMask} for this IPAM pool.`;

    if (input.cidr) {
      const block = input.cidr;
      const text = formatCidr(block);
      if (block.version !== pool.ipVersion) {
        throw errors.invalidParameter("Cidr", `The IPAM pool is ${pool.ipVersion}; ${text} is ${block.version}.`);
      }
      if (block.prefix < pool.allocationMinCidrMask || block.prefix > pool.allocationMaxCidrMask) {
        throw errors.invalidParameter("Cidr", `Its mask ${block.prefix} is out of range. ${range}`);
      }
      const source = sources.find((s) => cidrContains(s, block));
      if (!source) throw errors.cidrNotInPool(text);
      const clash = live.find((l) => cidrsOverlap(l.block, block));
      if (clash) throw errors.cidrConflict(text, clash.rec.cidr);
      return { block, source };
    }

    const mask = input.cidrMask;
    if (mask === undefined) throw errors.missingParameter("Cidr or CidrMask");
    const bits = addressBits(pool.ipVersion);
    if (mask < 0 || mask > bits) {
      throw errors.invalidParameter("CidrMask", `It must be an integer from 0 to ${bits} for an ${pool.ipVersion} pool.`);
    }
    if (mask < pool.allocationMinCidrMask || mask > pool.allocationMaxCidrMask) {
      throw errors.invalidParameter("CidrMask", range);
    }
    const found = findFirstFreeBlock(
      sources,
      live.map((l) => l.block),
      mask,
    );
    if (!found) throw errors.noAvailableCidr(mask);
    return found;
  }

  private checkCallerMayChange(a: AllocationRecord, caller: Caller): PoolRecord {
    const pool = this.requirePool(a.ipamPoolId);
    if (a.authorizedAccessKeyIds && !a.authorizedAccessKeyIds.includes(caller.accessKeyId)) throw errors.unauthorized();
    if (caller.regionId !== pool.regionId) throw errors.requestRegionInvalid();
    return pool;
  }

  createAllocation(input: CreateAllocationInput, caller: Caller): AllocationRecord {
    const pool = this.requirePool(input.ipamPoolId);
    if (caller.regionId !== pool.regionId) throw errors.requestRegionInvalid();
    const placed = this.placeAllocation(pool, input);
    if (input.dryRun) throw errors.dryRunOperation();
    const rec: AllocationRecord = {
      ipamPoolAllocationId: this.newAllocationId(),
      ipamPoolId: pool.ipamPoolId,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      cidr: formatCidr(placed.block),
      sourceCidr: formatCidr(placed.source),
      resourceType: "Custom",
      // Assumption: a Custom reservation has no backing resource, so ResourceId is empty.
      resourceId: "",
      resourceOwnerId: pool.ownerId,
      resourceRegionId: pool.regionId,
      regionId: pool.regionId,
      status: "Created",
      creationTime: caller.now,
      seq: ++this.seq,
    };
    this.allocations.set(rec.ipamPoolAllocationId, rec);
    return rec;
  }

  /** Only name/description change. Non-Custom → `OperationDenied.ResourceTypeIsNotCustom` (assumption). */
  updateAllocation(input: UpdateAllocationInput, caller: Caller): AllocationRecord {
    const a = this.getAllocation(input.ipamPoolAllocationId);
    this.checkCallerMayChange(a, caller);
    if (a.resourceType !== "Custom") throw errors.resourceTypeIsNotCustom();
    if (input.dryRun) throw errors.dryRunOperation();
    if (input.name !== undefined) a.name = input.name;
    if (input.description !== undefined) a.description = input.description;
    return a;
  }

  /**
   * DeleteIpamPoolAllocation, exactly as the API page (seed) documents it: Custom and IPv4 VPC
   * allocations are released; IPv6 VPC → Ipv6VpcNotSupport; IpamPool → ResourceTypeIsNotCustom;
   * anything else → UnexpectedResourceType. DryRun runs every check, then DryRunOperation.
   */
  deleteAllocation(input: { ipamPoolAllocationId: string; dryRun: boolean }, caller: Caller): void {
    const a = this.getAllocation(input.ipamPoolAllocationId);
    this.checkCallerMayChange(a, caller);
    switch (a.resourceType) {
      case "Custom":
        break;
      case "VPC":
        if (mustParseCidr(a.cidr).version === "IPv6") throw errors.ipv6VpcNotSupport();
        break;
      case "IpamPool":
        throw errors.resourceTypeIsNotCustom();
      default:
        throw errors.unexpectedResourceType();
    }
    if (input.dryRun) throw errors.dryRunOperation();
    this.allocations.delete(a.ipamPoolAllocationId);
  }

  /** Live allocations of one pool matching the filter, in creation order. Unknown pool → 404. */
  listAllocations(filter: AllocationFilter): AllocationRecord[] {
    this.requirePool(filter.ipamPoolId);
    const ids = filter.ids && filter.ids.length > 0 ? new Set(filter.ids) : undefined;
    return this.allocationsOfPool(filter.ipamPoolId).filter(
      (a) =>
        (!ids || ids.has(a.ipamPoolAllocationId)) &&
        (filter.name === undefined || a.name === filter.name) &&
        (filter.cidr === undefined || a.cidr === filter.cidr),
    );
  }

  /** Pools matching the filter, in creation order. Region-independent (assumption, see header). */
  listPools(filter: PoolFilter): PoolRecord[] {
    const ids = filter.ids && filter.ids.length > 0 ? new Set(filter.ids) : undefined;
    return [...this.pools.values()]
      .sort((a, b) => a.seq - b.seq)
      .filter(
        (p) =>
          (!ids || ids.has(p.ipamPoolId)) &&
          (filter.name === undefined || p.name === filter.name) &&
          (filter.ipamScopeId === undefined || p.ipamScopeId === filter.ipamScopeId) &&
          (filter.poolRegionId === undefined || p.regionId === filter.poolRegionId) &&
          (filter.sourceIpamPoolId === undefined || p.sourceIpamPoolId === filter.sourceIpamPoolId) &&
          (filter.ipVersion === undefined || p.ipVersion === filter.ipVersion) &&
          (filter.isShared === undefined || p.isShared === filter.isShared) &&
          (filter.resourceGroupId === undefined || p.resourceGroupId === filter.resourceGroupId) &&
          (filter.tags ?? []).every((t) => p.tags.some((pt) => pt.key === t.key && (t.value === undefined || pt.value === t.value))),
      );
  }

  /** Provisioned CIDRs of a pool (index = paging key). Unknown pool → 404. */
  listPoolCidrs(ipamPoolId: string, cidr?: string): { cidr: string; index: number }[] {
    const pool = this.requirePool(ipamPoolId);
    return pool.cidrs.map((c, i) => ({ cidr: c, index: i + 1 })).filter((c) => cidr === undefined || c.cidr === cidr);
  }

  // ---- views (API field names) ----

  allocationView(a: AllocationRecord): Record<string, unknown> {
    return {
      IpamPoolAllocationId: a.ipamPoolAllocationId,
      IpamPoolId: a.ipamPoolId,
      // Assumption: unset name/description are omitted (the gateway drops null fields).
      ...(a.name !== undefined ? { IpamPoolAllocationName: a.name } : {}),
      ...(a.description !== undefined ? { IpamPoolAllocationDescription: a.description } : {}),
      Cidr: a.cidr,
      SourceCidr: a.sourceCidr,
      ResourceType: a.resourceType,
      ResourceId: a.resourceId,
      ResourceOwnerId: a.resourceOwnerId,
      ResourceRegionId: a.resourceRegionId,
      RegionId: a.regionId,
      Status: a.status,
      CreationTime: isoSeconds(a.creationTime),
    };
  }

  poolView(p: PoolRecord): Record<string, unknown> {
    const hasSubPool = [...this.pools.values()].some((q) => q.sourceIpamPoolId === p.ipamPoolId);
    return {
      IpamPoolId: p.ipamPoolId,
      ...(p.name !== undefined ? { IpamPoolName: p.name } : {}),
      ...(p.description !== undefined ? { IpamPoolDescription: p.description } : {}),
      IpamId: p.ipamId,
      IpamScopeId: p.ipamScopeId,
      IpamScopeType: p.ipamScopeType,
      IpamRegionId: p.ipamRegionId,
      PoolRegionId: p.regionId,
      // Assumption: RegionId of a pool is the IPAM's managed region (the region ListIpamPools is called in).
      RegionId: p.ipamRegionId,
      ...(p.sourceIpamPoolId !== undefined ? { SourceIpamPoolId: p.sourceIpamPoolId } : {}),
      PoolDepth: p.poolDepth,
      IpVersion: p.ipVersion,
      AllocationDefaultCidrMask: p.allocationDefaultCidrMask,
      AllocationMinCidrMask: p.allocationMinCidrMask,
      AllocationMaxCidrMask: p.allocationMaxCidrMask,
      // SDK ListIpamPoolsResponseBodyIpamPools.cidrs: the provisioned CIDR blocks, a list of strings.
      Cidrs: [...p.cidrs],
      AutoImport: p.autoImport,
      HasSubPool: hasSubPool,
      IsShared: p.isShared,
      OwnerId: p.ownerId,
      ResourceGroupId: p.resourceGroupId,
      CreateTime: isoSeconds(p.createTime),
      Status: "Created",
      Tags: p.tags.map((t) => ({ Key: t.key, Value: t.value })),
    };
  }

  /**
   * What `GET /_emulator/state` shows: the API's views with the SDK models' camelCase property names
   * (`ipamPoolAllocationId`, `creationTime`), the casing of the seed spec and of the Eipanycast inventory.
   */
  inventory(): { pools: Record<string, unknown>[]; allocations: Record<string, unknown>[] } {
    const pools = [...this.pools.values()].sort((a, b) => a.seq - b.seq);
    const allocations = [...this.allocations.values()].sort((a, b) => a.seq - b.seq);
    return {
      pools: pools.map((p) => camelCaseKeys(this.poolView(p)) as Record<string, unknown>),
      allocations: allocations.map((a) => camelCaseKeys(this.allocationView(a)) as Record<string, unknown>),
    };
  }

  // ---- snapshot ----

  snapshot(): VpcIpamSnapshot {
    return JSON.parse(
      JSON.stringify({
        format: "vpcipam/1",
        seq: this.seq,
        pools: [...this.pools.values()].sort((a, b) => a.seq - b.seq),
        allocations: [...this.allocations.values()].sort((a, b) => a.seq - b.seq),
      }),
    ) as VpcIpamSnapshot;
  }

  restore(snapshot: unknown): void {
    if (!isObject(snapshot) || snapshot.format !== "vpcipam/1" || !Array.isArray(snapshot.pools) || !Array.isArray(snapshot.allocations)) {
      throw new Error('VpcIpam restore: not a VpcIpam snapshot (expected format "vpcipam/1")');
    }
    const copy = JSON.parse(JSON.stringify(snapshot)) as VpcIpamSnapshot;
    const pools = new Map<string, PoolRecord>();
    const allocations = new Map<string, AllocationRecord>();
    let seq = typeof copy.seq === "number" ? copy.seq : 0;
    for (const p of copy.pools) {
      if (!isObject(p) || typeof p.ipamPoolId !== "string" || !Array.isArray(p.cidrs)) throw new Error("VpcIpam restore: bad pool record");
      p.cidrs.forEach(mustParseCidr);
      pools.set(p.ipamPoolId, p);
      if (typeof p.seq === "number") seq = Math.max(seq, p.seq);
    }
    for (const a of copy.allocations) {
      if (!isObject(a) || typeof a.ipamPoolAllocationId !== "string" || typeof a.cidr !== "string") {
        throw new Error("VpcIpam restore: bad allocation record");
      }
      mustParseCidr(a.cidr);
      allocations.set(a.ipamPoolAllocationId, a);
      if (typeof a.seq === "number") seq = Math.max(seq, a.seq);
    }
    this.pools = pools;
    this.allocations = allocations;
    this.seq = seq;
  }

  // ---- seed ----

  /** Atomic: on any invalid entry nothing is added (throws ApiError InvalidParameter "VpcIpam seed: …"). */
  seed(spec: unknown, now: number): VpcIpamSeedResult {
    if (!isObject(spec)) throw seedError("spec must be an object { pools?, allocations?, removePools? }");
    const backup = this.snapshot();
    try {
      return this.applySeed(spec, now);
    } catch (e) {
      this.restore(backup);
      throw e;
    }
  }

  /** What seed.ts may read and allocate while it builds records. */
  private seedTarget(): SeedTarget {
    return {
      pool: (id) => this.pools.get(id),
      hasAllocation: (id) => this.allocations.has(id),
      allocationsOfPool: (id) => this.allocationsOfPool(id),
      newPoolId: () => this.newPoolId(),
      newAllocationId: () => this.newAllocationId(),
      nextSeq: () => ++this.seq,
    };
  }

  private applySeed(spec: Record<string, unknown>, now: number): VpcIpamSeedResult {
    const result: VpcIpamSeedResult = { ipamPoolIds: [], ipamPoolAllocationIds: [] };
    const list = (key: string): unknown[] => {
      const v = spec[key];
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v)) throw seedError(`${key} must be an array`);
      return v;
    };
    const target = this.seedTarget();
    list("pools").forEach((p, i) => {
      const rec = seedPoolRecord(p, `pools[${i}]`, now, target);
      this.pools.set(rec.ipamPoolId, rec);
      result.ipamPoolIds.push(rec.ipamPoolId);
    });
    list("allocations").forEach((a, i) => {
      const rec = seedAllocationRecord(a, `allocations[${i}]`, now, target);
      this.allocations.set(rec.ipamPoolAllocationId, rec);
      result.ipamPoolAllocationIds.push(rec.ipamPoolAllocationId);
    });
    list("removePools").forEach((id, i) => {
      if (typeof id !== "string" || !this.pools.has(id)) throw seedError(`removePools[${i}] is not a known pool id`);
      this.pools.delete(id);
    });
    return result;
  }
}
