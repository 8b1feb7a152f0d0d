/**
 * Every test vector of docs/api-facts.md §5.7 (published and derived), plus the §5.3 encoding rule and the
 * verifier's parsing helpers.
 */
import {
  EMPTY_BODY_SHA256,
  authorizationV3,
  canonicalQueryString,
  canonicalRequestV3,
  constantTimeEqual,
  formatTimestamp,
  percentEncode,
  sha256Hex,
  signV1,
  signV1Params,
  signV3,
  signV3Request,
  stringToSignV1,
  stringToSignV3,
} from "../../emulator/core/signature";
import { NonceStore, parseTimestamp } from "../../emulator/core/auth";
import { parseUrlEncoded } from "../../emulator/core/params";
import { paramsFingerprint, validateClientToken } from "../../emulator/core/idempotency";
import { FaultEngine, RateLimiter, mulberry32 } from "../../emulator/core/faults";
import { ApiError } from "../../emulator/core/types";

describe("percentEncode (api-facts.md §5.3)", () => {
  it.each([
    ["AZaz09-_.~", "AZaz09-_.~"],
    [" ", "%20"],
    ["*", "%2A"],
    ["~", "~"],
    ["!", "%21"],
    ["'", "%27"],
    ["(", "%28"],
    [")", "%29"],
    ["+", "%2B"],
    ["/", "%2F"],
    [":", "%3A"],
    ["=", "%3D"],
    ["&", "%26"],
    ["%", "%25"],
    ["é", "%C3%A9"],
    ["中", "%E4%B8%AD"],
    ["😀", "%F0%9F%98%80"],
    ["a b*c~(d)!'", "a%20b%2Ac~%28d%29%21%27"],
  ])("%j → %j", (input, expected) => {
    expect(percentEncode(input)).toBe(expected);
  });

  it("uses upper-case hex and never '+' for space", () => {
    const all = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join("");
    const enc = percentEncode(all);
    expect(enc).not.toMatch(/%[0-9A-F]?[a-f]/);
    expect(enc).not.toContain("+");
    expect(decodeURIComponent(enc)).toBe(all);
  });
});

