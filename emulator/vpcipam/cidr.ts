/**
 * IPv4/IPv6 CIDR arithmetic for the VpcIpam emulator: block sizes, ordering and the first free block.
 * Parsing, formatting and containment are the package's one CIDR module (provider/cidr.ts), which the
 * provider's input checks use too, so the emulator accepts exactly what the provider sends. Nothing
 * here knows about pools, errors or HTTP.
 */
import { type CidrBlock, type IpVersion, addressBits, cidrsOverlap, firstAddress, lastAddress } from "../../provider/cidr";

export {
  type CidrBlock,
  type CidrParseResult,
  type IpVersion,
  addressBits,
  canonicalCidr,
  cidrContains,
  cidrsOverlap,
  firstAddress,
  formatCidr,
  formatIpAddress,
  lastAddress,
  mustParseCidr,
  parseCidr,
  parseIpAddress,
} from "../../provider/cidr";

/** Number of addresses in a block of `prefix` bits in the given family. */
export function sizeOfPrefix(version: IpVersion, prefix: number): bigint {
  return 1n << BigInt(addressBits(version) - prefix);
}

export function blockSize(block: CidrBlock): bigint {
  return sizeOfPrefix(block.version, block.prefix);
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
