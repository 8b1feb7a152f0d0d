/**
 * VpcIpam cloud errors: one factory per error code, with the real HTTP status and message.
 *
 * DOCUMENTED (DeleteIpamPoolAllocation API page and the VpcIpam error list; docs/api-facts.md
 * §6.6): the eight codes of the Delete error table, messages copied verbatim.
 *
 * ASSUMED (no public table found; names chosen to look like the product's other codes, marked
 * "assumption" below): every other code. Clients should match on the documented ones only.
 */
import { ApiError } from "../core/types";

/** Every code this model can raise. */
export const VpcIpamErrorCodes = {
  // Documented on the DeleteIpamPoolAllocation page (seed).
  DryRunOperation: "DryRunOperation",
  ResourceTypeIsNotCustom: "OperationDenied.ResourceTypeIsNotCustom",
  AllocationNotFound: "ResourceNotFound.IpamPoolAllocation",
  UnexpectedResourceType: "OperationDenied.UnexpectedResourceType",
  Unauthorized: "OperationDenied.Unauthorized",
  RequestRegionInvalid: "OperationDenied.RequestRegionInvalid",
  Ipv6VpcNotSupport: "OperationDenied.Ipv6VpcNotSupport",
  PoolNotFound: "ResourceNotFound.IpamPool",
  // Assumptions.
  MissingParameter: "MissingParameter",
  InvalidParameter: "InvalidParameter",
  InvalidNextToken: "InvalidNextToken",
  CidrConflict: "OperationFailed.CidrConflict",
  CidrNotInPool: "OperationFailed.CidrNotInPool",
  NoAvailableCidr: "OperationFailed.NoAvailableCidr",
} as const;

export type VpcIpamErrorCode = (typeof VpcIpamErrorCodes)[keyof typeof VpcIpamErrorCodes];

// ---- documented (seed page error table; status and message verbatim) ----

/** 400 — a `DryRun=true` request passed every check. */
export function dryRunOperation(): ApiError {
  return new ApiError(VpcIpamErrorCodes.DryRunOperation, "Request validation has been passed with DryRun flag set.", 400);
}

/** 400 — the allocation's resource type is `IpamPool` (a sub-pool's CIDR). */
export function resourceTypeIsNotCustom(): ApiError {
  return new ApiError(
    VpcIpamErrorCodes.ResourceTypeIsNotCustom,
    "The operation is not allowed because the resource type is not Custom.",
    400,
  );
}

/** 400 — no live allocation with that id (never existed, or already released). */
export function allocationNotFound(): ApiError {
  return new ApiError(
    VpcIpamErrorCodes.AllocationNotFound,
    "The specified resource of IPAM pool allocation is not found.",
    400,
  );
}

/** 400 — the allocation's resource type is none of VPC / IpamPool / Custom. */
export function unexpectedResourceType(): ApiError {
  return new ApiError(
    VpcIpamErrorCodes.UnexpectedResourceType,
    "The operation is not allowed because the resource type is unexpected.",
    400,
  );
}

/** 400 — the caller may not operate on this allocation. */
export function unauthorized(): ApiError {
  return new ApiError(VpcIpamErrorCodes.Unauthorized, "The operation is denied because the user is not authorized.", 400);
}

/** 400 — the request's RegionId is not the pool's region. */
export function requestRegionInvalid(): ApiError {
  return new ApiError(
    VpcIpamErrorCodes.RequestRegionInvalid,
    "The operation is not allowed because the request is not invoked in the region of the IPAM pool.",
    400,
  );
}

/** 400 — an IPv6 VPC allocation cannot be released. */
export function ipv6VpcNotSupport(): ApiError {
  return new ApiError(VpcIpamErrorCodes.Ipv6VpcNotSupport, "The allocation of IPv6 VPC is not supported to delete.", 400);
}

/** 404 — the pool (of the request, or of the allocation) does not exist. */
export function poolNotFound(): ApiError {
  return new ApiError(VpcIpamErrorCodes.PoolNotFound, "The dependent IPAM pool is not found.", 404);
}

// ---- assumptions ----

/**
 * 400 — assumption: the POP gateway's generic wording (api-facts.md §4). Used by the model for
 * "Cidr or CidrMask" (the core raises it for the `required` lists itself).
 */
export function missingParameter(param: string): ApiError {
  return new ApiError(
    VpcIpamErrorCodes.MissingParameter,
    `The input parameter "${param}" that is mandatory for processing this request is not supplied.`,
    400,
  );
}

/**
 * 400 — assumption: generic `InvalidParameter` with the gateway's wording (api-facts.md §4), plus
 * an optional detail sentence so emulator users can tell what was wrong.
 */
export function invalidParameter(param: string, detail?: string): ApiError {
  const base = `The specified parameter "${param}" is not valid.`;
  return new ApiError(VpcIpamErrorCodes.InvalidParameter, detail ? `${base} ${detail}` : base, 400);
}

/** 400 — assumption: a NextToken that this server did not issue for the same query. */
export function invalidNextToken(): ApiError {
  return new ApiError(VpcIpamErrorCodes.InvalidNextToken, "The specified parameter NextToken is not valid.", 400);
}

/** 400 — assumption (name and wording): the requested CIDR overlaps a live allocation of the pool. */
export function cidrConflict(cidr: string, existing: string): ApiError {
  return new ApiError(
    VpcIpamErrorCodes.CidrConflict,
    `The specified CIDR ${cidr} conflicts with the existing allocation ${existing} in the IPAM pool.`,
    400,
  );
}

/** 400 — assumption (name and wording): the requested CIDR is outside every CIDR provisioned to the pool. */
export function cidrNotInPool(cidr: string): ApiError {
  return new ApiError(
    VpcIpamErrorCodes.CidrNotInPool,
    `The specified CIDR ${cidr} is not within any CIDR block provisioned to the IPAM pool.`,
    400,
  );
}

/** 400 — assumption (name and wording): no free block of the requested mask is left in the pool. */
export function noAvailableCidr(mask: number): ApiError {
  return new ApiError(
    VpcIpamErrorCodes.NoAvailableCidr,
    `There is no available CIDR block with mask ${mask} in the IPAM pool.`,
    400,
  );
}
