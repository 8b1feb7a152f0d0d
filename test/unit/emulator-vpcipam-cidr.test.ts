import {
  type CidrBlock,
  canonicalCidr,
  cidrContains,
  cidrsOverlap,
  findFirstFreeBlock,
  formatCidr,
  formatIpAddress,
  mustParseCidr,
  parseCidr,
  parseIpAddress,
} from "../../emulator/vpcipam/cidr";

const c = (text: string): CidrBlock => mustParseCidr(text);
const free = (pool: string[], used: string[], prefix: number): string | undefined => {
  const r = findFirstFreeBlock(pool.map(c), used.map(c), prefix);
  return r ? `${formatCidr(r.block)} from ${formatCidr(r.source)}` : undefined;
};

describe("VpcIpam CIDR parsing", () => {
  it.each([
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["192.168.1.7/32", "192.168.1.7/32"],
    ["255.255.255.255/32", "255.255.255.255/32"],
    ["2001:db8::/32", "2001:db8::/32"],
    ["2001:DB8:0:0::/64", "2001:db8::/64"],
    ["2001:0db8:0000:0000:0000:0000:0000:0000/48", "2001:db8::/48"],
    ["::/0", "::/0"],
    ["::1/128", "::1/128"],
    ["::ffff:10.0.0.0/104", "::ffff:a00:0/104"],
    ["fd00:1:2:3:4:5:6:0/112", "fd00:1:2:3:4:5:6:0/112"],
  ])("accepts %s as %s", (input, canonical) => {
    expect(canonicalCidr(input)).toBe(canonical);
  });

  it.each([
    "10.0.0.0",
    "10.0.0.0/",
    "10.0.0.0/33",
    "10.0.0/8",
    "10.0.0.0.0/8",
    "256.0.0.0/8",
    "010.0.0.0/8",
    "10.0.0.0/08",
    "10.0.0.0/8/8",
    " 10.0.0.0/8",
    "a.b.c.d/8",
    "2001:db8::/129",
    "2001:db8:::/32",
    "1::2::3/64",
    "1:2:3:4:5:6:7:8:9/64",
    "1:2:3:4:5:6:7/64",
    "1:2:3:4:5:6:7:8::/64",
    "fe80::%eth0/64",
    "12345::/16",
    "",
  ])("rejects malformed %j", (input) => {
    expect(parseCidr(input)).toMatchObject({ ok: false, reason: "malformed" });
  });

  it.each(["10.0.0.1/8", "10.0.1.0/23", "192.168.1.128/24", "2001:db8::1/64", "2001:db8:0:1::/63"])(
    "reports host bits set in %s",
    (input) => {
      expect(parseCidr(input)).toMatchObject({ ok: false, reason: "hostBitsSet" });
    },
  );

  it("parses addresses of both families", () => {
    expect(parseIpAddress("10.1.2.3")).toEqual({ version: "IPv4", value: 0x0a010203n });
    expect(parseIpAddress("::2")).toEqual({ version: "IPv6", value: 2n });
    expect(parseIpAddress("1.2.3")).toBeUndefined();
  });

  it("formats IPv6 per RFC 5952 (longest zero run, first on ties, no single-group ::)", () => {
    const v6 = (t: string): string => {
      const ip = parseIpAddress(t);
      if (!ip) throw new Error(t);
      return formatIpAddress(ip.version, ip.value);
    };
    expect(v6("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(v6("2001:0:0:1:0:0:0:1")).toBe("2001:0:0:1::1");
    expect(v6("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1");
    expect(v6("0:0:0:0:0:0:0:0")).toBe("::");
    expect(v6("1:0:0:0:0:0:0:0")).toBe("1::");
    expect(v6("ABCD:EF01::")).toBe("abcd:ef01::");
  });
});

describe("VpcIpam CIDR relations", () => {
  it("contains: itself, nested, boundaries, families", () => {
    expect(cidrContains(c("10.0.0.0/8"), c("10.0.0.0/8"))).toBe(true);
    expect(cidrContains(c("10.0.0.0/8"), c("10.255.255.255/32"))).toBe(true);
    expect(cidrContains(c("10.0.0.0/8"), c("11.0.0.0/32"))).toBe(false);
    expect(cidrContains(c("10.0.0.0/24"), c("10.0.0.0/23"))).toBe(false);
    expect(cidrContains(c("10.0.0.0/23"), c("10.0.1.0/24"))).toBe(true);
    expect(cidrContains(c("0.0.0.0/0"), c("255.255.255.255/32"))).toBe(true);
    expect(cidrContains(c("::/0"), c("10.0.0.0/8"))).toBe(false);
    expect(cidrContains(c("2001:db8::/32"), c("2001:db8:ffff:ffff::/64"))).toBe(true);
    expect(cidrContains(c("2001:db8::/32"), c("2001:db9::/64"))).toBe(false);
  });

  it("overlaps: adjacency is not overlap, nesting is", () => {
    expect(cidrsOverlap(c("10.0.0.0/24"), c("10.0.1.0/24"))).toBe(false);
    expect(cidrsOverlap(c("10.0.0.0/23"), c("10.0.1.0/24"))).toBe(true);
    expect(cidrsOverlap(c("10.0.1.0/24"), c("10.0.0.0/23"))).toBe(true);
    expect(cidrsOverlap(c("10.0.0.255/32"), c("10.0.0.0/24"))).toBe(true);
    expect(cidrsOverlap(c("10.0.1.0/32"), c("10.0.0.0/24"))).toBe(false);
    expect(cidrsOverlap(c("2001:db8::/64"), c("2001:db8:0:1::/64"))).toBe(false);
    expect(cidrsOverlap(c("2001:db8::/63"), c("2001:db8:0:1::/64"))).toBe(true);
    expect(cidrsOverlap(c("::/0"), c("0.0.0.0/0"))).toBe(false);
  });
});

describe("VpcIpam first free aligned block", () => {
  it("starts at the pool's first address when nothing is used", () => {
    expect(free(["10.0.0.0/8"], [], 24)).toBe("10.0.0.0/24 from 10.0.0.0/8");
    expect(free(["10.0.0.0/8"], [], 8)).toBe("10.0.0.0/8 from 10.0.0.0/8");
    expect(free(["0.0.0.0/0"], [], 0)).toBe("0.0.0.0/0 from 0.0.0.0/0");
  });

  it("aligns on the requested size after a smaller used block", () => {
    expect(free(["10.0.0.0/16"], ["10.0.0.0/26"], 24)).toBe("10.0.1.0/24 from 10.0.0.0/16");
    expect(free(["10.0.0.0/16"], ["10.0.0.0/26"], 26)).toBe("10.0.0.64/26 from 10.0.0.0/16");
    expect(free(["10.0.0.0/16"], ["10.0.0.64/26"], 25)).toBe("10.0.0.128/25 from 10.0.0.0/16");
    expect(free(["10.0.0.0/16"], ["10.0.0.64/26"], 26)).toBe("10.0.0.0/26 from 10.0.0.0/16");
  });

  it("fills holes in address order, whatever the order of the used list", () => {
    const used = ["10.0.2.0/24", "10.0.0.0/24", "10.0.3.0/24"];
    expect(free(["10.0.0.0/22"], used, 24)).toBe("10.0.1.0/24 from 10.0.0.0/22");
    expect(free(["10.0.0.0/22"], used, 23)).toBeUndefined();
  });

  it("tolerates nested used blocks", () => {
    expect(free(["10.0.0.0/16"], ["10.0.0.0/20", "10.0.1.0/24", "10.0.15.0/24"], 24)).toBe("10.0.16.0/24 from 10.0.0.0/16");
  });

  it("moves to the next pool CIDR (in address order) when one is full or too small", () => {
    expect(free(["192.168.0.0/24", "10.0.0.0/30"], ["10.0.0.0/30"], 28)).toBe("192.168.0.0/28 from 192.168.0.0/24");
    expect(free(["10.0.0.0/28", "172.16.0.0/16"], [], 24)).toBe("172.16.0.0/24 from 172.16.0.0/16");
  });

  it("uses the very last block, then reports exhaustion", () => {
    const used = ["10.0.0.0/32", "10.0.0.1/32", "10.0.0.2/32"];
    expect(free(["10.0.0.0/30"], used, 32)).toBe("10.0.0.3/32 from 10.0.0.0/30");
    expect(free(["10.0.0.0/30"], [...used, "10.0.0.3/32"], 32)).toBeUndefined();
    expect(free(["255.255.255.252/30"], ["255.255.255.252/31"], 31)).toBe("255.255.255.254/31 from 255.255.255.252/30");
    expect(free(["10.0.0.0/24"], [], 23)).toBeUndefined();
  });

  it("works for IPv6, including /0 and 128-bit boundaries", () => {
    expect(free(["2001:db8::/56"], ["2001:db8::/64"], 60)).toBe("2001:db8:0:10::/60 from 2001:db8::/56");
    expect(free(["2001:db8::/56"], ["2001:db8::/64"], 64)).toBe("2001:db8:0:1::/64 from 2001:db8::/56");
    expect(free(["::/0"], [], 0)).toBe("::/0 from ::/0");
    expect(free(["::/0"], ["::/1"], 1)).toBe("8000::/1 from ::/0");
    const top = ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/126"];
    expect(free(top, ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/127"], 128)).toBe(
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128 from ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/126",
    );
    expect(free(["2001:db8::/64"], ["2001:db8::/64"], 64)).toBeUndefined();
  });
});
