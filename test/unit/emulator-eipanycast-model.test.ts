/**
 * The Eipanycast model, driven only through the ProductModel / ActionDefinition interface, with a hand-made
 * RequestContext and an explicit clock (no sleeps).
 */
import { ApiError, ProductModel, RequestContext } from "../../emulator/core/types";
import { createEipanycastModel, eipanycastErrors } from "../../emulator/eipanycast";

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);

type Body = Record<string, unknown>;
type Params = Record<string, string>;

/** Simulates the core: required-parameter check, then the handler. */
function call(m: ProductModel, action: string, params: Params, now: number): Body {
  const def = m.actions[action];
  if (!def) throw new Error(`no action ${action}`);
  for (const r of def.required) {
    if (params[r] === undefined || params[r] === "") throw eipanycastErrors.missingParameter(r);
  }
  const ctx: RequestContext = {
    product: "Eipanycast",
    action,
    params,
    accessKeyId: "LTAI-test",
    requestId: "00000000-0000-0000-0000-000000000000",
    now,
  };
  return def.handle(ctx);
}

function fail(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("expected an ApiError");
}

const allocate = (m: ProductModel, now = T0, extra: Params = {}): string =>
  call(m, "AllocateAnycastEipAddress", { ServiceLocation: "international", ...extra }, now).AnycastId as string;

const desc = (m: ProductModel, id: string, now: number): Body =>
  call(m, "DescribeAnycastEipAddress", { AnycastId: id }, now);

/** The inventory's EIP list. */
const eipsOf = (m: ProductModel, now: number): Body[] => m.inventory(now).eips as Body[];

const bindings = (b: Body): Body[] => b.AnycastEipBindInfoList as Body[];

const slb = (id: string, anycastId: string, extra: Params = {}): Params => ({
  AnycastId: anycastId,
  BindInstanceId: id,
  BindInstanceRegionId: "us-west-1",
  BindInstanceType: "SlbInstance",
  ...extra,
});

const associate = (m: ProductModel, params: Params, now: number): Body =>
  call(m, "AssociateAnycastEipAddress", params, now);

const unassociate = (m: ProductModel, params: Params, now: number): Body =>
  call(m, "UnassociateAnycastEipAddress", params, now);

const release = (m: ProductModel, id: string, now: number): Body =>
  call(m, "ReleaseAnycastEipAddress", { AnycastId: id }, now);

/** An EIP with one BINDED Default binding on lb-one, fully settled at T0. */
function associated(m: ProductModel): string {
  const id = allocate(m);
  associate(m, slb("lb-one", id), T0);
  m.settle(T0);
  return id;
}

let m: ProductModel;
beforeEach(() => {
  m = createEipanycastModel();
});

// -------------------------------------------------------------------------------------------------
describe("product definition", () => {
  test("identity and action table", () => {
    expect(m.product).toBe("Eipanycast");
    expect(m.version).toBe("2020-03-09");
    expect(m.hostPrefix).toBe("eipanycast");
    expect(Object.keys(m.actions).sort()).toEqual(
      [
        "AllocateAnycastEipAddress",
        "AssociateAnycastEipAddress",
        "ChangeResourceGroup",
        "DescribeAnycastEipAddress",
        "DescribeAnycastPopLocations",
        "DescribeAnycastServerRegions",
        "ListAnycastEipAddresses",
        "ListTagResources",
        "ModifyAnycastEipAddressAttribute",
        "ModifyAnycastEipAddressSpec",
        "ReleaseAnycastEipAddress",
        "TagResources",
        "UnassociateAnycastEipAddress",
        "UntagResources",
        "UpdateAnycastEipAddressAssociations",
      ].sort(),
    );
  });

  test("ClientToken (idempotent) actions per §0.3, mutating flags, required params", () => {
    const flags = Object.fromEntries(
      Object.entries(m.actions).map(([k, d]) => [k, { mutating: d.mutating, idempotent: d.idempotent, required: d.required }]),
    );
    expect(flags).toEqual({
      AllocateAnycastEipAddress: { mutating: true, idempotent: true, required: ["ServiceLocation"] },
      DescribeAnycastEipAddress: { mutating: false, idempotent: false, required: [] },
      ListAnycastEipAddresses: { mutating: false, idempotent: false, required: [] },
      ModifyAnycastEipAddressAttribute: { mutating: true, idempotent: false, required: ["AnycastId"] },
      ModifyAnycastEipAddressSpec: { mutating: true, idempotent: false, required: ["AnycastId", "Bandwidth"] },
      AssociateAnycastEipAddress: {
        mutating: true,
        idempotent: true,
        required: ["AnycastId", "BindInstanceId", "BindInstanceRegionId", "BindInstanceType"],
      },
      UnassociateAnycastEipAddress: {
        mutating: true,
        idempotent: true,
        required: ["AnycastId", "BindInstanceId", "BindInstanceRegionId", "BindInstanceType"],
      },
      UpdateAnycastEipAddressAssociations: { mutating: true, idempotent: true, required: ["AnycastId", "BindInstanceId"] },
      ReleaseAnycastEipAddress: { mutating: true, idempotent: true, required: ["AnycastId"] },
      DescribeAnycastServerRegions: { mutating: false, idempotent: false, required: ["ServiceLocation"] },
      DescribeAnycastPopLocations: { mutating: false, idempotent: false, required: [] },
      TagResources: { mutating: true, idempotent: false, required: ["ResourceType"] },
      UntagResources: { mutating: true, idempotent: false, required: ["ResourceType"] },
      ListTagResources: { mutating: false, idempotent: false, required: ["ResourceType"] },
      ChangeResourceGroup: { mutating: true, idempotent: false, required: ["NewResourceGroupId", "ResourceId", "ResourceType"] },
    });
  });

  test("handlers re-check required parameters when driven directly", () => {
    const e = fail(() =>
      m.actions.ReleaseAnycastEipAddress.handle({
        product: "Eipanycast",
        action: "ReleaseAnycastEipAddress",
        params: {},
        accessKeyId: "ak",
        requestId: "r",
        now: T0,
      }),
    );
    expect(e.code).toBe("MissingParameter");
    expect(e.message).toContain('"AnycastId"');
  });
});

