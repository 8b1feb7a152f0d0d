/** CIDR blocks: parsing (IPv4 and IPv6), prefix lengths, overlap. Pure functions. */

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
