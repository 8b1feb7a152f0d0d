/** Offline validation of IpamPoolAllocation inputs: one failure per property, naming what would be valid. */
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import { CONTROL_CHARACTER, unknownPropertyFailures } from "../input-names";
import { isUnknown, Props } from "../lifecycle";

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

/** Every argument of IpamPoolAllocation (see IpamPoolAllocationArgs); anything else is refused by check. */
export const ALLOCATION_PROPERTIES = [
  "ipamPoolId",
  "cidr",
  "cidrMask",
  "name",
  "description",
  "regionId",
  "adoptAllocationId",
  "allowVpcAllocationRelease",
  "timeoutSeconds",
  "maxAttempts",
] as const;

export function parseIpv4Cidr(s: string): { ok: true; prefix: number } | { ok: false; reason: string } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  if (!m) return { ok: false, reason: "not an IPv4 CIDR (a.b.c.d/n)" };
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255)) return { ok: false, reason: "an octet is above 255" };
  if (prefix > 32) return { ok: false, reason: "the prefix length is above 32" };
  const value = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const hostBits = 32 - prefix;
  const mask = hostBits === 32 ? 0xffffffff : (2 ** hostBits - 1);
  if ((value & mask) >>> 0 !== 0 && hostBits > 0) {
    const net = hostBits === 32 ? 0 : (value - (value % 2 ** hostBits)) >>> 0;
    const canonical = [24, 16, 8, 0].map((s) => (net >>> s) & 255).join(".");
    return { ok: false, reason: `host bits are set; the network address is ${canonical}/${prefix}` };
  }
  return { ok: true, prefix };
}