// -------------------------------------------------------------------------------------------------
describe("AllocateAnycastEipAddress", () => {
  test("defaults, ids and the Describe record", () => {
    const r = call(m, "AllocateAnycastEipAddress", { ServiceLocation: "international", RegionId: "cn-hangzhou" }, T0);
    expect(r.AnycastId).toMatch(/^aeip-[a-z0-9]{20}$/);
    expect(r.OrderId).toMatch(/^\d+$/);
    expect(Object.keys(r).sort()).toEqual(["AnycastId", "OrderId"]);
    const d = desc(m, r.AnycastId as string, T0);
    expect(d).toEqual({
      AnycastId: r.AnycastId,
      IpAddress: expect.stringMatching(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/),
      Name: "",
      Description: "",
      Status: "Allocated",
      BusinessStatus: "Normal",
      Bandwidth: 1000,
      ServiceLocation: "international",
      InstanceChargeType: "PostPaid",
      InternetChargeType: "PayByTraffic",
      CreateTime: "2025-01-02T03:04:05Z",
      AliUid: expect.any(Number),
      Bid: expect.any(String),
      ResourceGroupId: expect.stringMatching(/^rg-/),
      ServiceManaged: 0,
      Tags: [],
      AnycastEipBindInfoList: [],
    });
  });

  test("explicit attributes are stored; Bandwidth is an integer in the response", () => {
    const id = allocate(m, T0, {
      Bandwidth: "200",
      InstanceChargeType: "PostPaid",
      InternetChargeType: "PayByTraffic",
      Name: "web_edge-1",
      Description: "front door",
      ResourceGroupId: "rg-acfmxyz123",
    });
    const d = desc(m, id, T0);
    expect(d.Bandwidth).toBe(200);
    expect(d.Name).toBe("web_edge-1");
    expect(d.Description).toBe("front door");
    expect(d.ResourceGroupId).toBe("rg-acfmxyz123");
    expect(desc(m, allocate(m, T0, { Bandwidth: "1000" }), T0).Bandwidth).toBe(1000);
  });

  test("ids and addresses are unique; ids never repeat across model instances", () => {
    const other = createEipanycastModel();
    const ids = new Set<string>();
    const ips = new Set<string>();
    for (let i = 0; i < 40; i++) {
      for (const model of [m, other]) {
        const id = allocate(model);
        ids.add(id);
        ips.add(`${model === m ? "a" : "b"}:${desc(model, id, T0).IpAddress}`);
      }
    }
    expect(ids.size).toBe(80);
    expect(ips.size).toBe(80);
  });

  test.each([
    [{ ServiceLocation: "" }, "MissingParameter"],
    [{ ServiceLocation: "chinese_mainland" }, "InvalidParameter.ServiceLocation"],
    [{ Bandwidth: "199" }, "InvalidParameter.Bandwidth"],
    [{ Bandwidth: "1001" }, "InvalidParameter.Bandwidth"],
    [{ Bandwidth: "abc" }, "InvalidParameter.Bandwidth"],
    [{ Bandwidth: "500.5" }, "InvalidParameter.Bandwidth"],
    [{ Bandwidth: "0500" }, "InvalidParameter.Bandwidth"],
    [{ InstanceChargeType: "PrePaid" }, "InvalidParameter.InstanceChargeType"],
    [{ InternetChargeType: "PayByBandwidth" }, "InvalidParameter.InternetChargeType"],
    [{ Name: "1abc" }, "InvalidParameter.Name"],
    [{ Name: "has space" }, "InvalidParameter.Name"],
    [{ Name: "a" + "b".repeat(128) }, "InvalidParameter.Name"],
    [{ Description: "x".repeat(257) }, "InvalidParameter.Description"],
    [{ Description: "http://example.com" }, "InvalidParameter.Description"],
    [{ Description: "https://example.com" }, "InvalidParameter.Description"],
    [{ ResourceGroupId: "group-1" }, "InvalidParameter.ResourceGroupId"],
  ])("rejects %j with %s (400)", (extra, code) => {
    const e = fail(() => call(m, "AllocateAnycastEipAddress", { ServiceLocation: "international", ...extra }, T0));
    expect(e.code).toBe(code);
    expect(e.status).toBe(400);
    expect(eipsOf(m, T0)).toEqual([]);
  });

  test("boundary values are accepted", () => {
    expect(() =>
      allocate(m, T0, { Name: "a" + "b".repeat(127), Description: "d".repeat(256), Bandwidth: "200" }),
    ).not.toThrow();
  });

  test("Allocating holds for the configured duration", () => {
    m.setTiming({ Allocating: 500 });
    const id = allocate(m);
    expect(desc(m, id, T0).Status).toBe("Allocating");
    expect(desc(m, id, T0 + 499).Status).toBe("Allocating");
    expect(desc(m, id, T0 + 500).Status).toBe("Allocated");
  });

  test("Allocating null holds until settle()", () => {
    m.setTiming({ Allocating: null });
    const id = allocate(m);
    expect(desc(m, id, T0 + 3_600_000).Status).toBe("Allocating");
    expect(m.settle(T0 + 3_600_000)).toBe(1);
    expect(desc(m, id, T0 + 3_600_000).Status).toBe("Allocated");
    expect(m.settle(T0 + 3_600_000)).toBe(0);
  });

  test("mutating an Allocating EIP is IncorrectStatus.Anycast", () => {
    m.setTiming({ Allocating: 100 });
    const id = allocate(m);
    expect(fail(() => release(m, id, T0)).code).toBe("IncorrectStatus.Anycast");
    expect(fail(() => associate(m, slb("lb-a", id), T0 + 50)).code).toBe("IncorrectStatus.Anycast");
    expect(() => associate(m, slb("lb-a", id), T0 + 100)).not.toThrow();
  });
});

// -------------------------------------------------------------------------------------------------
describe("DescribeAnycastEipAddress", () => {
  test("needs AnycastId or Ip (documented); BindInstanceId alone is not enough", () => {
    const e = fail(() => call(m, "DescribeAnycastEipAddress", { RegionId: "cn-hangzhou" }, T0));
    expect(e.code).toBe("MissingParameter");
    expect(e.status).toBe(400);
    expect(fail(() => call(m, "DescribeAnycastEipAddress", { BindInstanceId: "lb-one" }, T0)).code).toBe("MissingParameter");
  });

  test("unknown → ResourceNotFound.AnycastInstance 404", () => {
    const e = fail(() => desc(m, "aeip-doesnotexist000000000", T0));
    expect(e.code).toBe("ResourceNotFound.AnycastInstance");
    expect(e.status).toBe(404);
  });

  test("lookup by Ip, narrowed by BindInstanceId; all given criteria must match", () => {
    const id = associated(m);
    const other = allocate(m);
    const ip = desc(m, id, T0).IpAddress as string;
    expect(call(m, "DescribeAnycastEipAddress", { Ip: ip }, T0).AnycastId).toBe(id);
    expect(call(m, "DescribeAnycastEipAddress", { Ip: ip, BindInstanceId: "lb-one" }, T0).AnycastId).toBe(id);
    expect(call(m, "DescribeAnycastEipAddress", { AnycastId: id, Ip: ip }, T0).AnycastId).toBe(id);
    expect(fail(() => call(m, "DescribeAnycastEipAddress", { AnycastId: other, Ip: ip }, T0)).code).toBe(
      "ResourceNotFound.AnycastInstance",
    );
    expect(fail(() => call(m, "DescribeAnycastEipAddress", { Ip: ip, BindInstanceId: "lb-none" }, T0)).code).toBe(
      "ResourceNotFound.AnycastInstance",
    );
  });

  test("bind info carries every documented field", () => {
    const id = allocate(m);
    associate(m, slb("lb-one", id), T0 + 1000);
    associate(
      m,
      {
        AnycastId: id,
        BindInstanceId: "eni-two",
        BindInstanceRegionId: "eu-central-1",
        BindInstanceType: "NetworkInterface",
        PrivateIpAddress: "10.0.0.7",
        "PopLocations.1.PopLocation": "eu-west-1-pop",
        "PopLocations.2.PopLocation": "eu-central-1-pop",
      },
      T0 + 3000,
    );
    const list = bindings(desc(m, id, T0 + 5000));
    expect(list).toHaveLength(2);
    expect(list[0]).toEqual({
      BindInstanceId: "lb-one",
      BindInstanceRegionId: "us-west-1",
      BindInstanceType: "SlbInstance",
      BindTime: "2025-01-02T03:04:06Z",
      Status: "BINDED",
      AssociationMode: "Default",
      PopLocations: expect.arrayContaining([{ PopLocation: "us-west-1-pop" }, { PopLocation: "eu-west-1-pop" }]),
    });
    expect(list[1]).toEqual({
      BindInstanceId: "eni-two",
      BindInstanceRegionId: "eu-central-1",
      BindInstanceType: "NetworkInterface",
      BindTime: "2025-01-02T03:04:08Z",
      Status: "BINDED",
      AssociationMode: "Normal",
      PrivateIpAddress: "10.0.0.7",
      PopLocations: [{ PopLocation: "eu-west-1-pop" }, { PopLocation: "eu-central-1-pop" }],
    });
  });
});

