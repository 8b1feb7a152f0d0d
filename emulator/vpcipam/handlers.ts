/**
 * VpcIpam actions: parse the raw string parameters → call the model → build the success body
 * (without RequestId; the core adds it). Syntax checks live here, service rules in model.ts.
 *
 * Parameter conventions (api-facts.md §2): lists arrive flattened as `Name.N` (`Tags.N.Key`), only
 * that form is read; booleans are "true"/"false" (case-insensitive — assumption); unknown
 * parameters are ignored. An empty string counts as "not given" for optional parameters, except
 * IpamPoolAllocationName / IpamPoolAllocationDescription, where "" is rejected (1-character
 * minimum; assumption: the API has no way to clear them).
 */
import { createHash } from "node:crypto";

import type { ActionDefinition, Params, RequestContext } from "../core/types";
import { boolParam, defineAction, indexedObjects, indexedValues, optionalParam, requiredParam } from "../core/params";
import { type IpVersion, formatCidr, parseCidr } from "./cidr";
import * as errors from "./errors";
import { type Caller, type VpcIpamState, checkAllocationDescription, checkAllocationName } from "./model";

// ---------------------------------------------------------------------------------------------
// Parameter parsing
// ---------------------------------------------------------------------------------------------

const optional = optionalParam;
const required = (params: Params, name: string): string => requiredParam(params, name, errors);

function bool(params: Params, name: string): boolean | undefined {
  return boolParam(params, name, errors, 'It must be "true" or "false".');
}

function dryRun(params: Params): boolean {
  return bool(params, "DryRun") ?? false;
}

/** `Name.1`, `Name.2`, … in index order (gaps tolerated); at most `max` entries. */
function list(params: Params, name: string, max: number): string[] {
  const entries = indexedValues(params, name);
  if (entries.length > max) throw errors.invalidParameter(name, `At most ${max} values are allowed.`);
  return entries.map(([, v]) => v);
}

/** `Tags.N.Key` / `Tags.N.Value` (≤ 20). */
function tags(params: Params): { key: string; value?: string }[] {
  const entries = indexedObjects(params, "Tags").filter(([, t]) => t.Key !== undefined || t.Value !== undefined);
  if (entries.length > 20) throw errors.invalidParameter("Tags", "At most 20 tags are allowed.");
  return entries.map(([n, t]) => {
    if (!t.Key) throw errors.invalidParameter(`Tags.${n}.Key`);
    return t.Value === undefined || t.Value === "" ? { key: t.Key } : { key: t.Key, value: t.Value };
  });
}

/** A text parameter checked by `check` (which returns the reason it is invalid, if it is). */
function checkedText(params: Params, param: string, check: (v: string) => string | undefined): string | undefined {
  const v = params[param];
  if (v === undefined) return undefined;
  const reason = check(v);
  if (reason) throw errors.invalidParameter(param, reason);
  return v;
}

const name = (params: Params) => checkedText(params, "IpamPoolAllocationName", checkAllocationName);
const description = (params: Params) => checkedText(params, "IpamPoolAllocationDescription", checkAllocationDescription);

/** A request CIDR: must be a well-formed network address with host bits clear. Returns the canonical block. */
function cidrParam(params: Params, paramName: string) {
  const v = optional(params, paramName);
  if (v === undefined) return undefined;
  const r = parseCidr(v); // rejects surrounding whitespace too
  if (!r.ok) {
    throw errors.invalidParameter(
      paramName,
      r.reason === "hostBitsSet"
        ? `${v} is not a network address (host bits are set).`
        : `${v} is not a valid IPv4 or IPv6 CIDR block.`,
    );
  }
  return r.block;
}

function caller(ctx: RequestContext): Caller {
  return { regionId: required(ctx.params, "RegionId"), accessKeyId: ctx.accessKeyId, now: ctx.now };
}

// ---------------------------------------------------------------------------------------------
// Paging (shared by the three List actions)
// ---------------------------------------------------------------------------------------------

export const DEFAULT_MAX_RESULTS = 10;
export const MAX_MAX_RESULTS = 100;

function maxResults(params: Params): number {
  const v = optional(params, "MaxResults");
  if (v === undefined) return DEFAULT_MAX_RESULTS;
  const n = /^[0-9]{1,4}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= MAX_MAX_RESULTS)) {
    throw errors.invalidParameter("MaxResults", `It must be an integer from 1 to ${MAX_MAX_RESULTS}.`);
  }
  return n;
}

