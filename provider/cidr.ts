/**
 * The one CIDR parser of the package: the provider's input checks and the emulator's VpcIpam model both
 * use it, so what one accepts the other accepts. Pure functions; addresses are `bigint`s so one code path
 * serves both families. Parsing is ipaddr.js (CommonJS, no dependencies), held to the strict textual
 * forms below because it also accepts forms a CIDR block must not have (octal, hex and shorthand IPv4,
 * zone indexes). No Pulumi import: the emulator loads this module too.
 *
 * What each doubtful form means (the API documents none of them; these are this package's choices):
 * - `010.0.1.0/24`: refused. A leading zero reads as octal to some tools (8.0.1.0) and as decimal to
 *   others (10.0.1.0); the block is ambiguous, so it must be written without one.
 * - `2001:db8::1/64` (host bits set): refused, in both families, naming the network address
 *   (`2001:db8::/64`). A CIDR with host bits set does not name one block; the provider refused it for
 *   IPv4 already, the emulator for both, and sending it would at best be rounded by the service.
 * - `::ffff:10.0.0.0/120` (IPv4-mapped): an IPv6 block like any other (`::ffff:a00:0/120`), for an
 *   IPv6 pool; it is not taken as the IPv4 block 10.0.0.0/24.
 */
import ipaddr from "ipaddr.js";

export type IpVersion = "IPv4" | "IPv6";

/** A parsed CIDR block. `address` is the network address (host bits are always zero). */
export interface CidrBlock {
  readonly version: IpVersion;
  readonly address: bigint;
  readonly prefix: number;
}

export type CidrParseResult =
  | { readonly ok: true; readonly block: CidrBlock }
  /** `problem` says what is wrong in words, ending with what would be valid where that is known. */
  | { readonly ok: false; readonly reason: "malformed" | "hostBitsSet"; readonly problem: string };

export function addressBits(version: IpVersion): 32 | 128 {
  return version === "IPv4" ? 32 : 128;
}

const PREFIX = /^(0|[1-9][0-9]{0,2})$/;
const DOTTED_QUAD = /^\d+\.\d+\.\d+\.\d+$/;
/** What a CIDR looks like, for the messages. */
export const CIDR_FORM = "a.b.c.d/n (e.g. 10.0.1.0/24) or an IPv6 block (e.g. 2408:4000::/56)";

type AddressParse = { ok: true; version: IpVersion; value: bigint } | { ok: false; problem: string };