// -------------------------------------------------------------------------------------------------
describe("AssociateAnycastEipAddress", () => {
  test("Allocated → Associating/BINDING → (2000 ms) Associated/BINDED; first binding is Default with all pops", () => {
    const id = allocate(m);
    expect(associate(m, slb("lb-one", id, { "PopLocations.1.PopLocation": "us-east-1-pop" }), T0)).toEqual({});
    let d = desc(m, id, T0);
    expect(d.Status).toBe("Associating");
    expect(bindings(d)[0].Status).toBe("BINDING");
    d = desc(m, id, T0 + 1999);
    expect(d.Status).toBe("Associating");
    d = desc(m, id, T0 + 2000);
    expect(d.Status).toBe("Associated");
    const b = bindings(d)[0];
    expect(b.Status).toBe("BINDED");
    expect(b.AssociationMode).toBe("Default");
    // PopLocations ignored on the first binding: every access point is used.
    const pops = call(m, "DescribeAnycastPopLocations", {}, T0).AnycastPopLocationList as Body[];
    expect((b.PopLocations as Body[]).map((x) => x.PopLocation).sort()).toEqual(pops.map((x) => x.RegionId).sort());
  });

  test("Associating null holds until settle", () => {
    m.setTiming({ Associating: null });
    const id = allocate(m);
    associate(m, slb("lb-one", id), T0);
    expect(desc(m, id, T0 + 10_000_000).Status).toBe("Associating");
    expect(m.settle(T0 + 10_000_000)).toBe(1);
    const d = desc(m, id, T0 + 10_000_000);
    expect(d.Status).toBe("Associated");
    expect(bindings(d)[0].Status).toBe("BINDED");
  });

  test("Associating 0 is immediate", () => {
    m.setTiming({ Associating: 0 });
    const id = allocate(m);
    associate(m, slb("lb-one", id), T0);
    expect(desc(m, id, T0).Status).toBe("Associated");
  });

  test("later bindings default to Normal and keep their PopLocations; EIP re-enters Associating", () => {
    const id = associated(m);
    associate(m, slb("lb-two", id, { "PopLocations.1.PopLocation": "ap-southeast-1-pop" }), T0 + 10);
    expect(desc(m, id, T0 + 10).Status).toBe("Associating");
    const d = desc(m, id, T0 + 2010);
    expect(d.Status).toBe("Associated");
    expect(bindings(d)[1]).toMatchObject({
      BindInstanceId: "lb-two",
      AssociationMode: "Normal",
      Status: "BINDED",
      PopLocations: [{ PopLocation: "ap-southeast-1-pop" }],
    });
  });

  test("first binding must be Default; a second Default is refused", () => {
    const id = allocate(m);
    expect(fail(() => associate(m, slb("lb-one", id, { AssociationMode: "Normal" }), T0)).code).toBe(
      "InvalidParameter.AssociationMode",
    );
    associate(m, slb("lb-one", id, { AssociationMode: "Default" }), T0);
    m.settle(T0);
    expect(fail(() => associate(m, slb("lb-two", id, { AssociationMode: "Default" }), T0)).code).toBe(
      "InvalidParameter.AssociationMode",
    );
    expect(fail(() => associate(m, slb("lb-two", id, { AssociationMode: "Weird" }), T0)).code).toBe(
      "InvalidParameter.AssociationMode",
    );
  });

  test("binding the same instance twice → OperationConflict.BindInstanceExists", () => {
    const id = associated(m);
    const e = fail(() => associate(m, slb("lb-one", id), T0));
    expect(e.code).toBe("OperationConflict.BindInstanceExists");
    expect(e.status).toBe(400);
  });

  test.each([
    [{ BindInstanceRegionId: "cn-qingdao" }, "InvalidParameter.BindInstanceRegionId"],
    [{ BindInstanceType: "EcsInstance" }, "InvalidParameter.BindInstanceType"],
    [{ BindInstanceId: "eni-abc" }, "InvalidParameter.BindInstanceId"],
    [{ BindInstanceId: "LB-ABC" }, "InvalidParameter.BindInstanceId"],
    [{ PrivateIpAddress: "10.0.0.1" }, "InvalidParameter.PrivateIpAddress"],
    [{ DryRun: "maybe" }, "InvalidParameter.DryRun"],
  ])("rejects %j", (extra, code) => {
    const id = allocate(m);
    expect(fail(() => associate(m, slb("lb-one", id, extra), T0)).code).toBe(code);
    expect(desc(m, id, T0).Status).toBe("Allocated");
  });

  test("ENI: well-formed id and PrivateIpAddress; a malformed address is refused", () => {
    const id = allocate(m);
    const eni = {
      AnycastId: id,
      BindInstanceId: "eni-abc123",
      BindInstanceRegionId: "ap-northeast-1",
      BindInstanceType: "NetworkInterface",
    };
    expect(fail(() => associate(m, { ...eni, PrivateIpAddress: "10.0.0.256" }, T0)).code).toBe(
      "InvalidParameter.PrivateIpAddress",
    );
    associate(m, { ...eni, PrivateIpAddress: "10.0.0.9" }, T0);
    expect(bindings(desc(m, id, T0))[0].PrivateIpAddress).toBe("10.0.0.9");
  });

  test("unknown pop location on a Normal binding is refused", () => {
    const id = associated(m);
    expect(fail(() => associate(m, slb("lb-two", id, { "PopLocations.1.PopLocation": "mars-1-pop" }), T0)).code).toBe(
      "InvalidParameter.PopLocation",
    );
  });

  test("unknown AnycastId → ResourceNotFound.AnycastInstance", () => {
    expect(fail(() => associate(m, slb("lb-one", "aeip-nope"), T0)).code).toBe("ResourceNotFound.AnycastInstance");
  });

  test("DryRun=true checks then answers DryRunOperation without effect; failed checks win", () => {
    const id = allocate(m);
    const e = fail(() => associate(m, slb("lb-one", id, { DryRun: "true" }), T0));
    expect(e.code).toBe("DryRunOperation");
    expect(e.status).toBe(400);
    expect(e.message).toBe("Request validation has been passed with DryRun flag set.");
    expect(desc(m, id, T0)).toMatchObject({ Status: "Allocated", AnycastEipBindInfoList: [] });
    expect(fail(() => associate(m, slb("lb-one", id, { DryRun: "true", BindInstanceRegionId: "xx-1" }), T0)).code).toBe(
      "InvalidParameter.BindInstanceRegionId",
    );
    associate(m, slb("lb-one", id, { DryRun: "false" }), T0);
    expect(desc(m, id, T0).Status).toBe("Associating");
  });
});