/**
 * Keyset paging. The token is opaque to clients: base64url of `v1:<fingerprint>:<lastKey>`, where the
 * fingerprint hashes the action and the parsed filters (never the raw parameters: signing
 * parameters such as SignatureNonce/Timestamp change on every call). Assumption: a token that was
 * not issued by this server for the same query (other filters, other pool, garbage) is
 * `InvalidNextToken` (400); RegionId and MaxResults may change between pages. Keyset (not offset)
 * paging keeps pages stable when items are deleted between calls. Tokens carry no server state.
 */
function paginate<T>(
  ctx: RequestContext,
  filter: unknown,
  items: readonly T[],
  key: (item: T) => number,
): { page: T[]; nextToken?: string; maxResults: number; totalCount: number } {
  const max = maxResults(ctx.params);
  const fingerprint = createHash("sha256")
    .update(JSON.stringify([ctx.action, filter]))
    .digest("hex")
    .slice(0, 16);

  let after = 0;
  const token = optional(ctx.params, "NextToken");
  if (token !== undefined) {
    const decoded = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, "base64url").toString("utf8") : "";
    const m = /^v1:([0-9a-f]{16}):([0-9]{1,15})$/.exec(decoded);
    if (!m || m[1] !== fingerprint) throw errors.invalidNextToken();
    after = Number(m[2]);
  }
  const rest = items.filter((i) => key(i) > after);
  const page = rest.slice(0, max);
  const more = rest.length > page.length;
  const nextToken = more
    ? Buffer.from(`v1:${fingerprint}:${key(page[page.length - 1])}`, "utf8").toString("base64url")
    : undefined;
  return { page, ...(nextToken !== undefined ? { nextToken } : {}), maxResults: max, totalCount: items.length };
}

function pagedBody(
  listName: string,
  paged: { page: Record<string, unknown>[]; nextToken?: string; maxResults: number; totalCount: number },
): Record<string, unknown> {
  return {
    [listName]: paged.page,
    // Assumption: NextToken is omitted on the last page (the docs allow "empty or absent").
    ...(paged.nextToken !== undefined ? { NextToken: paged.nextToken } : {}),
    MaxResults: paged.maxResults,
    Count: paged.page.length,
    TotalCount: paged.totalCount,
  };
}

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

type Handler = (state: VpcIpamState, p: Params, ctx: RequestContext) => Record<string, unknown>;

/** `CidrMask` as a number, or undefined; exactly one of Cidr / CidrMask must be given. */
function cidrOrMask(p: Params): { cidr?: ReturnType<typeof cidrParam>; cidrMask?: number } {
  const cidr = cidrParam(p, "Cidr");
  const maskText = optional(p, "CidrMask");
  if (cidr !== undefined && maskText !== undefined) {
    // Assumption: both given is InvalidParameter (the docs say "specify either").
    throw errors.invalidParameter("Cidr", 'Specify exactly one of "Cidr" and "CidrMask", not both.');
  }
  // Assumption: neither given is MissingParameter naming both (api-facts.md §6.2).
  if (cidr === undefined && maskText === undefined) throw errors.missingParameter("Cidr or CidrMask");
  if (maskText === undefined) return { cidr };
  if (!/^[0-9]{1,3}$/.test(maskText)) throw errors.invalidParameter("CidrMask", "It must be an integer.");
  return { cidrMask: Number(maskText) };
}

const createAllocation: Handler = (state, p, ctx) => {
  const who = caller(ctx);
  const ipamPoolId = required(p, "IpamPoolId");
  const { cidr, cidrMask } = cidrOrMask(p);
  const rec = state.createAllocation(
    {
      ipamPoolId,
      ...(cidr !== undefined ? { cidr } : {}),
      ...(cidrMask !== undefined ? { cidrMask } : {}),
      name: name(p),
      description: description(p),
      dryRun: dryRun(p),
    },
    who,
  );
  return { IpamPoolAllocationId: rec.ipamPoolAllocationId, Cidr: rec.cidr, SourceCidr: rec.sourceCidr };
};

const getAllocation: Handler = (state, p) => {
  // Assumption: answered from any request region (IPAM data is account-wide).
  required(p, "RegionId");
  return state.allocationView(state.getAllocation(required(p, "IpamPoolAllocationId")));
};

const listAllocations: Handler = (state, p, ctx) => {
  required(p, "RegionId"); // any region (assumption, as Get)
  const ipamPoolId = required(p, "IpamPoolId");
  const ids = list(p, "IpamPoolAllocationIds", 20);
  const cidr = cidrParam(p, "Cidr");
  const allocName = optional(p, "IpamPoolAllocationName");
  maxResults(p); // validate before the pool lookup
  const filter = {
    ipamPoolId,
    ...(ids.length > 0 ? { ids } : {}),
    ...(allocName !== undefined ? { name: allocName } : {}),
    ...(cidr !== undefined ? { cidr: formatCidr(cidr) } : {}),
  };
  const paged = paginate(ctx, filter, state.listAllocations(filter), (a) => a.seq);
  return pagedBody("IpamPoolAllocations", { ...paged, page: paged.page.map((a) => state.allocationView(a)) });
};

