import { ApiError, type ProductModel, type RequestContext } from "../../emulator/core/types";
import { type VpcIpamSeedResult, type VpcIpamSeedSpec, createVpcIpamModel } from "../../emulator/vpcipam";

const REGION = "cn-hangzhou";
const OTHER_REGION = "cn-shanghai";
const AK = "LTAI-emulator-test";
const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

let model: ProductModel;
let now = T0;

beforeEach(() => {
  model = createVpcIpamModel();
  now = T0;
});

/** Call an action the way the HTTP core does: required-parameter check, then `handle`. */
function call(action: string, params: Record<string, string>, accessKeyId = AK): Record<string, unknown> {
  const def = model.actions[action];
  if (!def) throw new Error(`no action ${action}`);
  for (const name of def.required) {
    if (params[name] === undefined) throw new ApiError("MissingParameter", `missing ${name}`, 400);
  }
  const ctx: RequestContext = { product: "VpcIpam", action, params, accessKeyId, requestId: "REQ-1", now };
  return def.handle(ctx);
}

function fail(action: string, params: Record<string, string>, accessKeyId = AK): ApiError {
  try {
    call(action, params, accessKeyId);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error(`${action} succeeded, expected an error`);
}

function seed(spec: VpcIpamSeedSpec): VpcIpamSeedResult {
  return model.seed(spec, now) as VpcIpamSeedResult;
}

const POOL = "ipam-pool-main0000000000000001";
const POOL6 = "ipam-pool-six00000000000000001";

function seedStandard(): void {
  seed({
    pools: [
      { ipamPoolId: POOL, regionId: REGION, cidrs: ["10.0.0.0/16"], allocationMinCidrMask: 16, allocationMaxCidrMask: 28, name: "main" },
      { ipamPoolId: POOL6, regionId: REGION, cidrs: ["2001:db8::/56"], ipVersion: "IPv6", allocationMinCidrMask: 56, allocationMaxCidrMask: 64 },
    ],
  });
}

function create(params: Record<string, string>): Record<string, unknown> {
  return call("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL, ...params });
}

function listAll(poolId = POOL): Record<string, unknown>[] {
  const r = call("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: poolId, MaxResults: "100" });
  return r.IpamPoolAllocations as Record<string, unknown>[];
}

describe("VpcIpam model: product and action metadata", () => {
  it("identifies itself and declares every action", () => {
    expect(model.product).toBe("VpcIpam");
    expect(model.version).toBe("2023-02-28");
    expect(model.hostPrefix).toBe("vpcipam");
    expect(Object.keys(model.actions).sort()).toEqual(
      [
        "CreateIpamPoolAllocation",
        "DeleteIpamPoolAllocation",
        "GetIpamPoolAllocation",
        "ListIpamPoolAllocations",
        "ListIpamPoolCidrs",
        "ListIpamPools",
        "UpdateIpamPoolAllocation",
      ].sort(),
    );
  });

  it.each([
    ["CreateIpamPoolAllocation", true, true, ["RegionId", "IpamPoolId"]],
    ["UpdateIpamPoolAllocation", true, true, ["RegionId", "IpamPoolAllocationId"]],
    ["DeleteIpamPoolAllocation", true, true, ["RegionId", "IpamPoolAllocationId"]],
    ["GetIpamPoolAllocation", false, false, ["RegionId", "IpamPoolAllocationId"]],
    ["ListIpamPoolAllocations", false, false, ["RegionId", "IpamPoolId"]],
    ["ListIpamPools", false, false, ["RegionId"]],
    ["ListIpamPoolCidrs", false, false, ["RegionId", "IpamPoolId"]],
  ] as const)("%s: mutating=%s idempotent=%s required=%j", (action, mutating, idempotent, required) => {
    const def = model.actions[action];
    expect(def.mutating).toBe(mutating);
    expect(def.idempotent).toBe(idempotent);
    expect([...def.required].sort()).toEqual([...required].sort());
    expect(def.methods).toBeUndefined(); // GET and POST both accepted
  });

  it("has no transitional states", () => {
    expect(model.settle(now)).toBe(0);
    expect(model.getTiming()).toEqual({});
    expect(() => model.setTiming({})).not.toThrow();
    expect(() => model.setTiming({ Creating: 5 })).toThrow(ApiError);
  });
});

describe("VpcIpam model: seeding", () => {
  it("creates pools and allocations and returns their ids", () => {
    const r = seed({
      pools: [{ regionId: REGION, cidrs: ["10.0.0.0/8"] }, { ipamPoolId: POOL, regionId: OTHER_REGION, cidrs: ["172.16.0.0/12"] }],
      allocations: [
        { ipamPoolId: POOL, cidr: "172.16.0.0/16", resourceType: "VPC", resourceId: "vpc-abc" },
        { ipamPoolId: POOL, cidr: "172.17.0.0/16", resourceType: "Custom", ipamPoolAllocationId: "ipam-pool-alloc-fixed0000000000001" },
      ],
    });
    expect(r.ipamPoolIds).toHaveLength(2);
    expect(r.ipamPoolIds[0]).toMatch(/^ipam-pool-[a-z0-9]+$/);
    expect(r.ipamPoolIds[1]).toBe(POOL);
    expect(r.ipamPoolAllocationIds[0]).toMatch(/^ipam-pool-alloc-[a-z0-9]{18}$/);
    expect(r.ipamPoolAllocationIds[1]).toBe("ipam-pool-alloc-fixed0000000000001");
    const vpc = call("GetIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: r.ipamPoolAllocationIds[0] });
    expect(vpc).toMatchObject({ ResourceType: "VPC", ResourceId: "vpc-abc", RegionId: OTHER_REGION, SourceCidr: "172.16.0.0/12" });
  });

  it.each<[string, VpcIpamSeedSpec]>([
    ["bad pool id", { pools: [{ ipamPoolId: "pool-1", regionId: REGION, cidrs: ["10.0.0.0/8"] }] }],
    ["no cidrs", { pools: [{ regionId: REGION, cidrs: [] }] }],
    ["host bits", { pools: [{ regionId: REGION, cidrs: ["10.0.0.1/8"] }] }],
    ["mixed families", { pools: [{ regionId: REGION, cidrs: ["10.0.0.0/8", "2001:db8::/32"] }] }],
    ["overlapping pool cidrs", { pools: [{ regionId: REGION, cidrs: ["10.0.0.0/8", "10.1.0.0/16"] }] }],
    ["unknown pool", { allocations: [{ ipamPoolId: "ipam-pool-nope", cidr: "10.0.0.0/24", resourceType: "Custom" }] }],
    [
      "allocation outside pool",
      { pools: [{ ipamPoolId: POOL, regionId: REGION, cidrs: ["10.0.0.0/16"] }], allocations: [{ ipamPoolId: POOL, cidr: "10.1.0.0/24", resourceType: "VPC" }] },
    ],
    [
      "overlapping allocations",
      {
        pools: [{ ipamPoolId: POOL, regionId: REGION, cidrs: ["10.0.0.0/16"] }],
        allocations: [
          { ipamPoolId: POOL, cidr: "10.0.0.0/24", resourceType: "VPC" },
          { ipamPoolId: POOL, cidr: "10.0.0.128/25", resourceType: "Custom" },
        ],
      },
    ],
  ])("rejects %s atomically", (_label, spec) => {
    expect(() => seed(spec)).toThrow(ApiError);
    expect(model.inventory(now)).toEqual({ pools: [], allocations: [] });
  });

  it("removePools keeps the allocations (a pool deleted out of band)", () => {
    const r = seed({
      pools: [{ ipamPoolId: POOL, regionId: REGION, cidrs: ["10.0.0.0/16"] }],
      allocations: [{ ipamPoolId: POOL, cidr: "10.0.0.0/24", resourceType: "Custom" }],
      removePools: [POOL],
    });
    const inv = model.inventory(now);
    expect(inv.pools).toEqual([]);
    expect(inv.allocations).toHaveLength(1);
    expect(call("GetIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: r.ipamPoolAllocationIds[0] }).IpamPoolId).toBe(POOL);
  });

  it("reset forgets everything and ids never repeat afterwards", () => {
    seedStandard();
    const first = create({ CidrMask: "24" }).IpamPoolAllocationId;
    model.reset();
    expect(model.inventory(now)).toEqual({ pools: [], allocations: [] });
    seedStandard();
    const second = create({ CidrMask: "24" }).IpamPoolAllocationId;
    expect(second).not.toBe(first);
  });
});

describe("VpcIpam CreateIpamPoolAllocation", () => {
  beforeEach(seedStandard);

  it("reserves an explicit CIDR and Get returns the full flat record", () => {
    const r = create({ Cidr: "10.0.1.0/24", IpamPoolAllocationName: "db", IpamPoolAllocationDescription: "Database tier" });
    expect(r).toEqual({ IpamPoolAllocationId: expect.stringMatching(/^ipam-pool-alloc-[a-z0-9]{18}$/), Cidr: "10.0.1.0/24", SourceCidr: "10.0.0.0/16" });
    const got = call("GetIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: r.IpamPoolAllocationId as string });
    expect(got).toEqual({
      IpamPoolAllocationId: r.IpamPoolAllocationId,
      IpamPoolId: POOL,
      IpamPoolAllocationName: "db",
      IpamPoolAllocationDescription: "Database tier",
      Cidr: "10.0.1.0/24",
      SourceCidr: "10.0.0.0/16",
      ResourceType: "Custom",
      ResourceId: "",
      ResourceOwnerId: expect.any(Number),
      ResourceRegionId: REGION,
      RegionId: REGION,
      Status: "Created",
      CreationTime: "2025-01-02T03:04:05Z",
    });
  });

  it("picks the first free aligned block for CidrMask", () => {
    create({ Cidr: "10.0.0.0/26" });
    expect(create({ CidrMask: "24" })).toMatchObject({ Cidr: "10.0.1.0/24", SourceCidr: "10.0.0.0/16" });
    expect(create({ CidrMask: "26" }).Cidr).toBe("10.0.0.64/26");
    expect(create({ CidrMask: "25" }).Cidr).toBe("10.0.0.128/25");
    expect(create({ CidrMask: "24" }).Cidr).toBe("10.0.2.0/24");
  });

  it("allocates from IPv6 pools and canonicalises IPv6 input", () => {
    const six = (p: Record<string, string>) => call("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL6, ...p });
    expect(six({ CidrMask: "64" })).toMatchObject({ Cidr: "2001:db8::/64", SourceCidr: "2001:db8::/56" });
    expect(six({ Cidr: "2001:0DB8:0:00FF::/64" }).Cidr).toBe("2001:db8:0:ff::/64");
    expect(six({ CidrMask: "60" }).Cidr).toBe("2001:db8:0:10::/60");
    expect(fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL6, Cidr: "10.0.0.0/24" }).code).toBe("InvalidParameter");
    expect(fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL6, CidrMask: "129" }).code).toBe("InvalidParameter");
  });

  it("requires exactly one of Cidr and CidrMask", () => {
    const neither = fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL });
    expect([neither.code, neither.status]).toEqual(["MissingParameter", 400]);
    expect(neither.message).toMatch(/Cidr.*CidrMask/);
    const both = fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL, Cidr: "10.0.0.0/24", CidrMask: "24" });
    expect([both.code, both.status]).toEqual(["InvalidParameter", 400]);
    expect(both.message).toMatch(/Cidr.*CidrMask/);
  });

  it.each([
    [{ Cidr: "10.0.0.1/24" }, "InvalidParameter", /host bits/],
    [{ Cidr: "10.0.0.0/33" }, "InvalidParameter", /not a valid/],
    [{ Cidr: "banana" }, "InvalidParameter", /not a valid/],
    [{ Cidr: "10.0.0.0/8" }, "InvalidParameter", /mask 8 is out of range/],
    [{ Cidr: "10.0.0.0/30" }, "InvalidParameter", /out of range/],
    [{ Cidr: "10.1.0.0/24" }, "OperationFailed.CidrNotInPool", /10\.1\.0\.0\/24/],
    [{ CidrMask: "x" }, "InvalidParameter", /CidrMask/],
    [{ CidrMask: "33" }, "InvalidParameter", /CidrMask/],
    [{ CidrMask: "15" }, "InvalidParameter", /from 16 to 28/],
    [{ CidrMask: "29" }, "InvalidParameter", /from 16 to 28/],
    [{ CidrMask: "24", DryRun: "maybe" }, "InvalidParameter", /DryRun/],
  ])("rejects %j with %s", (params, code, message) => {
    const e = fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL, ...params });
    expect([e.code, e.status]).toEqual([code, 400]);
    expect(e.message).toMatch(message);
    expect(listAll()).toHaveLength(0);
  });

  it("accepts the pool's mask boundaries exactly", () => {
    expect(create({ CidrMask: "28" }).Cidr).toBe("10.0.0.0/28");
    // /16 is within [16, 28] but the only /16 is no longer free.
    expect(fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL, CidrMask: "16" }).code).toBe("OperationFailed.NoAvailableCidr");
    model.reset();
    seedStandard();
    expect(create({ Cidr: "10.0.0.0/16" }).Cidr).toBe("10.0.0.0/16");
  });

  it("rejects overlaps with any live allocation, in both directions", () => {
    create({ Cidr: "10.0.4.0/24" });
    for (const cidr of ["10.0.4.0/24", "10.0.4.128/25", "10.0.4.0/22"]) {
      const e = fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL, Cidr: cidr });
      expect([e.code, e.status]).toEqual(["OperationFailed.CidrConflict", 400]);
      expect(e.message).toContain("10.0.4.0/24");
    }
    expect(create({ Cidr: "10.0.5.0/24" }).Cidr).toBe("10.0.5.0/24"); // adjacent is fine
  });

  it("reports exhaustion when no block of the mask is left", () => {
    seed({ pools: [{ ipamPoolId: "ipam-pool-tiny", regionId: REGION, cidrs: ["192.168.0.0/30"] }] });
    const tiny = (p: Record<string, string>) => call("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: "ipam-pool-tiny", ...p });
    expect(tiny({ CidrMask: "31" }).Cidr).toBe("192.168.0.0/31");
    expect(tiny({ CidrMask: "31" }).Cidr).toBe("192.168.0.2/31");
    const e = fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: "ipam-pool-tiny", CidrMask: "32" });
    expect([e.code, e.status]).toEqual(["OperationFailed.NoAvailableCidr", 400]);
  });

  it("must be called in the pool's region; an unknown pool is 404", () => {
    const e = fail("CreateIpamPoolAllocation", { RegionId: OTHER_REGION, IpamPoolId: POOL, CidrMask: "24" });
    expect([e.code, e.status, e.message]).toEqual([
      "OperationDenied.RequestRegionInvalid",
      400,
      "The operation is not allowed because the request is not invoked in the region of the IPAM pool.",
    ]);
    const nf = fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: "ipam-pool-unknown", CidrMask: "24" });
    expect([nf.code, nf.status, nf.message]).toEqual(["ResourceNotFound.IpamPool", 404, "The dependent IPAM pool is not found."]);
  });

  it.each([
    [{ IpamPoolAllocationName: "" }, "IpamPoolAllocationName"],
    [{ IpamPoolAllocationName: "x".repeat(129) }, "IpamPoolAllocationName"],
    [{ IpamPoolAllocationName: "http://x" }, "IpamPoolAllocationName"],
    [{ IpamPoolAllocationName: "HTTPS://x" }, "IpamPoolAllocationName"],
    [{ IpamPoolAllocationDescription: "" }, "IpamPoolAllocationDescription"],
    [{ IpamPoolAllocationDescription: "1abc" }, "IpamPoolAllocationDescription"],
    [{ IpamPoolAllocationDescription: "a".repeat(257) }, "IpamPoolAllocationDescription"],
    [{ IpamPoolAllocationDescription: "https://example.com" }, "IpamPoolAllocationDescription"],
  ])("validates %j", (params, param) => {
    const e = fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL, CidrMask: "24", ...params });
    expect(e.code).toBe("InvalidParameter");
    expect(e.message).toContain(`"${param}"`);
  });

  it("accepts names and descriptions at their limits", () => {
    expect(create({ CidrMask: "24", IpamPoolAllocationName: "n".repeat(128), IpamPoolAllocationDescription: "d".repeat(256) }).Cidr).toBe(
      "10.0.0.0/24",
    );
    expect(create({ CidrMask: "24", IpamPoolAllocationName: "é", IpamPoolAllocationDescription: "中文描述" }).Cidr).toBe("10.0.1.0/24");
  });

  it("DryRun validates everything, answers DryRunOperation and creates nothing", () => {
    const e = fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL, CidrMask: "24", DryRun: "true" });
    expect([e.code, e.status, e.message]).toEqual(["DryRunOperation", 400, "Request validation has been passed with DryRun flag set."]);
    expect(listAll()).toHaveLength(0);
    // A failing check wins over DryRun.
    expect(fail("CreateIpamPoolAllocation", { RegionId: OTHER_REGION, IpamPoolId: POOL, CidrMask: "24", DryRun: "true" }).code).toBe(
      "OperationDenied.RequestRegionInvalid",
    );
    create({ Cidr: "10.0.0.0/24" });
    expect(fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL, Cidr: "10.0.0.0/24", DryRun: "true" }).code).toBe(
      "OperationFailed.CidrConflict",
    );
    expect(create({ CidrMask: "24", DryRun: "false" }).Cidr).toBe("10.0.1.0/24");
  });
});