// -------------------------------------------------------------------------------------------------
describe("UnassociateAnycastEipAddress", () => {
  test("Associated → Unassociating/UNBINDING → (2000 ms) binding removed, Allocated", () => {
    const id = associated(m);
    expect(unassociate(m, slb("lb-one", id), T0 + 100)).toEqual({});
    let d = desc(m, id, T0 + 100);
    expect(d.Status).toBe("Unassociating");
    expect(bindings(d)[0].Status).toBe("UNBINDING");
    d = desc(m, id, T0 + 2099);
    expect(d.Status).toBe("Unassociating");
    d = desc(m, id, T0 + 2100);
    expect(d.Status).toBe("Allocated");
    expect(bindings(d)).toEqual([]);
  });

  test("stays Associated while other bindings remain", () => {
    const id = associated(m);
    associate(m, slb("lb-two", id), T0);
    m.settle(T0);
    unassociate(m, slb("lb-two", id), T0);
    const d = desc(m, id, T0 + 2000);
    expect(d.Status).toBe("Associated");
    expect(bindings(d).map((b) => b.BindInstanceId)).toEqual(["lb-one"]);
  });

  test("Unassociating null holds until settle", () => {
    m.setTiming({ Unassociating: null });
    const id = associated(m);
    unassociate(m, slb("lb-one", id), T0);
    expect(desc(m, id, T0 + 999_999).Status).toBe("Unassociating");
    expect(m.settle(T0 + 999_999)).toBe(1);
    expect(desc(m, id, T0 + 999_999).Status).toBe("Allocated");
  });

  test("the binding must exist with the same region and type → else ResourceNotFound.BindInstance 404", () => {
    const id = associated(m);
    for (const p of [
      slb("lb-zzz", id),
      slb("lb-one", id, { BindInstanceRegionId: "eu-west-1" }),
      { ...slb("lb-one", id), BindInstanceType: "NetworkInterface", BindInstanceId: "eni-one" },
    ]) {
      const e = fail(() => unassociate(m, p, T0));
      expect(e.code).toBe("ResourceNotFound.BindInstance");
      expect(e.status).toBe(404);
    }
    expect(fail(() => unassociate(m, slb("lb-one", "aeip-nope"), T0)).code).toBe("ResourceNotFound.AnycastInstance");
  });

  test("a mismatching PrivateIpAddress of an ENI binding is not that binding", () => {
    const id = allocate(m);
    const eni = {
      AnycastId: id,
      BindInstanceId: "eni-abc123",
      BindInstanceRegionId: "us-east-1",
      BindInstanceType: "NetworkInterface",
    };
    associate(m, { ...eni, PrivateIpAddress: "10.1.1.1" }, T0);
    m.settle(T0);
    expect(fail(() => unassociate(m, { ...eni, PrivateIpAddress: "10.1.1.2" }, T0)).code).toBe(
      "ResourceNotFound.BindInstance",
    );
    unassociate(m, { ...eni, PrivateIpAddress: "10.1.1.1" }, T0);
    expect(desc(m, id, T0).Status).toBe("Unassociating");
  });

  test('DryRun is the string "true"/"false"', () => {
    const id = associated(m);
    expect(fail(() => unassociate(m, slb("lb-one", id, { DryRun: "true" }), T0)).code).toBe("DryRunOperation");
    expect(desc(m, id, T0).Status).toBe("Associated");
    expect(fail(() => unassociate(m, slb("lb-one", id, { DryRun: "yes" }), T0)).code).toBe("InvalidParameter.DryRun");
    unassociate(m, slb("lb-one", id, { DryRun: "false" }), T0);
    expect(desc(m, id, T0).Status).toBe("Unassociating");
  });
});

// -------------------------------------------------------------------------------------------------
describe("UpdateAnycastEipAddressAssociations", () => {
  const update = (params: Params, now: number) => call(m, "UpdateAnycastEipAddressAssociations", params, now);

  test("binding MODIFYING → (Modifying 1000 ms) BINDED; EIP stays Associated but busy", () => {
    const id = associated(m);
    associate(m, slb("lb-two", id, { "PopLocations.1.PopLocation": "us-west-1-pop" }), T0);
    m.settle(T0);
    expect(
      update(
        {
          AnycastId: id,
          BindInstanceId: "lb-two",
          "PopLocationAddList.1.PopLocation": "eu-west-1-pop",
          "PopLocationAddList.2.PopLocation": "us-west-1-pop",
          "PopLocationDeleteList.1.PopLocation": "us-west-1-pop",
        },
        T0,
      ),
    ).toEqual({});
    let d = desc(m, id, T0);
    expect(d.Status).toBe("Associated");
    expect(bindings(d)[1]).toMatchObject({ Status: "MODIFYING", PopLocations: [{ PopLocation: "eu-west-1-pop" }] });
    expect(fail(() => release(m, id, T0 + 999)).code).toBe("IncorrectStatus.Anycast");
    expect(fail(() => associate(m, slb("lb-three", id), T0 + 999)).code).toBe("IncorrectStatus.Anycast");
    d = desc(m, id, T0 + 1000);
    expect(bindings(d)[1].Status).toBe("BINDED");
  });

  test("Modifying null holds the binding until settle", () => {
    m.setTiming({ Modifying: null });
    const id = associated(m);
    update({ AnycastId: id, BindInstanceId: "lb-one", "PopLocationDeleteList.1.PopLocation": "us-west-1-pop" }, T0);
    expect(bindings(desc(m, id, T0 + 1e9))[0].Status).toBe("MODIFYING");
    expect(m.settle(T0 + 1e9)).toBe(1);
    expect(bindings(desc(m, id, T0 + 1e9))[0].Status).toBe("BINDED");
  });

  test("errors: unknown binding, unknown pop, a second Default, DryRun; no pop lists is accepted", () => {
    const id = associated(m);
    const base = { AnycastId: id, BindInstanceId: "lb-one" };
    expect(fail(() => update({ ...base, BindInstanceId: "lb-x", "PopLocationAddList.1.PopLocation": "us-west-1-pop" }, T0)).code).toBe(
      "ResourceNotFound.BindInstance",
    );
    expect(fail(() => update({ ...base, "PopLocationAddList.1.PopLocation": "moon-pop" }, T0)).code).toBe(
      "InvalidParameter.PopLocation",
    );
    associate(m, slb("lb-two", id), T0);
    m.settle(T0);
    expect(fail(() => update({ ...base, BindInstanceId: "lb-two", AssociationMode: "Default" }, T0)).code).toBe(
      "InvalidParameter.AssociationMode",
    );
    expect(update(base, T0)).toEqual({});
    m.settle(T0);
    expect(fail(() => update({ ...base, DryRun: "true", "PopLocationDeleteList.1.PopLocation": "us-west-1-pop" }, T0)).code).toBe(
      "DryRunOperation",
    );
    expect(bindings(desc(m, id, T0))[0].Status).toBe("BINDED");
  });
});

