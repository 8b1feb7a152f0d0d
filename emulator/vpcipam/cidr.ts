/**
 * Pure IPv4/IPv6 CIDR arithmetic for the VpcIpam emulator. Addresses are `bigint`s so one code path
 * serves both families (IPv6 needs 128 bits). Nothing here knows about pools, errors or HTTP.
 */

export type IpVersion = "IPv4" | "IPv6";

/** A parsed CIDR block. `address` is the network address (host bits are always zero). */
export interface CidrBlock {
  readonly version: IpVersion;
  readonly address: bigint;
  readonly prefix: number;
}

export type CidrParseResult =
  | { readonly ok: true; readonly block: CidrBlock }
  | { readonly ok: false; readonly reason: "malformed" | "hostBitsSet" };

export function addressBits(version: IpVersion): 32 | 128 {
  return version === "IPv4" ? 32 : 128;
}

const IPV4_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

/** Dotted-quad IPv4, decimal octets without leading zeros (`010.0.0.1` is rejected: ambiguous octal). */
function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!IPV4_OCTET.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

/** Any RFC 4291 textual form (`::` compression, embedded dotted-quad tail); no zone index. */
function parseIpv6(text: string): bigint | undefined {
  if (text.length === 0 || text.includes("%")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;

  const toGroups = (part: string, allowV4Tail: boolean): number[] | undefined => {
    if (part === "") return [];
    const pieces = part.split(":");
    const groups: number[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (allowV4Tail && i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!IPV6_GROUP.test(piece)) return undefined;
      groups.push(parseInt(piece, 16));
    }
    return groups;
  };

  let groups: number[];
  if (halves.length === 2) {
    const head = toGroups(halves[0], false);
    const tail = toGroups(halves[1], true);
    if (head === undefined || tail === undefined) return undefined;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined; // "::" stands for at least one zero group
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    const all = toGroups(text, true);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

export function parseIpAddress(text: string): { version: IpVersion; value: bigint } | undefined {
  if (text.includes(":")) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { version: "IPv6", value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { version: "IPv4", value };
}

/** IPv4 dotted quad, or IPv6 in RFC 5952 canonical form (lower case, longest zero run as `::`). */
export function formatIpAddress(version: IpVersion, value: bigint): string {
  if (version === "IPv4") {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(":");
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/**
 * Parse `address/prefix`. The prefix is mandatory. A block whose host bits are not zero
 * (`10.0.0.1/8`) is reported as `hostBitsSet`: the caller decides whether that is an error
 * (the API requires a canonical network address). IPv6 input may use any valid textual form;
 * `formatCidr` gives the canonical one.
 */
export function parseCidr(text: string): CidrParseResult {
  const slash = text.indexOf("/");
  if (slash < 0 || slash !== text.lastIndexOf("/")) return { ok: false, reason: "malformed" };
  const ip = parseIpAddress(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === undefined || !PREFIX.test(prefixText)) return { ok: false, reason: "malformed" };
  const prefix = Number(prefixText);
  if (prefix > addressBits(ip.version)) return { ok: false, reason: "malformed" };
  const block: CidrBlock = { version: ip.version, address: ip.value, prefix };
  if ((ip.value & hostMask(block)) !== 0n) return { ok: false, reason: "hostBitsSet" };
  return { ok: true, block };
}

/** Parse a CIDR that is known to be valid (stored state); throws on anything else. */
export function mustParseCidr(text: string): CidrBlock {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`invalid CIDR ${JSON.stringify(text)} (${r.reason})`);
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

/** Number of addresses in a block of `prefix` bits in the given family. */
export function sizeOfPrefix(version: IpVersion, prefix: number): bigint {
  return 1n << BigInt(addressBits(version) - prefix);
}

export function blockSize(block: CidrBlock): bigint {
  return sizeOfPrefix(block.version, block.prefix);
}

function hostMask(block: CidrBlock): bigint {
  return blockSize(block) - 1n;
}

export function firstAddress(block: CidrBlock): bigint {
  return block.address;
}

export function lastAddress(block: CidrBlock): bigint {
  return block.address + blockSize(block) - 1n;
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

/** Order by family (IPv4 first), then address, then prefix (larger blocks first). */
export function compareCidr(a: CidrBlock, b: CidrBlock): number {
  if (a.version !== b.version) return a.version === "IPv4" ? -1 : 1;
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return a.prefix - b.prefix;
}

/** Smallest multiple of `size` (a power of two) that is ≥ `value`. */
export function alignUp(value: bigint, size: bigint): bigint {
  const rem = value % size;
  return rem === 0n ? value : value + (size - rem);
}

/**
 * First free block of `prefix` bits, aligned on its own size, inside one of `poolCidrs` and
 * overlapping none of `used`. Pool CIDRs are scanned in address order (IPv4 before IPv6), and the
 * lowest free address wins inside each. Pool CIDRs smaller than the requested block are skipped.
 * Returns the block and the pool CIDR it came from.
 */
export function findFirstFreeBlock(
  poolCidrs: readonly CidrBlock[],
  used: readonly CidrBlock[],
  prefix: number,
): { block: CidrBlock; source: CidrBlock } | undefined {
  const sources = [...poolCidrs].sort(compareCidr);
  for (const source of sources) {
    if (prefix < source.prefix || prefix > addressBits(source.version)) continue;
    const size = sizeOfPrefix(source.version, prefix);
    const end = lastAddress(source);
    const blockers = used.filter((u) => cidrsOverlap(u, source)).sort(compareCidr);
    // The source is aligned on its own (larger or equal) size, so its first address is aligned.
    let cursor = firstAddress(source);
    let found = true;
    for (const u of blockers) {
      if (lastAddress(u) < cursor) continue;
      if (firstAddress(u) > cursor + size - 1n) break; // sorted by start: nothing later can overlap
      cursor = alignUp(lastAddress(u) + 1n, size);
      if (cursor + size - 1n > end) {
        found = false;
        break;
      }
    }
    if (found && cursor + size - 1n <= end) {
      return { block: { version: source.version, address: cursor, prefix }, source };
    }
  }
  return undefined;
}