const updateAllocation: Handler = (state, p, ctx) => {
  const who = caller(ctx);
  const id = required(p, "IpamPoolAllocationId");
  const newName = name(p);
  const newDescription = description(p);
  state.updateAllocation(
    {
      ipamPoolAllocationId: id,
      ...(newName !== undefined ? { name: newName } : {}),
      ...(newDescription !== undefined ? { description: newDescription } : {}),
      dryRun: dryRun(p),
    },
    who,
  );
  return {};
};

const deleteAllocation: Handler = (state, p, ctx) => {
  const who = caller(ctx);
  state.deleteAllocation({ ipamPoolAllocationId: required(p, "IpamPoolAllocationId"), dryRun: dryRun(p) }, who);
  return {};
};

const listPools: Handler = (state, p, ctx) => {
  required(p, "RegionId"); // any region (assumption, as Get)
  const ids = list(p, "IpamPoolIds", 100);
  const ipVersionText = optional(p, "IpVersion");
  if (ipVersionText !== undefined && ipVersionText !== "IPv4" && ipVersionText !== "IPv6") {
    throw errors.invalidParameter("IpVersion", 'It must be "IPv4" or "IPv6".');
  }
  const isShared = bool(p, "IsShared");
  const tagFilter = tags(p);
  const filter = {
    ...(ids.length > 0 ? { ids } : {}),
    name: optional(p, "IpamPoolName"),
    ipamScopeId: optional(p, "IpamScopeId"),
    poolRegionId: optional(p, "PoolRegionId"),
    sourceIpamPoolId: optional(p, "SourceIpamPoolId"),
    ipVersion: ipVersionText as IpVersion | undefined,
    isShared,
    resourceGroupId: optional(p, "ResourceGroupId"),
    ...(tagFilter.length > 0 ? { tags: tagFilter } : {}),
  };
  // Not modelled (accepted and ignored): Ipv6Isp.
  const paged = paginate(ctx, filter, state.listPools(filter), (pool) => pool.seq);
  return pagedBody("IpamPools", { ...paged, page: paged.page.map((pool) => state.poolView(pool)) });
};

const listPoolCidrs: Handler = (state, p, ctx) => {
  required(p, "RegionId"); // any region (assumption, as Get)
  const ipamPoolId = required(p, "IpamPoolId");
  const cidr = cidrParam(p, "Cidr");
  maxResults(p);
  const cidrText = cidr !== undefined ? formatCidr(cidr) : undefined;
  const items = state.listPoolCidrs(ipamPoolId, cidrText);
  const paged = paginate(ctx, { ipamPoolId, cidr: cidrText }, items, (c) => c.index);
  return pagedBody("IpamPoolCidrs", {
    ...paged,
    // Assumption: every provisioned CIDR is `Created` (no provisioning transition is modelled).
    page: paged.page.map((c) => ({ Cidr: c.cidr, IpamPoolId: ipamPoolId, Status: "Created" })),
  });
};

const READ = { mutating: false, idempotent: false } as const;
const WRITE = { mutating: true, idempotent: true } as const;

export function createVpcIpamActions(state: VpcIpamState): Record<string, ActionDefinition> {
  const def = (meta: Omit<ActionDefinition, "handle">, handler: Handler): ActionDefinition =>
    defineAction(meta, (p, ctx) => handler(state, p, ctx));
  return {
    CreateIpamPoolAllocation: def({ ...WRITE, required: ["RegionId", "IpamPoolId"] }, createAllocation),
    GetIpamPoolAllocation: def({ ...READ, required: ["RegionId", "IpamPoolAllocationId"] }, getAllocation),
    ListIpamPoolAllocations: def({ ...READ, required: ["RegionId", "IpamPoolId"] }, listAllocations),
    UpdateIpamPoolAllocation: def({ ...WRITE, required: ["RegionId", "IpamPoolAllocationId"] }, updateAllocation),
    DeleteIpamPoolAllocation: def({ ...WRITE, required: ["RegionId", "IpamPoolAllocationId"] }, deleteAllocation),
    ListIpamPools: def({ ...READ, required: ["RegionId"] }, listPools),
    ListIpamPoolCidrs: def({ ...READ, required: ["RegionId", "IpamPoolId"] }, listPoolCidrs),
  };
}