// -------------------------------------------------------------------------------------------------
describe("ModifyAnycastEipAddressAttribute / ModifyAnycastEipAddressSpec", () => {
  const attr = (params: Params, now = T0) => call(m, "ModifyAnycastEipAddressAttribute", params, now);
  const spec = (params: Params, now = T0) => call(m, "ModifyAnycastEipAddressSpec", params, now);

  test("attribute change is synchronous; absent fields unchanged; empty Name clears", () => {
    const id = allocate(m, T0, { Name: "old", Description: "keep" });
    expect(attr({ AnycastId: id, Name: "newName" })).toEqual({});
    expect(desc(m, id, T0)).toMatchObject({ Name: "newName", Description: "keep", Status: "Allocated" });
    attr({ AnycastId: id, Description: "changed" });
    attr({ AnycastId: id, Name: "" });
    expect(desc(m, id, T0)).toMatchObject({ Name: "", Description: "changed" });
    expect(fail(() => attr({ AnycastId: id, Name: "_bad" })).code).toBe("InvalidParameter.Name");
    expect(fail(() => attr({ AnycastId: id, Description: "https://x" })).code).toBe("InvalidParameter.Description");
    expect(fail(() => attr({ AnycastId: "aeip-nope", Name: "x" })).code).toBe("ResourceNotFound.AnycastInstance");
  });

  test("spec: Allocated → Modifying → (1000 ms) Allocated, bandwidth updated", () => {
    const id = allocate(m);
    expect(spec({ AnycastId: id, Bandwidth: "300" })).toEqual({});
    expect(desc(m, id, T0)).toMatchObject({ Status: "Modifying", Bandwidth: 300 });
    expect(desc(m, id, T0 + 999).Status).toBe("Modifying");
    expect(desc(m, id, T0 + 1000)).toMatchObject({ Status: "Allocated", Bandwidth: 300 });
  });

  test("spec: Associated → Modifying → Associated", () => {
    const id = associated(m);
    spec({ AnycastId: id, Bandwidth: "1000" }, T0 + 5);
    expect(desc(m, id, T0 + 5).Status).toBe("Modifying");
    expect(desc(m, id, T0 + 1005).Status).toBe("Associated");
  });

  test("spec: Modifying null holds until settle", () => {
    m.setTiming({ Modifying: null });
    const id = allocate(m);
    spec({ AnycastId: id, Bandwidth: "400" });
    expect(desc(m, id, T0 + 1e8).Status).toBe("Modifying");
    expect(m.settle(T0 + 1e8)).toBe(1);
    expect(desc(m, id, T0 + 1e8).Status).toBe("Allocated");
  });

  test("spec validation and transitional refusal", () => {
    const id = allocate(m);
    expect(fail(() => spec({ AnycastId: id })).code).toBe("MissingParameter");
    expect(fail(() => spec({ AnycastId: id, Bandwidth: "50" })).code).toBe("InvalidParameter.Bandwidth");
    spec({ AnycastId: id, Bandwidth: "500" });
    const e = fail(() => spec({ AnycastId: id, Bandwidth: "600" }, T0 + 10));
    expect(e.code).toBe("IncorrectStatus.Anycast");
    expect(e.message).toBe("The status of the Anycast instance is invalid.");
    expect(fail(() => attr({ AnycastId: id, Name: "x" }, T0 + 10)).code).toBe("IncorrectStatus.Anycast");
  });
});