describe("VpcIpam GetIpamPoolAllocation", () => {
  beforeEach(seedStandard);

  it("answers from any region (IPAM data is account-wide)", () => {
    const id = create({ CidrMask: "24" }).IpamPoolAllocationId as string;
    expect(call("GetIpamPoolAllocation", { RegionId: OTHER_REGION, IpamPoolAllocationId: id })).toMatchObject({ RegionId: REGION });
  });

  it("omits unset name/description; unknown id is ResourceNotFound.IpamPoolAllocation 400", () => {
    const id = create({ CidrMask: "24" }).IpamPoolAllocationId as string;
    const got = call("GetIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: id });
    expect(got).not.toHaveProperty("IpamPoolAllocationName");
    expect(got).not.toHaveProperty("IpamPoolAllocationDescription");
    const e = fail("GetIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: "ipam-pool-alloc-nope" });
    expect([e.code, e.status, e.message]).toEqual([
      "ResourceNotFound.IpamPoolAllocation",
      400,
      "The specified resource of IPAM pool allocation is not found.",
    ]);
  });
});

describe("VpcIpam UpdateIpamPoolAllocation", () => {
  let id: string;
  beforeEach(() => {
    seedStandard();
    id = create({ CidrMask: "24", IpamPoolAllocationName: "old" }).IpamPoolAllocationId as string;
  });
  const get = () => call("GetIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: id });

  it("changes name and description only", () => {
    expect(call("UpdateIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: id, IpamPoolAllocationName: "new" })).toEqual({});
    expect(get()).toMatchObject({ IpamPoolAllocationName: "new", Cidr: "10.0.0.0/24" });
    call("UpdateIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: id, IpamPoolAllocationDescription: "Changed" });
    expect(get()).toMatchObject({ IpamPoolAllocationName: "new", IpamPoolAllocationDescription: "Changed" });
  });

  it("validates, honours DryRun, the region rule and Custom-only", () => {
    expect(fail("UpdateIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: id, IpamPoolAllocationName: "http://a" }).code).toBe(
      "InvalidParameter",
    );
    const dry = fail("UpdateIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: id, IpamPoolAllocationName: "x", DryRun: "true" });
    expect(dry.code).toBe("DryRunOperation");
    expect(get().IpamPoolAllocationName).toBe("old");
    expect(fail("UpdateIpamPoolAllocation", { RegionId: OTHER_REGION, IpamPoolAllocationId: id, IpamPoolAllocationName: "x" }).code).toBe(
      "OperationDenied.RequestRegionInvalid",
    );
    expect(fail("UpdateIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: "ipam-pool-alloc-zz", IpamPoolAllocationName: "x" }).code).toBe(
      "ResourceNotFound.IpamPoolAllocation",
    );
    const vpc = seed({ allocations: [{ ipamPoolId: POOL, cidr: "10.0.9.0/24", resourceType: "VPC" }] }).ipamPoolAllocationIds[0];
    const e = fail("UpdateIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: vpc, IpamPoolAllocationName: "x" });
    expect([e.code, e.status]).toEqual(["OperationDenied.ResourceTypeIsNotCustom", 400]);
  });
});

describe("VpcIpam DeleteIpamPoolAllocation (seed API)", () => {
  let ids: VpcIpamSeedResult;
  beforeEach(() => {
    seedStandard();
    seed({ pools: [{ ipamPoolId: "ipam-pool-gone", regionId: REGION, cidrs: ["172.16.0.0/16"] }] });
    ids = seed({
      allocations: [
        { ipamPoolId: POOL, cidr: "10.0.1.0/24", resourceType: "Custom" }, // 0
        { ipamPoolId: POOL, cidr: "10.0.2.0/24", resourceType: "VPC", resourceId: "vpc-v4" }, // 1
        { ipamPoolId: POOL6, cidr: "2001:db8::/64", resourceType: "VPC", resourceId: "vpc-v6" }, // 2
        { ipamPoolId: POOL, cidr: "10.0.3.0/24", resourceType: "IpamPool", resourceId: "ipam-pool-child" }, // 3
        { ipamPoolId: POOL, cidr: "10.0.4.0/24", resourceType: "VSwitch" }, // 4
        { ipamPoolId: POOL, cidr: "10.0.5.0/24", resourceType: "Custom", authorizedAccessKeyIds: ["LTAI-owner"] }, // 5
        { ipamPoolId: "ipam-pool-gone", cidr: "172.16.0.0/24", resourceType: "Custom" }, // 6
      ],
      removePools: ["ipam-pool-gone"],
    });
  });
  const del = (i: number | string, extra: Record<string, string> = {}, ak = AK) =>
    call("DeleteIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: typeof i === "number" ? ids.ipamPoolAllocationIds[i] : i, ...extra }, ak);
  const delErr = (i: number | string, extra: Record<string, string> = {}, ak = AK) => {
    try {
      del(i, extra, ak);
    } catch (e) {
      if (e instanceof ApiError) return { code: e.code, status: e.status, message: e.message };
      throw e;
    }
    throw new Error("delete succeeded");
  };
  const exists = (i: number) =>
    (model.inventory(now).allocations as { ipamPoolAllocationId: string }[]).some((a) => a.ipamPoolAllocationId === ids.ipamPoolAllocationIds[i]);

  it("releases a Custom allocation; its CIDR becomes free again; a second delete is not found", () => {
    expect(del(0)).toEqual({});
    expect(exists(0)).toBe(false);
    expect(fail("GetIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: ids.ipamPoolAllocationIds[0] }).code).toBe(
      "ResourceNotFound.IpamPoolAllocation",
    );
    expect(delErr(0)).toEqual({
      code: "ResourceNotFound.IpamPoolAllocation",
      status: 400,
      message: "The specified resource of IPAM pool allocation is not found.",
    });
    expect(create({ Cidr: "10.0.1.0/24" }).Cidr).toBe("10.0.1.0/24");
  });

  it("releases an IPv4 VPC allocation", () => {
    expect(del(1)).toEqual({});
    expect(exists(1)).toBe(false);
    expect(create({ CidrMask: "24" }).Cidr).toBe("10.0.0.0/24");
    // 10.0.1.0/24 is still held by the Custom allocation; the released VPC block is next.
    expect(create({ CidrMask: "24" }).Cidr).toBe("10.0.2.0/24");
  });

  it("unknown id → ResourceNotFound.IpamPoolAllocation 400", () => {
    expect(delErr("ipam-pool-alloc-doesnotexist000000")).toMatchObject({ code: "ResourceNotFound.IpamPoolAllocation", status: 400 });
  });

  it("pool missing → ResourceNotFound.IpamPool 404", () => {
    expect(delErr(6)).toEqual({ code: "ResourceNotFound.IpamPool", status: 404, message: "The dependent IPAM pool is not found." });
    expect(exists(6)).toBe(true);
  });

  it("request region ≠ pool region → OperationDenied.RequestRegionInvalid 400", () => {
    expect(delErr(0, { RegionId: OTHER_REGION })).toEqual({
      code: "OperationDenied.RequestRegionInvalid",
      status: 400,
      message: "The operation is not allowed because the request is not invoked in the region of the IPAM pool.",
    });
    expect(exists(0)).toBe(true);
  });

  it("IPv6 VPC → OperationDenied.Ipv6VpcNotSupport 400", () => {
    expect(delErr(2)).toEqual({
      code: "OperationDenied.Ipv6VpcNotSupport",
      status: 400,
      message: "The allocation of IPv6 VPC is not supported to delete.",
    });
    expect(exists(2)).toBe(true);
  });

  it("IpamPool → OperationDenied.ResourceTypeIsNotCustom 400", () => {
    expect(delErr(3)).toEqual({
      code: "OperationDenied.ResourceTypeIsNotCustom",
      status: 400,
      message: "The operation is not allowed because the resource type is not Custom.",
    });
    expect(exists(3)).toBe(true);
  });

  it("unknown type → OperationDenied.UnexpectedResourceType 400", () => {
    expect(delErr(4)).toEqual({
      code: "OperationDenied.UnexpectedResourceType",
      status: 400,
      message: "The operation is not allowed because the resource type is unexpected.",
    });
    expect(exists(4)).toBe(true);
  });

  it("caller not authorized → OperationDenied.Unauthorized 400; the authorized caller may delete", () => {
    expect(delErr(5)).toEqual({
      code: "OperationDenied.Unauthorized",
      status: 400,
      message: "The operation is denied because the user is not authorized.",
    });
    expect(exists(5)).toBe(true);
    expect(del(5, {}, "LTAI-owner")).toEqual({});
    expect(exists(5)).toBe(false);
  });

  it("DryRun=true runs every check, then DryRunOperation 400, and releases nothing", () => {
    expect(delErr(0, { DryRun: "true" })).toEqual({
      code: "DryRunOperation",
      status: 400,
      message: "Request validation has been passed with DryRun flag set.",
    });
    expect(exists(0)).toBe(true);
    expect(delErr(1, { DryRun: "true" }).code).toBe("DryRunOperation");
    expect(exists(1)).toBe(true);
    // Failing checks win over the dry run.
    expect(delErr(2, { DryRun: "true" }).code).toBe("OperationDenied.Ipv6VpcNotSupport");
    expect(delErr(3, { DryRun: "true" }).code).toBe("OperationDenied.ResourceTypeIsNotCustom");
    expect(delErr(4, { DryRun: "true" }).code).toBe("OperationDenied.UnexpectedResourceType");
    expect(delErr(5, { DryRun: "true" }).code).toBe("OperationDenied.Unauthorized");
    expect(delErr(6, { DryRun: "true" }).code).toBe("ResourceNotFound.IpamPool");
    expect(delErr(0, { DryRun: "true", RegionId: OTHER_REGION }).code).toBe("OperationDenied.RequestRegionInvalid");
    expect(delErr("ipam-pool-alloc-nope", { DryRun: "true" }).code).toBe("ResourceNotFound.IpamPoolAllocation");
    expect(delErr(0, { DryRun: "yes" }).code).toBe("InvalidParameter");
    expect(del(0, { DryRun: "false" })).toEqual({});
    expect(exists(0)).toBe(false);
  });

  it("check order: not found → pool → authorization → region → type", () => {
    const r = seed({
      pools: [{ ipamPoolId: "ipam-pool-order", regionId: OTHER_REGION, cidrs: ["192.168.0.0/16"] }],
      allocations: [
        { ipamPoolId: "ipam-pool-order", cidr: "192.168.0.0/24", resourceType: "IpamPool", authorizedAccessKeyIds: ["LTAI-owner"] },
        { ipamPoolId: "ipam-pool-order", cidr: "192.168.1.0/24", resourceType: "IpamPool" },
      ],
    }).ipamPoolAllocationIds;
    expect(delErr(r[0]).code).toBe("OperationDenied.Unauthorized");
    expect(delErr(r[0], {}, "LTAI-owner").code).toBe("OperationDenied.RequestRegionInvalid");
    expect(delErr(r[1], { RegionId: OTHER_REGION }).code).toBe("OperationDenied.ResourceTypeIsNotCustom");
  });
});

describe("VpcIpam List* paging and filters", () => {
  beforeEach(seedStandard);

  it("pages allocations with an opaque NextToken until the last page", () => {
    const created: string[] = [];
    for (let i = 0; i < 25; i++) created.push(create({ CidrMask: "24", IpamPoolAllocationName: `n${i % 2}` }).IpamPoolAllocationId as string);
    const seen: string[] = [];
    let token: string | undefined;
    const pages: Record<string, unknown>[] = [];
    do {
      const r = call("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, ...(token ? { NextToken: token } : {}) });
      pages.push(r);
      seen.push(...(r.IpamPoolAllocations as { IpamPoolAllocationId: string }[]).map((a) => a.IpamPoolAllocationId));
      token = r.NextToken as string | undefined;
    } while (token);
    expect(pages.map((p) => [p.Count, p.MaxResults, p.TotalCount])).toEqual([
      [10, 10, 25],
      [10, 10, 25],
      [5, 10, 25],
    ]);
    expect(pages[2]).not.toHaveProperty("NextToken");
    expect(seen).toEqual(created);
    expect(pages[0].NextToken).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("keeps paging stable when items are deleted between pages", () => {
    const ids = Array.from({ length: 6 }, () => create({ CidrMask: "24" }).IpamPoolAllocationId as string);
    const p1 = call("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, MaxResults: "3" });
    call("DeleteIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: ids[2] });
    call("DeleteIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: ids[3] });
    const p2 = call("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, MaxResults: "3", NextToken: p1.NextToken as string });
    expect((p2.IpamPoolAllocations as { IpamPoolAllocationId: string }[]).map((a) => a.IpamPoolAllocationId)).toEqual([ids[4], ids[5]]);
    expect(p2).not.toHaveProperty("NextToken");
  });

  it("validates MaxResults and NextToken", () => {
    for (const m of ["0", "101", "abc", "-1", "1.5"]) {
      const e = fail("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, MaxResults: m });
      expect([e.code, e.status]).toEqual(["InvalidParameter", 400]);
      expect(e.message).toContain('"MaxResults"');
    }
    expect(call("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, MaxResults: "100" }).MaxResults).toBe(100);
    expect(call("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, MaxResults: "1" }).MaxResults).toBe(1);
    for (let i = 0; i < 3; i++) create({ CidrMask: "24", IpamPoolAllocationName: "a" });
    const first = call("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, MaxResults: "1" });
    for (const bad of ["garbage!", "djE6MTIzOjQ1Ng", Buffer.from("v1:0000000000000000:1").toString("base64url")]) {
      const e = fail("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, NextToken: bad });
      expect([e.code, e.status]).toEqual(["InvalidNextToken", 400]);
    }
    // A token is bound to its query: other filters → invalid.
    const e = fail("ListIpamPoolAllocations", {
      RegionId: REGION,
      IpamPoolId: POOL,
      MaxResults: "1",
      IpamPoolAllocationName: "a",
      NextToken: first.NextToken as string,
    });
    expect(e.code).toBe("InvalidNextToken");
    // …nor to signing parameters that change on every request (HMAC-SHA1 puts them in the query).
    const signed = (nonce: string, token?: string) =>
      call("ListIpamPoolAllocations", {
        RegionId: REGION,
        IpamPoolId: POOL,
        MaxResults: "1",
        SignatureNonce: nonce,
        Timestamp: nonce,
        Signature: nonce,
        ...(token ? { NextToken: token } : {}),
      });
    expect(signed("n2", signed("n1").NextToken as string).Count).toBe(1);
    // …but not to RegionId or MaxResults.
    expect(
      call("ListIpamPoolAllocations", { RegionId: OTHER_REGION, IpamPoolId: POOL, MaxResults: "5", NextToken: first.NextToken as string }).Count,
    ).toBe(2);
  });

  it("filters by ids, name and CIDR; unknown pool is 404; any region answers", () => {
    const a = create({ Cidr: "10.0.1.0/24", IpamPoolAllocationName: "web" }).IpamPoolAllocationId as string;
    const b = create({ Cidr: "10.0.2.0/24", IpamPoolAllocationName: "db" }).IpamPoolAllocationId as string;
    create({ Cidr: "10.0.3.0/24", IpamPoolAllocationName: "web" });
    const ids = (r: Record<string, unknown>) => (r.IpamPoolAllocations as { IpamPoolAllocationId: string }[]).map((x) => x.IpamPoolAllocationId);
    const list = (p: Record<string, string>) => call("ListIpamPoolAllocations", { RegionId: OTHER_REGION, IpamPoolId: POOL, ...p });
    expect(ids(list({ "IpamPoolAllocationIds.1": b, "IpamPoolAllocationIds.2": a }))).toEqual([a, b]);
    expect(list({ IpamPoolAllocationName: "web" }).TotalCount).toBe(2);
    expect(ids(list({ Cidr: "10.0.2.0/24" }))).toEqual([b]);
    expect(list({ Cidr: "10.0.2.0/23" }).TotalCount).toBe(0);
    expect(fail("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, Cidr: "10.0.2.1/24" }).code).toBe("InvalidParameter");
    const tooMany = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`IpamPoolAllocationIds.${i + 1}`, `x${i}`]));
    expect(fail("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, ...tooMany }).code).toBe("InvalidParameter");
    const nf = fail("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: "ipam-pool-nope" });
    expect([nf.code, nf.status]).toEqual(["ResourceNotFound.IpamPool", 404]);
  });

  it("ListIpamPools returns pool fields, filters and pages", () => {
    seed({
      pools: [
        { ipamPoolId: "ipam-pool-child", regionId: OTHER_REGION, cidrs: ["10.0.128.0/17"], sourceIpamPoolId: POOL, tags: { env: "prod" }, isShared: true },
      ],
    });
    const all = call("ListIpamPools", { RegionId: OTHER_REGION });
    expect([all.Count, all.TotalCount, all.MaxResults]).toEqual([3, 3, 10]);
    const pools = all.IpamPools as Record<string, unknown>[];
    expect(pools[0]).toEqual({
      IpamPoolId: POOL,
      IpamPoolName: "main",
      IpamId: expect.stringMatching(/^ipam-/),
      IpamScopeId: expect.stringMatching(/^ipam-scope-/),
      IpamScopeType: "private",
      IpamRegionId: REGION,
      PoolRegionId: REGION,
      RegionId: REGION,
      PoolDepth: 0,
      IpVersion: "IPv4",
      AllocationDefaultCidrMask: 24,
      AllocationMinCidrMask: 16,
      AllocationMaxCidrMask: 28,
      Cidrs: ["10.0.0.0/16"],
      AutoImport: false,
      HasSubPool: true,
      IsShared: false,
      OwnerId: expect.any(Number),
      ResourceGroupId: expect.any(String),
      CreateTime: "2025-01-02T03:04:05Z",
      Status: "Created",
      Tags: [],
    });
    expect(pools[1]).toMatchObject({ IpVersion: "IPv6", AllocationDefaultCidrMask: 64 });
    expect(pools[2]).toMatchObject({ SourceIpamPoolId: POOL, PoolDepth: 1, IsShared: true, Tags: [{ Key: "env", Value: "prod" }] });
    const names = (r: Record<string, unknown>) => (r.IpamPools as { IpamPoolId: string }[]).map((p) => p.IpamPoolId);
    expect(names(call("ListIpamPools", { RegionId: REGION, IpVersion: "IPv6" }))).toEqual([POOL6]);
    expect(names(call("ListIpamPools", { RegionId: REGION, PoolRegionId: OTHER_REGION }))).toEqual(["ipam-pool-child"]);
    expect(names(call("ListIpamPools", { RegionId: REGION, "Tags.1.Key": "env", "Tags.1.Value": "prod" }))).toEqual(["ipam-pool-child"]);
    expect(names(call("ListIpamPools", { RegionId: REGION, "Tags.1.Key": "env", "Tags.1.Value": "dev" }))).toEqual([]);
    expect(names(call("ListIpamPools", { RegionId: REGION, IsShared: "true" }))).toEqual(["ipam-pool-child"]);
    expect(names(call("ListIpamPools", { RegionId: REGION, "IpamPoolIds.1": POOL6, "IpamPoolIds.2": POOL }))).toEqual([POOL, POOL6]);
    expect(names(call("ListIpamPools", { RegionId: REGION, IpamPoolName: "main" }))).toEqual([POOL]);
    expect(fail("ListIpamPools", { RegionId: REGION, IpVersion: "IPv5" }).code).toBe("InvalidParameter");
    const p1 = call("ListIpamPools", { RegionId: REGION, MaxResults: "2" });
    expect(names(p1)).toEqual([POOL, POOL6]);
    const p2 = call("ListIpamPools", { RegionId: REGION, MaxResults: "2", NextToken: p1.NextToken as string });
    expect(names(p2)).toEqual(["ipam-pool-child"]);
    expect(p2).not.toHaveProperty("NextToken");
  });

  it("ListIpamPoolCidrs lists provisioned CIDRs with paging and a Cidr filter", () => {
    seed({ pools: [{ ipamPoolId: "ipam-pool-multi", regionId: REGION, cidrs: ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"] }] });
    const r = call("ListIpamPoolCidrs", { RegionId: REGION, IpamPoolId: "ipam-pool-multi", MaxResults: "2" });
    expect(r).toMatchObject({
      IpamPoolCidrs: [
        { Cidr: "10.0.0.0/16", IpamPoolId: "ipam-pool-multi", Status: "Created" },
        { Cidr: "10.1.0.0/16", IpamPoolId: "ipam-pool-multi", Status: "Created" },
      ],
      Count: 2,
      TotalCount: 3,
      MaxResults: 2,
    });
    const r2 = call("ListIpamPoolCidrs", { RegionId: REGION, IpamPoolId: "ipam-pool-multi", MaxResults: "2", NextToken: r.NextToken as string });
    expect(r2.IpamPoolCidrs).toEqual([{ Cidr: "10.2.0.0/16", IpamPoolId: "ipam-pool-multi", Status: "Created" }]);
    expect(call("ListIpamPoolCidrs", { RegionId: REGION, IpamPoolId: "ipam-pool-multi", Cidr: "10.1.0.0/16" }).TotalCount).toBe(1);
    expect(fail("ListIpamPoolCidrs", { RegionId: REGION, IpamPoolId: "ipam-pool-nope" }).status).toBe(404);
  });
});

describe("VpcIpam inventory, snapshot and restore", () => {
  it("inventory lists pools (with CIDRs) and live allocations as plain JSON", () => {
    seedStandard();
    const id = create({ CidrMask: "24" }).IpamPoolAllocationId as string;
    const inv = model.inventory(now) as { pools: Record<string, unknown>[]; allocations: Record<string, unknown>[] };
    expect(JSON.parse(JSON.stringify(inv))).toEqual(inv);
    expect(inv.pools.map((p) => [p.ipamPoolId, p.cidrs])).toEqual([
      [POOL, ["10.0.0.0/16"]],
      [POOL6, ["2001:db8::/56"]],
    ]);
    // the Get answer's fields under the SDK models' camelCase names (the inventory's one casing)
    const camel = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), v]));
    expect(inv.allocations).toEqual([camel(call("GetIpamPoolAllocation", { RegionId: REGION, IpamPoolAllocationId: id }))]);
  });

  it("round-trips through plain JSON, state and behaviour included", () => {
    seedStandard();
    const kept = create({ Cidr: "10.0.0.0/24", IpamPoolAllocationName: "kept" }).IpamPoolAllocationId as string;
    seed({ allocations: [{ ipamPoolId: POOL6, cidr: "2001:db8::/64", resourceType: "VPC", authorizedAccessKeyIds: ["LTAI-owner"] }] });
    const snap = JSON.parse(JSON.stringify(model.snapshot()));
    const before = model.inventory(now);
    const listing = call("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, MaxResults: "1" });

    const other = createVpcIpamModel();
    other.restore(snap);
    expect(other.inventory(now)).toEqual(before);
    expect(JSON.parse(JSON.stringify(other.snapshot()))).toEqual(snap);

    model.reset();
    model.restore(snap);
    expect(model.inventory(now)).toEqual(before);
    expect(call("ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, MaxResults: "1" })).toEqual(listing);
    // Rules still apply after restore: the restored CIDR is taken, new ids are fresh.
    expect(fail("CreateIpamPoolAllocation", { RegionId: REGION, IpamPoolId: POOL, Cidr: "10.0.0.0/24" }).code).toBe("OperationFailed.CidrConflict");
    const fresh = create({ CidrMask: "24" });
    expect(fresh.Cidr).toBe("10.0.1.0/24");
    expect(fresh.IpamPoolAllocationId).not.toBe(kept);
    const inv = model.inventory(now) as { allocations: unknown[] };
    expect(inv.allocations).toHaveLength(3);
  });

  it("rejects something that is not a VpcIpam snapshot", () => {
    expect(() => model.restore({ pools: [] })).toThrow();
    expect(() => model.restore(null)).toThrow();
  });
});