function bytesToBigint(bytes: readonly number[]): bigint {
  return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** Dotted-quad IPv4, decimal octets without leading zeros. */
function parseIpv4(text: string): AddressParse {
  if (!DOTTED_QUAD.test(text)) return { ok: false, problem: `${JSON.stringify(text)} is not a dotted-quad IPv4 address` };
  const octets = text.split(".");
  const padded = octets.find((o) => o.length > 1 && o.startsWith("0"));
  if (padded !== undefined) {
    const decimal = octets.map((o) => String(Number(o))).join(".");
    return { ok: false, problem: `the octet "${padded}" has a leading zero, which some tools read as octal; write ${decimal} if decimal is meant` };
  }
  if (octets.some((o) => Number(o) > 255)) return { ok: false, problem: "an octet is above 255" };
  return { ok: true, version: "IPv4", value: bytesToBigint(ipaddr.IPv4.parse(text).toByteArray()) };
}

/** Any RFC 4291 textual form (`::` compression, a dotted-quad tail without leading zeros); no zone index. */
function parseIpv6(text: string): AddressParse {
  const bad = { ok: false as const, problem: `${JSON.stringify(text)} is not an IPv6 address` };
  if (text.includes("%") || !ipaddr.IPv6.isValid(text)) return bad;
  const tail = text.slice(text.lastIndexOf(":") + 1);
  if (tail.includes(".") && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return bad;
  return { ok: true, version: "IPv6", value: bytesToBigint(ipaddr.IPv6.parse(text).toByteArray()) };
}

export function parseIpAddress(text: string): { version: IpVersion; value: bigint } | undefined {
  const r = text.includes(":") ? parseIpv6(text) : parseIpv4(text);
  return r.ok ? { version: r.version, value: r.value } : undefined;
}

/** IPv4 dotted quad, or IPv6 in RFC 5952 canonical form (lower case, longest zero run as `::`). */
export function formatIpAddress(version: IpVersion, value: bigint): string {
  const size = version === "IPv4" ? 4 : 16;
  const bytes: number[] = [];
  for (let i = size - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  const ip = ipaddr.fromByteArray(bytes);
  return ip.kind() === "ipv6" ? (ip as ipaddr.IPv6).toRFC5952String() : ip.toString();
}

function hostMask(version: IpVersion, prefix: number): bigint {
  return (1n << BigInt(addressBits(version) - prefix)) - 1n;
}

/**
 * Parse `address/prefix`, strictly: the prefix is mandatory and written without leading zeros, and a
 * block whose host bits are not zero (`10.0.0.1/8`) is refused as `hostBitsSet`, naming its network
 * address. IPv6 may use any valid textual form; `formatCidr` gives the canonical one.
 */
export function parseCidr(text: string): CidrParseResult {
  const malformed = (problem: string): CidrParseResult => ({ ok: false, reason: "malformed", problem });
  const slash = text.indexOf("/");
  if (slash < 0 || slash !== text.lastIndexOf("/")) return malformed(`it is not address/prefix; expected ${CIDR_FORM}`);
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const ip = addressText.includes(":") ? parseIpv6(addressText) : parseIpv4(addressText);
  if (!ip.ok) return malformed(`${ip.problem}; expected ${CIDR_FORM}`);
  const bits = addressBits(ip.version);
  if (!PREFIX.test(prefixText) || Number(prefixText) > bits) {
    return malformed(`the prefix length "${prefixText}" is not a whole number from 0 to ${bits} (no leading zeros)`);
  }
  const prefix = Number(prefixText);
  const mask = hostMask(ip.version, prefix);
  if ((ip.value & mask) !== 0n) {
    const network = formatCidr({ version: ip.version, address: ip.value & ~mask, prefix });
    return { ok: false, reason: "hostBitsSet", problem: `host bits are set; the network address is ${network}` };
  }
  return { ok: true, block: { version: ip.version, address: ip.value, prefix } };
}

/** Parse a CIDR that is known to be valid (stored state); throws on anything else. */
export function mustParseCidr(text: string): CidrBlock {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`invalid CIDR ${JSON.stringify(text)} (${r.problem})`);
  return r.block;
}

export function formatCidr(block: CidrBlock): string {
  return `${formatIpAddress(block.version, block.address)}/${block.prefix}`;
}

/** Canonical text of a CIDR, or undefined when it is malformed or has host bits set. */
export function canonicalCidr(text: string): string | undefined {
  const r = parseCidr(text);
  return r.ok ? formatCidr(r.block) : undefined;
}

/** The prefix length of a valid CIDR, else undefined. */
export function cidrPrefix(text: string): number | undefined {
  const r = parseCidr(text);
  return r.ok ? r.block.prefix : undefined;
}

export function firstAddress(block: CidrBlock): bigint {
  return block.address;
}

export function lastAddress(block: CidrBlock): bigint {
  return block.address | hostMask(block.version, block.prefix);
}

/** True when `inner` lies entirely inside `outer` (same family). A block contains itself. */
export function cidrContains(outer: CidrBlock, inner: CidrBlock): boolean {
  if (outer.version !== inner.version || inner.prefix < outer.prefix) return false;
  return firstAddress(inner) >= firstAddress(outer) && lastAddress(inner) <= lastAddress(outer);
}

/** True when the two blocks share at least one address (same family). */
export function cidrsOverlap(a: CidrBlock, b: CidrBlock): boolean {
  if (a.version !== b.version) return false;
  return firstAddress(a) <= lastAddress(b) && firstAddress(b) <= lastAddress(a);
}

/** For CIDR texts: true when they share an address, or when either cannot be parsed (assume the worst). */
export function cidrTextsMayOverlap(a: string, b: string): boolean {
  const ra = parseCidr(a);
  const rb = parseCidr(b);
  return !ra.ok || !rb.ok || cidrsOverlap(ra.block, rb.block);
}