describe("V3 ACS3-HMAC-SHA256 — published vector (api-facts.md §5.7)", () => {
  const base = {
    method: "POST",
    path: "/",
    query: {
      ImageId: "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
      RegionId: "cn-shanghai",
    },
  };
  const headers = (date: string, nonce: string) => ({
    host: "ecs.cn-shanghai.aliyuncs.com",
    "x-acs-action": "RunInstances",
    "x-acs-version": "2014-05-26",
    "x-acs-date": date,
    "x-acs-signature-nonce": nonce,
    "x-acs-content-sha256": EMPTY_BODY_SHA256,
  });

  it("reproduces the canonical request, hash, StringToSign, signature and Authorization (06563a9e…)", () => {
    const canonical = canonicalRequestV3({ ...base, headers: headers("2023-10-26T10:22:32Z", "3156853299f313e23d1673dc12e1703d") });
    expect(canonical).toBe(
      [
        "POST",
        "/",
        "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
        "host:ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action:RunInstances",
        "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "x-acs-date:2023-10-26T10:22:32Z",
        "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d",
        "x-acs-version:2014-05-26",
        "",
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      ].join("\n"),
    );
    expect(sha256Hex(canonical)).toBe("7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259");
    const sts = stringToSignV3(canonical);
    expect(sts).toBe("ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259");
    const sig = signV3("YourAccessKeySecret", sts);
    expect(sig).toBe("06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
    expect(
      authorizationV3(
        "YourAccessKeyId",
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
        sig,
      ),
    ).toBe(
      "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
    );
  });

  it("reproduces the second published value (e521358f…)", () => {
    const canonical = canonicalRequestV3({ ...base, headers: headers("2023-10-26T09:01:01Z", "d410180a5abf7fe235dd9b74aca91fc0") });
    expect(sha256Hex(canonical)).toBe("29622f5feb1e9fcaaa2e276a72889c975f7b16f00e02be1ca34965b18cd85015");
    expect(signV3("YourAccessKeySecret", stringToSignV3(canonical))).toBe(
      "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804",
    );
  });

  it("signV3Request builds the same Authorization from the same inputs", () => {
    const h = signV3Request({
      accessKeyId: "YourAccessKeyId",
      accessKeySecret: "YourAccessKeySecret",
      host: "ecs.cn-shanghai.aliyuncs.com",
      action: "RunInstances",
      version: "2014-05-26",
      query: base.query,
      date: "2023-10-26T10:22:32Z",
      nonce: "3156853299f313e23d1673dc12e1703d",
    });
    expect(h.authorization).toMatch(/Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0$/);
  });
});

describe("V3 — derived vectors for our own API (api-facts.md §5.7)", () => {
  const query = {
    RegionId: "cn-hangzhou",
    IpamPoolAllocationId: "ipam-pool-alloc-112za33e4****",
    ClientToken: "a b*c~(d)!'",
    DryRun: "false",
  };
  const headers: Record<string, string> = {
    host: "vpcipam.cn-hangzhou.aliyuncs.com",
    "x-acs-action": "DeleteIpamPoolAllocation",
    "x-acs-version": "2023-02-28",
    "x-acs-date": "2025-01-02T03:04:05Z",
    "x-acs-signature-nonce": "0123456789abcdef0123456789abcdef",
    "x-acs-content-sha256": EMPTY_BODY_SHA256,
  };

  it("canonical query, hash and signature", () => {
    expect(canonicalQueryString(query)).toBe(
      "ClientToken=a%20b%2Ac~%28d%29%21%27&DryRun=false&IpamPoolAllocationId=ipam-pool-alloc-112za33e4%2A%2A%2A%2A&RegionId=cn-hangzhou",
    );
    const canonical = canonicalRequestV3({ method: "POST", path: "/", query, headers });
    expect(sha256Hex(canonical)).toBe("8e6739309f0be38af7b2d4c457a64795e6364a5307f44a859e26bb9447f2be66");
    expect(signV3("testsecret", stringToSignV3(canonical))).toBe("9e8ee2ac1c92ae983fe824ff600e0aca8188c2155c5b9df057039481f60890d7");
  });

  it("the same request with STS headers", () => {
    const sts = { ...headers, "x-acs-accesskey-id": "testid", "x-acs-security-token": "tok" };
    const canonical = canonicalRequestV3({ method: "POST", path: "/", query, headers: sts });
    expect(canonical.split("\n").slice(-2, -1)[0]).toBe(
      "host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version",
    );
    expect(sha256Hex(canonical)).toBe("bfc1e3ad2daa275329905ff63750cf9c067dfc241c7700cf682a817b527e8ca0");
    expect(signV3("testsecret", stringToSignV3(canonical))).toBe("480b00f26eb13ccde6bdba35ae889b66166e4951cccca44f4f5f304e8cdbd466");
  });

  it("the canonical query is independent of parameter order and of how the URL was escaped", () => {
    const wire = "DryRun=false&ClientToken=a%20b*c~(d)!'&RegionId=cn-hangzhou&IpamPoolAllocationId=ipam-pool-alloc-112za33e4****";
    expect(canonicalQueryString(parseUrlEncoded(wire))).toBe(canonicalQueryString(query));
  });

  it("repeated names are sorted by value; multi-valued headers are trimmed, sorted and joined", () => {
    expect(canonicalQueryString([["b", "2"], ["a", "z"], ["b", "1"], ["a", ""]])).toBe("a=&a=z&b=1&b=2");
    const c = canonicalRequestV3({
      method: "get",
      path: "/",
      query: {},
      headers: { host: "h", "x-acs-multi": [" b ", "a"] },
    });
    expect(c).toBe("GET\n/\n\nhost:h\nx-acs-multi:a,b\n\nhost;x-acs-multi\n" + EMPTY_BODY_SHA256);
  });
});

describe("HMAC-SHA1 (api-facts.md §5.7)", () => {
  const params = {
    AccessKeyId: "testid",
    Action: "DescribeRegions",
    Format: "XML",
    SignatureMethod: "HMAC-SHA1",
    SignatureNonce: "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    SignatureVersion: "1.0",
    Timestamp: "2016-02-23T12:46:24Z",
    Version: "2014-05-26",
  };

  it("GET: canonicalized query, StringToSign and the published signature", () => {
    expect(canonicalQueryString(params)).toBe(
      "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26",
    );
    const sts = stringToSignV1("GET", params);
    expect(sts).toBe(
      "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
    );
    expect(signV1("testsecret", sts)).toBe("OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  });

  it("POST: the derived signature", () => {
    expect(signV1("testsecret", stringToSignV1("POST", params))).toBe("MxbnVAM4w6sft9xjVpe/GCKueuk=");
  });

  it("excludes Signature itself from the string to sign", () => {
    expect(stringToSignV1("GET", { ...params, Signature: "whatever" })).toBe(stringToSignV1("GET", params));
  });

  it("signV1Params produces a self-consistent parameter set", () => {
    const p = signV1Params({ accessKeyId: "testid", accessKeySecret: "testsecret", action: "A", version: "2020-03-09", params: { X: "1 2" } });
    const { Signature, ...rest } = p;
    expect(Signature).toBe(signV1("testsecret", stringToSignV1("POST", rest)));
    expect(rest.SignatureMethod).toBe("HMAC-SHA1");
    expect(rest.SignatureVersion).toBe("1.0");
  });
});

describe("verifier helpers", () => {
  it("parseTimestamp accepts only yyyy-MM-ddTHH:mm:ssZ and real instants", () => {
    expect(parseTimestamp("2025-01-02T03:04:05Z")).toBe(Date.UTC(2025, 0, 2, 3, 4, 5));
    for (const bad of ["2025-01-02T03:04:05.000Z", "2025-01-02T03:04:05+08:00", "2025-01-02 03:04:05Z", "2025-02-30T00:00:00Z", "2025-01-02T24:00:00Z", "", "yesterday"]) {
      expect(parseTimestamp(bad)).toBeNull();
    }
    expect(formatTimestamp(Date.UTC(2025, 0, 2, 3, 4, 5, 678))).toBe("2025-01-02T03:04:05Z");
  });

  it("parseUrlEncoded decodes + as space, keeps repeats, rejects malformed escapes", () => {
    expect(parseUrlEncoded("a=1+2&b=%2B&a=3&flag&=x")).toEqual([["a", "1 2"], ["b", "+"], ["a", "3"], ["flag", ""], ["", "x"]]);
    expect(() => parseUrlEncoded("a=%E0%A4%A")).toThrow(ApiError);
    expect(() => parseUrlEncoded("a=%ZZ")).toThrow(/malformed/);
  });

  it("constantTimeEqual", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
  });

  it("NonceStore remembers per AK within the window and stays bounded", () => {
    const s = new NonceStore(1000, 3);
    s.remember("ak", "n1", 0);
    expect(s.has("ak", "n1", 999)).toBe(true);
    expect(s.has("other", "n1", 999)).toBe(false);
    expect(s.has("ak", "n1", 1000)).toBe(false);
    for (const n of ["n2", "n3", "n4", "n5"]) s.remember("ak", n, 10);
    expect(s.size).toBe(3);
    expect(s.has("ak", "n5", 10)).toBe(true);
    s.remember("ak", "n6", 5000); // prunes everything expired
    expect(s.size).toBe(1);
  });

  it("ClientToken validation and parameter fingerprints", () => {
    expect(() => validateClientToken("a".repeat(64))).not.toThrow();
    expect(() => validateClientToken("a b*c~(d)!'")).not.toThrow();
    expect(() => validateClientToken("a".repeat(65))).toThrow(/ClientToken/);
    expect(() => validateClientToken("jeton-é")).toThrow(/ClientToken/);
    expect(paramsFingerprint({ a: "1", b: "2", ClientToken: "x" })).toBe(paramsFingerprint({ b: "2", ClientToken: "y", a: "1" }));
    expect(paramsFingerprint({ a: "1" })).not.toBe(paramsFingerprint({ a: "2" }));
  });
});

describe("fault engine and rate limiter (pure)", () => {
  it("mulberry32 is reproducible", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("count, afterCount, stacking latency and first terminal rule", () => {
    const f = new FaultEngine();
    f.add({ action: "*", kind: "latency", latencyMs: 5 });
    f.add({ action: "Del", kind: "error", code: "SystemBusy", count: 2, afterCount: 1 });
    f.add({ action: "Del", kind: "reset" });
    const kinds = Array.from({ length: 4 }, () => f.evaluate("VpcIpam", "vpcipam", "Del").terminal?.kind ?? null);
    expect(kinds).toEqual(["reset", "error", "error", "reset"]);
    expect(f.evaluate("VpcIpam", "vpcipam", "Get")).toMatchObject({ latencyMs: 5, terminal: null });
    expect(f.list().map((r) => r.kind)).toEqual(["latency", "reset"]);
  });

  it("probability rules replay exactly with the same seed", () => {
    const run = (seed: number) => {
      const f = new FaultEngine(seed);
      f.add({ action: "*", kind: "error", probability: 0.5 });
      return Array.from({ length: 32 }, () => (f.evaluate("P", "p", "A").terminal ? 1 : 0)).join("");
    };
    expect(run(7)).toBe(run(7));
    expect(run(7)).not.toBe(run(8));
    const withRuleSeed = () => {
      const f = new FaultEngine(1);
      f.add({ action: "*", kind: "error", probability: 0.5, seed: 99 });
      return Array.from({ length: 32 }, () => (f.evaluate("P", "p", "A").terminal ? 1 : 0)).join("");
    };
    expect(withRuleSeed()).toBe(withRuleSeed());
  });

  it("rejects malformed rules", () => {
    const f = new FaultEngine();
    expect(() => f.add({ kind: "error" })).toThrow(/action/);
    expect(() => f.add({ action: "*", kind: "explode" })).toThrow(/kind/);
    expect(() => f.add({ action: "*", kind: "latency" })).toThrow(/latencyMs/);
    expect(() => f.add({ action: "*", kind: "error", probability: 2 })).toThrow(/probability/);
    expect(() => f.add({ action: "*", kind: "error", count: 0 })).toThrow(/count/);
  });

  it("token bucket refills on the supplied clock", () => {
    const r = new RateLimiter();
    r.set({ action: "A", perSecond: 2 }, 0);
    expect([r.take("P", "p", "A", 0), r.take("P", "p", "A", 0), r.take("P", "p", "A", 0)]).toEqual([true, true, false]);
    expect(r.take("P", "p", "B", 0)).toBe(true);
    expect(r.take("P", "p", "A", 499)).toBe(false);
    expect(r.take("P", "p", "A", 500)).toBe(true);
    r.set({ action: "A", perSecond: null }, 500);
    expect(r.take("P", "p", "A", 500)).toBe(true);
    r.set({ product: "p", action: "*", perSecond: 0 }, 500);
    expect(r.take("P", "p", "Z", 10_000)).toBe(false);
    expect(r.take("Q", "q", "Z", 10_000)).toBe(true);
  });
});