export function parseIpv6Cidr(s: string): { ok: true; prefix: number } | { ok: false; reason: string } {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(s);
  if (!m || !m[1].includes(":")) return { ok: false, reason: "not an IPv6 CIDR (x:x::/n)" };
  const prefix = Number(m[2]);
  if (prefix > 128) return { ok: false, reason: "the prefix length is above 128" };
  const parts = m[1].split("::");
  if (parts.length > 2) return { ok: false, reason: "more than one '::'" };
  const groups = parts.map((p) => (p === "" ? [] : p.split(":")));
  if (groups.flat().some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return { ok: false, reason: "a group is not 1–4 hex digits" };
  const count = groups.flat().length;
  if (parts.length === 1 ? count !== 8 : count > 7) return { ok: false, reason: "wrong number of groups" };
  return { ok: true, prefix };
}

export function cidrPrefix(cidr: string): number | undefined {
  const r = cidr.includes(":") ? parseIpv6Cidr(cidr) : parseIpv4Cidr(cidr);
  return r.ok ? r.prefix : undefined;
}

function checkText(failures: CheckFailure[], property: string, v: unknown, max: number, mustStartWithLetter: boolean): void {
  if (v === undefined || isUnknown(v)) return;
  if (typeof v !== "string") return void failures.push({ property, reason: `${property} must be a string` });
  if (v.length < 1 || v.length > max) failures.push({ property, reason: `${property} must be 1–${max} characters (got ${v.length})` });
  else if (CONTROL_CHARACTER.test(v)) failures.push({ property, reason: `${property} must not contain control characters such as a newline or a tab` });
  else if (/^https?:\/\//i.test(v)) failures.push({ property, reason: `${property} must not start with http:// or https://` });
  else if (mustStartWithLetter && !/^[A-Za-z\u4e00-\u9fa5]/.test(v)) failures.push({ property, reason: `${property} must start with a letter or a Chinese character` });
}

/** A rejected value as an error message quotes it: JSON-escaped (a newline stays visible) and cut short. */
function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 80)}… (${text.length} characters)` : text;
}

export function validateAllocationInputs(news: Props): CheckFailure[] {
  const failures: CheckFailure[] = unknownPropertyFailures("IpamPoolAllocation", news, ALLOCATION_PROPERTIES);
  const { ipamPoolId, cidr, cidrMask, regionId, adoptAllocationId } = news;
  const adopting = adoptAllocationId !== undefined;

  if (ipamPoolId === undefined) failures.push({ property: "ipamPoolId", reason: "ipamPoolId is required (an IPAM pool id such as ipam-pool-6rg7z…)" });
  else if (!isUnknown(ipamPoolId) && (typeof ipamPoolId !== "string" || ipamPoolId.length > MAX_ID_LENGTH || !POOL_ID.test(ipamPoolId)))
    failures.push({ property: "ipamPoolId", reason: `ipamPoolId ${shown(ipamPoolId)} is not an IPAM pool id (ipam-pool-<lowercase letters and digits>, at most ${MAX_ID_LENGTH} characters)` });

  if (adopting && !isUnknown(adoptAllocationId) && (typeof adoptAllocationId !== "string" || adoptAllocationId.length > MAX_ID_LENGTH || !ALLOCATION_ID.test(adoptAllocationId)))
    failures.push({ property: "adoptAllocationId", reason: `adoptAllocationId ${shown(adoptAllocationId)} is not an allocation id (ipam-pool-alloc-<lowercase letters and digits>, at most ${MAX_ID_LENGTH} characters)` });

  if (!adopting && cidr === undefined && cidrMask === undefined)
    failures.push({ property: "cidr", reason: "set exactly one of cidr (e.g. 10.0.1.0/24) or cidrMask (e.g. 24), or adoptAllocationId to adopt an existing allocation" });
  if (cidr !== undefined && cidrMask !== undefined && !isUnknown(cidr) && !isUnknown(cidrMask))
    failures.push({ property: "cidrMask", reason: "cidr and cidrMask are mutually exclusive: keep cidr for an exact block or cidrMask for the first free block of that size" });

  if (cidr !== undefined && !isUnknown(cidr)) {
    if (typeof cidr !== "string") failures.push({ property: "cidr", reason: "cidr must be a string such as 10.0.1.0/24" });
    else {
      const r = cidr.includes(":") ? parseIpv6Cidr(cidr) : parseIpv4Cidr(cidr);
      if (!r.ok) failures.push({ property: "cidr", reason: `cidr "${cidr}" is invalid: ${r.reason}` });
    }
  }
  if (cidrMask !== undefined && !isUnknown(cidrMask)) {
    if (typeof cidrMask !== "number" || !Number.isInteger(cidrMask) || cidrMask < 0 || cidrMask > 128)
      failures.push({ property: "cidrMask", reason: `cidrMask must be a whole number, 0–32 for an IPv4 pool or 0–128 for IPv6 (got ${JSON.stringify(cidrMask)})` });
  }
  checkText(failures, "name", news.name, 128, false);
  checkText(failures, "description", news.description, 256, true);
  if (regionId !== undefined && !isUnknown(regionId) && (typeof regionId !== "string" || regionId.length > MAX_ID_LENGTH || !REGION.test(regionId)))
    failures.push({ property: "regionId", reason: `regionId ${shown(regionId)} is not a region id (e.g. cn-hangzhou)` });
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
  if (t !== undefined && !isUnknown(t) && (typeof t !== "number" || !(t > 0) || t > 86400))
    failures.push({ property: "timeoutSeconds", reason: `timeoutSeconds must be a number of seconds between 1 and 86400 (got ${JSON.stringify(t)})` });
  const a = news.maxAttempts;
  if (a !== undefined && !isUnknown(a) && (typeof a !== "number" || !Number.isInteger(a) || a < 1 || a > 100))
    failures.push({ property: "maxAttempts", reason: `maxAttempts must be a whole number from 1 to 100 (got ${JSON.stringify(a)})` });
}

function ipv4Range(cidr: string): [number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const value = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(m[5]));
  const start = value - (value % size);
  return [start, start + size - 1];
}

/** True when two CIDRs share an address; IPv6 (or anything unparsable) is assumed to overlap. */
export function cidrsMayOverlap(a: string, b: string): boolean {
  const ra = ipv4Range(a);
  const rb = ipv4Range(b);
  if (!ra || !rb) return true;
  return ra[0] <= rb[1] && rb[0] <= ra[1];
}