// -------------------------------------------------------------------------------------------------
describe("ReleaseAnycastEipAddress (seed API)", () => {
  test("Allocated → Releasing (still described) → (2000 ms) gone", () => {
    const id = allocate(m);
    expect(release(m, id, T0 + 10)).toEqual({});
    expect(desc(m, id, T0 + 10).Status).toBe("Releasing");
    expect(desc(m, id, T0 + 2009).Status).toBe("Releasing");
    expect(eipsOf(m, T0 + 2009)).toEqual([
      expect.objectContaining({ anycastId: id, status: "Releasing", pending: { transition: "Releasing", dueAt: T0 + 2010 } }),
    ]);
    const listed = call(m, "ListAnycastEipAddresses", {}, T0 + 2009);
    expect(listed.TotalCount).toBe(1);
    const e = fail(() => desc(m, id, T0 + 2010));
    expect(e.code).toBe("ResourceNotFound.AnycastInstance");
    expect(e.status).toBe(404);
    expect(eipsOf(m, T0 + 2010)).toEqual([]);
    expect(call(m, "ListAnycastEipAddresses", {}, T0 + 2010)).toMatchObject({ TotalCount: 0, AnycastList: [] });
    expect(fail(() => release(m, id, T0 + 2010)).code).toBe("ResourceNotFound.AnycastInstance");
  });

  test("Releasing null holds until settle; a second Release meanwhile is IncorrectStatus.Anycast", () => {
    m.setTiming({ Releasing: null });
    const id = allocate(m);
    release(m, id, T0);
    expect(fail(() => release(m, id, T0 + 1)).code).toBe("IncorrectStatus.Anycast");
    expect(desc(m, id, T0 + 1e9).Status).toBe("Releasing");
    expect(m.settle(T0 + 1e9)).toBe(1);
    expect(fail(() => desc(m, id, T0 + 1e9)).code).toBe("ResourceNotFound.AnycastInstance");
  });

  test("Releasing 0 removes at once", () => {
    m.setTiming({ Releasing: 0 });
    const id = allocate(m);
    release(m, id, T0);
    expect(fail(() => desc(m, id, T0)).code).toBe("ResourceNotFound.AnycastInstance");
  });

  test("unknown → ResourceNotFound.AnycastInstance (404)", () => {
    const e = fail(() => release(m, "aeip-unknown0000000000000", T0));
    expect(e.code).toBe("ResourceNotFound.AnycastInstance");
    expect(e.status).toBe(404);
  });

  test("missing AnycastId → MissingParameter", () => {
    expect(fail(() => call(m, "ReleaseAnycastEipAddress", { ClientToken: "t" }, T0)).code).toBe("MissingParameter");
  });

  test("service-managed → OperationUnsupported.ServiceManaged 400 with the documented message", () => {
    const [id] = (m.seed({ eips: [{ serviceManaged: true }] }, T0) as { anycastIds: string[] }).anycastIds;
    expect(desc(m, id, T0).ServiceManaged).toBe(1);
    const e = fail(() => release(m, id, T0));
    expect(e.code).toBe("OperationUnsupported.ServiceManaged");
    expect(e.status).toBe(400);
    expect(e.message).toBe("Operation is forbidden because this instance belongs to Service manager.");
  });

  test("service-managed wins over the association check", () => {
    const [id] = (
      m.seed(
        { eips: [{ serviceManaged: true, bindings: [{ bindInstanceId: "lb-s", bindInstanceRegionId: "us-west-1", bindInstanceType: "SlbInstance" }] }] },
        T0,
      ) as { anycastIds: string[] }
    ).anycastIds;
    expect(fail(() => release(m, id, T0)).code).toBe("OperationUnsupported.ServiceManaged");
  });

  const incorrect = (id: string, now: number) => {
    const e = fail(() => release(m, id, now));
    expect(e.code).toBe("IncorrectStatus.Anycast");
    expect(e.status).toBe(400);
    expect(e.message).toBe("The status of the Anycast instance is invalid.");
  };

  test("associated (BINDED) → IncorrectStatus.Anycast", () => {
    incorrect(associated(m), T0);
  });

  test("binding in progress (BINDING / Associating) → IncorrectStatus.Anycast", () => {
    const id = allocate(m);
    associate(m, slb("lb-one", id), T0);
    incorrect(id, T0 + 1);
  });

  test("unbinding in progress (UNBINDING / Unassociating) → IncorrectStatus.Anycast; allowed once it is gone", () => {
    const id = associated(m);
    unassociate(m, slb("lb-one", id), T0);
    incorrect(id, T0 + 1999);
    expect(release(m, id, T0 + 2000)).toEqual({});
  });

  test("Modifying → IncorrectStatus.Anycast", () => {
    const id = allocate(m);
    call(m, "ModifyAnycastEipAddressSpec", { AnycastId: id, Bandwidth: "300" }, T0);
    incorrect(id, T0 + 500);
  });

  test("FinancialLocked → IncorrectStatus.Anycast", () => {
    const [id] = (m.seed({ eips: [{ businessStatus: "FinancialLocked" }] }, T0) as { anycastIds: string[] }).anycastIds;
    expect(desc(m, id, T0).BusinessStatus).toBe("FinancialLocked");
    incorrect(id, T0);
  });

  test("the fault-injection errors have the documented codes, statuses and messages", () => {
    const c = eipanycastErrors.operationFailedConflict();
    expect([c.code, c.status, c.message]).toEqual([
      "OperationFailed.Conflict",
      400,
      "Operation failed: The request was too frequent or there was a concurrency conflict. Please try again later.",
    ]);
    const b = eipanycastErrors.systemBusy();
    expect([b.code, b.status, b.message]).toEqual(["SystemBusy", 503, "The system is busy. Please try again later."]);
    expect(b).toBeInstanceOf(ApiError);
  });
});

// -------------------------------------------------------------------------------------------------
describe("service-managed EIPs refuse every change", () => {
  test("Modify*, Associate, Unassociate, Update → OperationUnsupported.ServiceManaged", () => {
    const [id] = (
      m.seed(
        { eips: [{ serviceManaged: true, bindings: [{ bindInstanceId: "lb-s", bindInstanceRegionId: "us-west-1", bindInstanceType: "SlbInstance" }] }] },
        T0,
      ) as { anycastIds: string[] }
    ).anycastIds;
    const attempts: [string, Params][] = [
      ["ModifyAnycastEipAddressAttribute", { AnycastId: id, Name: "x" }],
      ["ModifyAnycastEipAddressSpec", { AnycastId: id, Bandwidth: "300" }],
      ["AssociateAnycastEipAddress", slb("lb-new", id)],
      ["UnassociateAnycastEipAddress", slb("lb-s", id)],
      ["UpdateAnycastEipAddressAssociations", { AnycastId: id, BindInstanceId: "lb-s", "PopLocationAddList.1.PopLocation": "us-west-1-pop" }],
    ];
    for (const [action, params] of attempts) {
      expect([action, fail(() => call(m, action, params, T0)).code]).toEqual([action, "OperationUnsupported.ServiceManaged"]);
    }
    expect(desc(m, id, T0).Status).toBe("Associated");
  });
});

