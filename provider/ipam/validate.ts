/** Offline validation of IpamPoolAllocation inputs: one failure per property, naming what would be valid. */
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import { CONTROL_CHARACTER, MAX_TIMEOUT_SECONDS, rejectedValueLabel, unknownPropertyFailures } from "../input-names";
import { isUnknown, Props } from "../lifecycle";
import { propertyNames } from "../properties";
import { parseCidr } from "../cidr";
import { ALLOCATION_PROPERTIES } from "./state";

export const POOL_ID = /^ipam-pool-[a-z0-9]+$/;
export const ALLOCATION_ID = /^ipam-(pool-)?alloc-[a-z0-9]+$/;
const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;
/**
 * Longest pool, allocation or region ID accepted. The API documents no limit; real IDs are about 30
 * characters, so 64 is a sane cap that keeps a pasted blob off the wire.
 */
export const MAX_ID_LENGTH = 64;
/** An IPv4 pool takes a cidrMask of 0–32 only; above that the pool must be IPv6 (checked at create). */
export const MAX_IPV4_MASK = 32;


function checkText(failures: CheckFailure[], property: string, v: unknown, max: number, mustStartWithLetter: boolean): void {
  if (v === undefined || isUnknown(v)) return;
  if (typeof v !== "string") return void failures.push({ property, reason: `${property} must be a string` });
  if (v.length < 1 || v.length > max) failures.push({ property, reason: `${property} must be 1–${max} characters (got ${v.length})` });
  else if (CONTROL_CHARACTER.test(v)) failures.push({ property, reason: `${property} must not contain control characters such as a newline or a tab` });
  else if (/^https?:\/\//i.test(v)) failures.push({ property, reason: `${property} must not start with http:// or https://` });
  else if (mustStartWithLetter && !/^[A-Za-z\u4e00-\u9fa5]/.test(v)) failures.push({ property, reason: `${property} must start with a letter or a Chinese character` });
}


export function validateAllocationInputs(news: Props): CheckFailure[] {
  const failures: CheckFailure[] = unknownPropertyFailures("IpamPoolAllocation", news, propertyNames(ALLOCATION_PROPERTIES));
  const { ipamPoolId, cidr, cidrMask, regionId, adoptAllocationId } = news;
  const adopting = adoptAllocationId !== undefined;

  if (ipamPoolId === undefined) failures.push({ property: "ipamPoolId", reason: "ipamPoolId is required (an IPAM pool id such as ipam-pool-6rg7z…)" });
  else if (!isUnknown(ipamPoolId) && (typeof ipamPoolId !== "string" || ipamPoolId.length > MAX_ID_LENGTH || !POOL_ID.test(ipamPoolId)))
    failures.push({ property: "ipamPoolId", reason: `ipamPoolId ${rejectedValueLabel(ipamPoolId)} is not an IPAM pool id (ipam-pool-<lowercase letters and digits>, at most ${MAX_ID_LENGTH} characters)` });

  if (adopting && !isUnknown(adoptAllocationId) && (typeof adoptAllocationId !== "string" || adoptAllocationId.length > MAX_ID_LENGTH || !ALLOCATION_ID.test(adoptAllocationId)))
    failures.push({ property: "adoptAllocationId", reason: `adoptAllocationId ${rejectedValueLabel(adoptAllocationId)} is not an allocation id (ipam-pool-alloc-<lowercase letters and digits>, at most ${MAX_ID_LENGTH} characters)` });

  if (!adopting && cidr === undefined && cidrMask === undefined)
    failures.push({ property: "cidr", reason: "set exactly one of cidr (e.g. 10.0.1.0/24) or cidrMask (e.g. 24), or adoptAllocationId to adopt an existing allocation" });
  if (cidr !== undefined && cidrMask !== undefined && !isUnknown(cidr) && !isUnknown(cidrMask))
    failures.push({ property: "cidrMask", reason: "cidr and cidrMask are mutually exclusive: keep cidr for an exact block or cidrMask for the first free block of that size" });

  if (cidr !== undefined && !isUnknown(cidr)) {
    if (typeof cidr !== "string") failures.push({ property: "cidr", reason: "cidr must be a string such as 10.0.1.0/24" });
    else {
      const r = parseCidr(cidr);
      if (!r.ok) failures.push({ property: "cidr", reason: `cidr ${rejectedValueLabel(cidr)} is invalid: ${r.problem}` });
    }
  }
  if (cidrMask !== undefined && !isUnknown(cidrMask)) {
    if (typeof cidrMask !== "number" || !Number.isInteger(cidrMask) || cidrMask < 0 || cidrMask > 128)
      failures.push({ property: "cidrMask", reason: `cidrMask must be a whole number, 0–32 for an IPv4 pool or 0–128 for IPv6 (got ${JSON.stringify(cidrMask)})` });
  }
  checkText(failures, "name", news.name, 128, false);
  checkText(failures, "description", news.description, 256, true);
  if (regionId !== undefined && !isUnknown(regionId) && (typeof regionId !== "string" || regionId.length > MAX_ID_LENGTH || !REGION.test(regionId)))
    failures.push({ property: "regionId", reason: `regionId ${rejectedValueLabel(regionId)} is not a region id (e.g. cn-hangzhou)` });
  for (const flag of ["allowVpcAllocationRelease"] as const) {
    const v = news[flag];
    if (v !== undefined && !isUnknown(v) && typeof v !== "boolean") failures.push({ property: flag, reason: `${flag} must be true or false` });
  }
  if (news.allowVpcAllocationRelease === true && !adopting)
    failures.push({ property: "allowVpcAllocationRelease", reason: "allowVpcAllocationRelease only applies to an adopted allocation (set adoptAllocationId); allocations this resource creates are Custom" });
  validateLimits(failures, news);
  return failures;
}

/** `timeoutSeconds` and `maxAttempts`, shared by every resource. */
export function validateLimits(failures: CheckFailure[], news: Props): void {
  const t = news.timeoutSeconds;
  if (t !== undefined && !isUnknown(t) && (typeof t !== "number" || !(t > 0) || t > MAX_TIMEOUT_SECONDS))
    failures.push({ property: "timeoutSeconds", reason: `timeoutSeconds must be a number of seconds between 1 and ${MAX_TIMEOUT_SECONDS} (got ${JSON.stringify(t)})` });
  const a = news.maxAttempts;
  if (a !== undefined && !isUnknown(a) && (typeof a !== "number" || !Number.isInteger(a) || a < 1 || a > 100))
    failures.push({ property: "maxAttempts", reason: `maxAttempts must be a whole number from 1 to 100 (got ${JSON.stringify(a)})` });
}