// -------------------------------------------------------------------------------------------------
describe("ListAnycastEipAddresses", () => {
  test("item fields: Describe fields minus Bid; bind info has four fields", () => {
    const id = associated(m);
    const r = call(m, "ListAnycastEipAddresses", {}, T0);
    expect(r.TotalCount).toBe(1);
    expect(r.NextToken).toBe("");
    const item = (r.AnycastList as Body[])[0];
    const d = desc(m, id, T0);
    const { Bid: _bid, AnycastEipBindInfoList: _b, ...rest } = d;
    expect(item).toMatchObject(rest);
    expect(item).not.toHaveProperty("Bid");
    expect(item.AnycastEipBindInfoList).toEqual([
      { BindInstanceId: "lb-one", BindInstanceRegionId: "us-west-1", BindInstanceType: "SlbInstance", BindTime: "2025-01-02T03:04:05Z" },
    ]);
  });

  test("paging: default 50, MaxResults 20, NextToken, TotalCount", () => {
    const ids = Array.from({ length: 55 }, () => allocate(m));
    const first = call(m, "ListAnycastEipAddresses", {}, T0);
    expect((first.AnycastList as Body[]).length).toBe(50);
    expect(first.TotalCount).toBe(55);
    expect(first.NextToken).not.toBe("");

    const seen: string[] = [];
    let token = "";
    let pages = 0;
    do {
      const r = call(m, "ListAnycastEipAddresses", { MaxResults: "20", ...(token ? { NextToken: token } : {}) }, T0);
      expect(r.TotalCount).toBe(55);
      seen.push(...(r.AnycastList as Body[]).map((x) => x.AnycastId as string));
      token = r.NextToken as string;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
  });

  test("paging neither skips nor repeats when EIPs disappear between pages", () => {
    m.setTiming({ Releasing: 0 });
    const ids = Array.from({ length: 30 }, () => allocate(m));
    const p1 = call(m, "ListAnycastEipAddresses", { MaxResults: "20" }, T0);
    release(m, ids[0], T0);
    release(m, ids[25], T0);
    const p2 = call(m, "ListAnycastEipAddresses", { MaxResults: "20", NextToken: p1.NextToken as string }, T0);
    expect((p2.AnycastList as Body[]).map((x) => x.AnycastId)).toEqual(ids.slice(20).filter((x) => x !== ids[25]));
    expect(p2.NextToken).toBe("");
    expect(p2.TotalCount).toBe(28);
  });

  test.each([["19"], ["101"], ["abc"]])("MaxResults %s → InvalidParameter.MaxResults", (v) => {
    expect(fail(() => call(m, "ListAnycastEipAddresses", { MaxResults: v }, T0)).code).toBe("InvalidParameter.MaxResults");
  });

  test("a forged NextToken → InvalidParameter.NextToken", () => {
    expect(fail(() => call(m, "ListAnycastEipAddresses", { NextToken: "garbage!" }, T0)).code).toBe(
      "InvalidParameter.NextToken",
    );
  });

  test("filters", () => {
    const a = associated(m);
    const b = allocate(m, T0, { Name: "bee" });
    const c = allocate(m, T0, { ResourceGroupId: "rg-other" });
    const [locked] = (
      m.seed({ eips: [{ businessStatus: "FinancialLocked", tags: [{ key: "env", value: "prod" }] }] }, T0) as {
        anycastIds: string[];
      }
    ).anycastIds;
    const ids = (p: Params) =>
      ((call(m, "ListAnycastEipAddresses", p, T0).AnycastList as Body[]).map((x) => x.AnycastId as string)).sort();
    expect(ids({ "AnycastIds.1": a, "AnycastIds.2": c })).toEqual([a, c].sort());
    expect(ids({ AnycastId: b })).toEqual([b]);
    expect(ids({ "BindInstanceIds.1": "lb-one" })).toEqual([a]);
    expect(ids({ Status: "Associated" })).toEqual([a]);
    expect(ids({ Status: "Allocated" })).toEqual([b, c, locked].sort());
    expect(ids({ Name: "bee" })).toEqual([b]);
    expect(ids({ ResourceGroupId: "rg-other" })).toEqual([c]);
    expect(ids({ BusinessStatus: "FinancialLocked" })).toEqual([locked]);
    expect(ids({ AnycastEipAddress: desc(m, c, T0).IpAddress as string })).toEqual([c]);
    expect(ids({ "Tags.1.Key": "env", "Tags.1.Value": "prod" })).toEqual([locked]);
    expect(ids({ "Tags.1.Key": "env", "Tags.1.Value": "dev" })).toEqual([]);
    expect(ids({ "Tags.1.Key": "env" })).toEqual([locked]);
    expect(ids({ ServiceLocation: "international", InstanceChargeType: "PostPaid", InternetChargeType: "PayByTraffic" })).toHaveLength(4);
    expect(ids({ RegionId: "cn-hangzhou" })).toHaveLength(4);
  });

  test("list size limits", () => {
    const many = (prefix: string, n: number): Params =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}.${i + 1}`, `aeip-x${i}`]));
    expect(fail(() => call(m, "ListAnycastEipAddresses", many("AnycastIds", 51), T0)).code).toBe("InvalidParameter.AnycastIds");
    expect(() => call(m, "ListAnycastEipAddresses", many("AnycastIds", 50), T0)).not.toThrow();
    expect(fail(() => call(m, "ListAnycastEipAddresses", many("BindInstanceIds", 101), T0)).code).toBe(
      "InvalidParameter.BindInstanceIds",
    );
  });
});

// -------------------------------------------------------------------------------------------------
describe("DescribeAnycastServerRegions / DescribeAnycastPopLocations", () => {
  test("server regions: fixed list, Count is a string, ServiceLocation required and checked", () => {
    const r = call(m, "DescribeAnycastServerRegions", { ServiceLocation: "international" }, T0);
    const regions = (r.AnycastServerRegionList as Body[]).map((x) => x.RegionId);
    expect(regions).toEqual(
      expect.arrayContaining([
        "cn-hangzhou",
        "cn-shanghai",
        "cn-beijing",
        "cn-hongkong",
        "ap-southeast-1",
        "ap-northeast-1",
        "us-west-1",
        "us-east-1",
        "eu-central-1",
        "eu-west-1",
      ]),
    );
    expect(r.Count).toBe(String(regions.length));
    for (const x of r.AnycastServerRegionList as Body[]) expect(typeof x.RegionName).toBe("string");
    expect(fail(() => call(m, "DescribeAnycastServerRegions", {}, T0)).code).toBe("MissingParameter");
    expect(fail(() => call(m, "DescribeAnycastServerRegions", { ServiceLocation: "mainland" }, T0)).code).toBe(
      "InvalidParameter.ServiceLocation",
    );
  });

  test("every server region is bindable", () => {
    const r = call(m, "DescribeAnycastServerRegions", { ServiceLocation: "international" }, T0);
    for (const [i, reg] of (r.AnycastServerRegionList as Body[]).entries()) {
      const id = allocate(m);
      expect(() => associate(m, slb(`lb-r${i}`, id, { BindInstanceRegionId: reg.RegionId as string }), T0)).not.toThrow();
    }
  });

  test("pop locations: ServiceLocation optional", () => {
    const r = call(m, "DescribeAnycastPopLocations", {}, T0);
    const list = r.AnycastPopLocationList as Body[];
    expect(list.length).toBeGreaterThan(0);
    expect(r.Count).toBe(String(list.length));
    expect(list).toContainEqual({ RegionId: "us-west-1-pop", RegionName: "us-west-1-pop" });
    expect(call(m, "DescribeAnycastPopLocations", { ServiceLocation: "international" }, T0).Count).toBe(r.Count);
  });
});

// -------------------------------------------------------------------------------------------------
describe("timing, settle and reset", () => {
  test("defaults; setTiming merges; reset restores defaults and empties the inventory", () => {
    expect(m.getTiming()).toEqual({ Allocating: 0, Associating: 2000, Unassociating: 2000, Modifying: 1000, Releasing: 2000 });
    m.setTiming({ Associating: 10 });
    m.setTiming({ Releasing: null });
    expect(m.getTiming()).toEqual({ Allocating: 0, Associating: 10, Unassociating: 2000, Modifying: 1000, Releasing: null });
    allocate(m);
    m.reset();
    expect(m.getTiming()).toEqual({ Allocating: 0, Associating: 2000, Unassociating: 2000, Modifying: 1000, Releasing: 2000 });
    expect(m.inventory(T0)).toEqual({ eips: [] });
  });

  test("unknown names and bad durations are refused without partial effect", () => {
    expect(() => m.setTiming({ Associating: 5, Bogus: 1 })).toThrow(/Bogus/);
    expect(() => m.setTiming({ Associating: -1 })).toThrow();
    expect(() => m.setTiming({ Associating: Number.NaN })).toThrow();
    expect(m.getTiming().Associating).toBe(2000);
  });

  test("a pending transition keeps the due time it started with", () => {
    const id = allocate(m);
    associate(m, slb("lb-one", id), T0);
    m.setTiming({ Associating: null });
    expect(desc(m, id, T0 + 2000).Status).toBe("Associated");
  });

  test("settle completes everything pending (due or held) and counts it", () => {
    m.setTiming({ Releasing: null });
    const a = allocate(m);
    const b = associated(m);
    const c = allocate(m);
    const d = allocate(m);
    release(m, a, T0);
    unassociate(m, slb("lb-one", b), T0);
    call(m, "ModifyAnycastEipAddressSpec", { AnycastId: c, Bandwidth: "300" }, T0);
    associate(m, slb("lb-d", d), T0);
    expect(m.settle(T0)).toBe(4);
    expect(eipsOf(m, T0).map((e) => [e.anycastId, e.status])).toEqual([
      [b, "Allocated"],
      [c, "Allocated"],
      [d, "Associated"],
    ]);
    expect(m.settle(T0)).toBe(0);
  });

  test("settle counts due transitions too", () => {
    const id = allocate(m);
    associate(m, slb("lb-one", id), T0);
    expect(m.settle(T0 + 5000)).toBe(1);
  });
});

// -------------------------------------------------------------------------------------------------
describe("seed", () => {
  test("defaults: bindings BINDED, EIP Associated, first binding Default; returns the ids", () => {
    const r = m.seed(
      {
        eips: [
          {
            anycastId: "aeip-seeded00000000000001",
            name: "seeded",
            bandwidth: 300,
            bindings: [
              { bindInstanceId: "lb-a", bindInstanceRegionId: "us-west-1", bindInstanceType: "SlbInstance" },
              {
                bindInstanceId: "eni-b",
                bindInstanceRegionId: "eu-west-1",
                bindInstanceType: "NetworkInterface",
                privateIpAddress: "10.0.0.5",
              },
            ],
          },
          {},
        ],
      },
      T0,
    ) as { anycastIds: string[] };
    expect(r.anycastIds).toHaveLength(2);
    expect(r.anycastIds[0]).toBe("aeip-seeded00000000000001");
    expect(r.anycastIds[1]).toMatch(/^aeip-[a-z0-9]{20}$/);
    const d = desc(m, r.anycastIds[0], T0);
    expect(d).toMatchObject({ Name: "seeded", Bandwidth: 300, Status: "Associated", ServiceManaged: 0 });
    expect(bindings(d).map((b) => [b.BindInstanceId, b.Status, b.AssociationMode])).toEqual([
      ["lb-a", "BINDED", "Default"],
      ["eni-b", "BINDED", "Normal"],
    ]);
    expect(bindings(d)[1].PrivateIpAddress).toBe("10.0.0.5");
    expect(desc(m, r.anycastIds[1], T0).Status).toBe("Allocated");
    // A seeded association can be undone by the API like any other.
    unassociate(m, slb("lb-a", r.anycastIds[0]), T0);
    expect(desc(m, r.anycastIds[0], T0 + 2000).Status).toBe("Associated");
  });

  test("transitional seeds run on the configured timing", () => {
    const r = m.seed(
      {
        eips: [
          { status: "Releasing" },
          {
            status: "Associating",
            bindings: [{ bindInstanceId: "lb-a", bindInstanceRegionId: "us-west-1", bindInstanceType: "SlbInstance", status: "BINDING" }],
          },
        ],
      },
      T0,
    ) as { anycastIds: string[] };
    const [rel, assoc] = r.anycastIds;
    expect(desc(m, rel, T0).Status).toBe("Releasing");
    expect(desc(m, assoc, T0).Status).toBe("Associating");
    expect(fail(() => desc(m, rel, T0 + 2000)).code).toBe("ResourceNotFound.AnycastInstance");
    expect(bindings(desc(m, assoc, T0 + 2000))[0].Status).toBe("BINDED");
  });

  test.each([
    [null],
    [{}],
    [{ eips: [{ anycastId: "eip-wrong" }] }],
    [{ eips: [{ bandwidth: 50 }] }],
    [{ eips: [{ status: "Allocated", bindings: [{ bindInstanceId: "lb-a", bindInstanceRegionId: "us-west-1", bindInstanceType: "SlbInstance" }] }] }],
    [{ eips: [{ status: "Associated" }] }],
    [{ eips: [{ bindings: [{ bindInstanceId: "lb-a", bindInstanceRegionId: "us-west-1", bindInstanceType: "Ecs" }] }] }],
    [{ eips: [{ anycastId: "aeip-dup" }, { anycastId: "aeip-dup" }] }],
  ])("invalid seed %j is refused with no effect", (spec) => {
    expect(() => m.seed(spec, T0)).toThrow(ApiError);
    expect(eipsOf(m, T0)).toEqual([]);
  });

  test("an existing anycastId cannot be seeded again", () => {
    m.seed({ eips: [{ anycastId: "aeip-once" }] }, T0);
    expect(() => m.seed({ eips: [{ anycastId: "aeip-once" }] }, T0)).toThrow(/already exists/);
  });
});

// -------------------------------------------------------------------------------------------------
describe("inventory, snapshot and restore", () => {
  test("inventory is plain JSON with statuses, bindings and pending transitions", () => {
    const id = associated(m);
    unassociate(m, slb("lb-one", id), T0);
    const inv = m.inventory(T0);
    expect(JSON.parse(JSON.stringify(inv))).toEqual(inv);
    expect(inv.eips).toEqual([
      expect.objectContaining({
        anycastId: id,
        status: "Unassociating",
        serviceManaged: false,
        bandwidth: 1000,
        bindings: [expect.objectContaining({ bindInstanceId: "lb-one", status: "UNBINDING", associationMode: "Default" })],
        pending: { transition: "Unassociating", dueAt: T0 + 2000 },
      }),
    ]);
    expect(eipsOf(m, T0 + 2000)[0]).not.toHaveProperty("pending");
  });

  test("round trip keeps EIPs, bindings and pending due times (held ones included)", () => {
    m.setTiming({ Releasing: null });
    const assoc = allocate(m, T0, { Name: "keep", Bandwidth: "250" });
    associate(m, slb("lb-one", assoc), T0); // due T0+2000
    const rel = allocate(m);
    release(m, rel, T0); // held
    const snap = JSON.parse(JSON.stringify(m.snapshot()));

    const m2 = createEipanycastModel();
    m2.restore(snap);
    expect(m2.inventory(T0)).toEqual(m.inventory(T0));
    expect(desc(m2, assoc, T0 + 1999).Status).toBe("Associating");
    expect(desc(m2, assoc, T0 + 2000)).toMatchObject({ Status: "Associated", Name: "keep", Bandwidth: 250 });
    expect(desc(m2, rel, T0 + 1e9).Status).toBe("Releasing");
    expect(m2.settle(T0 + 1e9)).toBe(1);
    expect(fail(() => desc(m2, rel, T0 + 1e9)).code).toBe("ResourceNotFound.AnycastInstance");

    // New allocations after a restore get fresh ids and addresses, and list after the restored ones.
    const fresh = allocate(m2, T0 + 1e9);
    expect(fresh).not.toBe(assoc);
    expect(desc(m2, fresh, T0 + 1e9).IpAddress).not.toBe(desc(m2, assoc, T0 + 1e9).IpAddress);
    const listed = (call(m2, "ListAnycastEipAddresses", {}, T0 + 1e9).AnycastList as Body[]).map((x) => x.AnycastId);
    expect(listed).toEqual([assoc, fresh]);
  });

  test("restore replaces the current state; garbage is refused", () => {
    const snap = m.snapshot();
    allocate(m);
    m.restore(snap);
    expect(eipsOf(m, T0)).toEqual([]);
    expect(() => m.restore({ nope: true })).toThrow(ApiError);
    expect(() => m.restore(null)).toThrow(ApiError);
  });
});
