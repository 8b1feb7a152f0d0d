/**
 * Tags, resource groups and SDK response shapes, over real signed HTTP (the official OpenAPI client, V3
 * signatures, the parameters in the query, POST except GetIpamPoolAllocation's GET, as the SDK sends them).
 *
 * Every in-scope action's live answer is compared with the field list recorded from the SDK's response
 * model (emulator-sdk-shapes.fixture.ts): no field the SDK lacks, every field with the SDK's JSON type.
 */
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import OpenApiUtil from "@alicloud/openapi-util";
import * as $Util from "@alicloud/tea-util";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { EIPANYCAST_INSTANT_TIMING } from "../../emulator/eipanycast";
import { EIPANYCAST_SHAPES, VPCIPAM_SHAPES, type FieldType, type Shape } from "./emulator-sdk-shapes.fixture";

type Body = Record<string, unknown>;

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.control.reset();
  emu.control.setTiming({ eipanycast: { ...EIPANYCAST_INSTANT_TIMING } });
});

// ---------------------------------------------------------------------------------------------------
// A signed SDK call, and the shape check

async function call(action: string, query: Body, version = "2020-03-09", method: "GET" | "POST" = "POST"): Promise<Body> {
  const client = new OpenApi(
    new $OpenApi.Config({
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      endpoint: emu.endpoint,
      protocol: "HTTP",
      readTimeout: 60000,
      connectTimeout: 5000,
    }),
  );
  const params = new $OpenApi.Params({
    action,
    version,
    protocol: "HTTP",
    pathname: "/",
    method,
    authType: "AK",
    style: "RPC",
    reqBodyType: "formData",
    bodyType: "json",
  });
  const res = (await client.callApi(params, new $OpenApi.OpenApiRequest({ query: OpenApiUtil.query(query) }), new $Util.RuntimeOptions({}))) as {
    body: Body;
  };
  return res.body;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; statusCode: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: string; message: string; data: { statusCode: number } };
    return { code: err.code, message: err.message, statusCode: err.data.statusCode };
  }
  throw new Error("expected the call to fail");
}

function typeProblems(value: unknown, type: FieldType, path: string): string[] {
  if (typeof type === "string") return typeof value === type ? [] : [`${path}: ${JSON.stringify(value)} is not a ${type}`];
  if (!Array.isArray(value)) return [`${path}: not an array`];
  const item = type[0];
  return value.flatMap((v, i) => (item === "string" ? typeProblems(v, "string", `${path}[${i}]`) : shapeProblems(v, item, `${path}[${i}]`)));
}

/** Every difference between `value` and the SDK field list `shape` (extra, missing, mistyped fields). */
function shapeProblems(value: unknown, shape: Shape, path = "body"): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: not an object`];
  const fields = new Map(Object.entries(shape).map(([k, t]) => [k.replace(/\?$/, ""), { type: t, optional: k.endsWith("?") }]));
  const problems: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const f = fields.get(k);
    if (!f) problems.push(`${path}.${k}: not in the SDK model`);
    else problems.push(...typeProblems(v, f.type, `${path}.${k}`));
  }
  for (const [k, f] of fields) if (!f.optional && !(k in value)) problems.push(`${path}.${k}: missing`);
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Fixtures

const allocate = async (extra: Body = {}): Promise<string> =>
  (await call("AllocateAnycastEipAddress", { ServiceLocation: "international", ...extra })).AnycastId as string;

const describeEip = (id: string): Promise<Body> => call("DescribeAnycastEipAddress", { AnycastId: id });

const TYPE = { ResourceType: "ANYCASTEIPADDRESS" };

// ---------------------------------------------------------------------------------------------------

describe("the shape checker", () => {
  test("reports extra, missing and mistyped fields (it can fail)", () => {
    const shape: Shape = { A: "string", B: [{ C: "number" }], "D?": "boolean", E: ["string"] };
    expect(shapeProblems({ A: "x", B: [{ C: 1 }], E: ["y"] }, shape)).toEqual([]);
    expect(shapeProblems({ A: 1, B: [{ C: "1", Z: 0 }], D: "true", X: 0 }, shape)).toEqual([
      "body.A: 1 is not a string",
      'body.B[0].C: "1" is not a number',
      "body.B[0].Z: not in the SDK model",
      'body.D: "true" is not a boolean',
      "body.X: not in the SDK model",
      "body.E: missing",
    ]);
  });
});

describe("every in-scope action answers with the SDK's field names and JSON types", () => {
  test("Eipanycast: all 15 actions", async () => {
    const answers: Record<string, Body> = {};
    const id = await allocate({ "Tag.1.Key": "env", "Tag.1.Value": "prod" });
    answers.AllocateAnycastEipAddress = await call("AllocateAnycastEipAddress", { ServiceLocation: "international" });
    answers.TagResources = await call("TagResources", { ...TYPE, ResourceId: [id], Tag: [{ Key: "team", Value: "net" }] });
    answers.UntagResources = await call("UntagResources", { ...TYPE, ResourceId: [id], TagKey: ["team"] });
    answers.ChangeResourceGroup = await call("ChangeResourceGroup", { ...TYPE, ResourceId: id, NewResourceGroupId: "rg-moved" });
    answers.ModifyAnycastEipAddressAttribute = await call("ModifyAnycastEipAddressAttribute", { AnycastId: id, Name: "n1" });
    answers.ModifyAnycastEipAddressSpec = await call("ModifyAnycastEipAddressSpec", { AnycastId: id, Bandwidth: "300" });
    const bind = { AnycastId: id, BindInstanceRegionId: "us-west-1" };
    answers.AssociateAnycastEipAddress = await call("AssociateAnycastEipAddress", { ...bind, BindInstanceId: "lb-one", BindInstanceType: "SlbInstance" });
    await call("AssociateAnycastEipAddress", {
      ...bind,
      BindInstanceId: "eni-two",
      BindInstanceType: "NetworkInterface",
      PrivateIpAddress: "10.0.0.5",
      PopLocations: [{ PopLocation: "us-west-1-pop" }],
    });
    answers.UpdateAnycastEipAddressAssociations = await call("UpdateAnycastEipAddressAssociations", {
      AnycastId: id,
      BindInstanceId: "eni-two",
      PopLocationAddList: [{ PopLocation: "eu-west-1-pop" }],
    });
    answers.DescribeAnycastEipAddress = await describeEip(id);
    answers.ListAnycastEipAddresses = await call("ListAnycastEipAddresses", {});
    answers.ListTagResources = await call("ListTagResources", { ...TYPE, ResourceId: [id] });
    answers.DescribeAnycastServerRegions = await call("DescribeAnycastServerRegions", { ServiceLocation: "international" });
    answers.DescribeAnycastPopLocations = await call("DescribeAnycastPopLocations", {});
    await call("UnassociateAnycastEipAddress", { ...bind, BindInstanceId: "eni-two", BindInstanceType: "NetworkInterface" });
    answers.UnassociateAnycastEipAddress = await call("UnassociateAnycastEipAddress", { ...bind, BindInstanceId: "lb-one", BindInstanceType: "SlbInstance" });
    answers.ReleaseAnycastEipAddress = await call("ReleaseAnycastEipAddress", { AnycastId: id });

    expect(Object.keys(answers).sort()).toEqual(Object.keys(EIPANYCAST_SHAPES).sort());
    // The answers exercise the nested lists (not vacuous): two bindings, one tag, one listed EIP.
    expect((answers.DescribeAnycastEipAddress.AnycastEipBindInfoList as Body[]).length).toBe(2);
    expect(answers.DescribeAnycastEipAddress.Tags).toEqual([{ Key: "env", Value: "prod" }]);
    expect((answers.ListTagResources.TagResources as Body[]).length).toBe(1);
    for (const [action, body] of Object.entries(answers)) {
      expect({ action, problems: shapeProblems(body, EIPANYCAST_SHAPES[action]) }).toEqual({ action, problems: [] });
    }
  });

  test("VpcIpam: all 7 actions", async () => {
    emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-main", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
    // As the SDK sends them: GET for GetIpamPoolAllocation, POST for the others (api-facts.md §1).
    const v = (action: string, query: Body) =>
      call(action, { RegionId: "cn-hangzhou", ...query }, "2023-02-28", action === "GetIpamPoolAllocation" ? "GET" : "POST");
    const answers: Record<string, Body> = {};
    answers.CreateIpamPoolAllocation = await v("CreateIpamPoolAllocation", { IpamPoolId: "ipam-pool-main", CidrMask: 24, IpamPoolAllocationName: "web" });
    const allocationId = answers.CreateIpamPoolAllocation.IpamPoolAllocationId as string;
    await v("CreateIpamPoolAllocation", { IpamPoolId: "ipam-pool-main", CidrMask: 24 });
    answers.UpdateIpamPoolAllocation = await v("UpdateIpamPoolAllocation", { IpamPoolAllocationId: allocationId, IpamPoolAllocationDescription: "Web tier" });
    answers.GetIpamPoolAllocation = await v("GetIpamPoolAllocation", { IpamPoolAllocationId: allocationId });
    answers.ListIpamPoolAllocations = await v("ListIpamPoolAllocations", { IpamPoolId: "ipam-pool-main", MaxResults: 1 });
    answers.ListIpamPoolCidrs = await v("ListIpamPoolCidrs", { IpamPoolId: "ipam-pool-main" });
    answers.ListIpamPools = await v("ListIpamPools", {});
    answers.DeleteIpamPoolAllocation = await v("DeleteIpamPoolAllocation", { IpamPoolAllocationId: allocationId });

    expect(Object.keys(answers).sort()).toEqual(Object.keys(VPCIPAM_SHAPES).sort());
    expect(answers.ListIpamPoolAllocations.NextToken).toEqual(expect.any(String)); // a page with a next one
    for (const [action, body] of Object.entries(answers)) {
      expect({ action, problems: shapeProblems(body, VPCIPAM_SHAPES[action]) }).toEqual({ action, problems: [] });
    }
  });

  test("VpcIpam ListIpamPools: IpamPools[].Cidrs is the provisioned CIDR list", async () => {
    emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-main", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16", "10.1.0.0/16"] }] } });
    const body = await call("ListIpamPools", { RegionId: "cn-hangzhou" }, "2023-02-28");
    expect(shapeProblems(body, VPCIPAM_SHAPES.ListIpamPools)).toEqual([]);
    expect((body.IpamPools as Body[])[0].Cidrs).toEqual(["10.0.0.0/16", "10.1.0.0/16"]);
  });
});

describe("TagResources / UntagResources / ListTagResources", () => {
  test("Allocate honours Tag.N.*; TagResources adds and overwrites; Describe and List report Tags", async () => {
    const id = await allocate({ Tag: [{ Key: "env", Value: "dev" }, { Key: "owner", Value: "" }] });
    expect((await describeEip(id)).Tags).toEqual([{ Key: "env", Value: "dev" }, { Key: "owner", Value: "" }]);
    await call("TagResources", { ...TYPE, ResourceId: [id], Tag: [{ Key: "env", Value: "prod" }, { Key: "team", Value: "net" }] });
    const tags = [{ Key: "env", Value: "prod" }, { Key: "owner", Value: "" }, { Key: "team", Value: "net" }];
    expect((await describeEip(id)).Tags).toEqual(tags);
    expect(((await call("ListAnycastEipAddresses", { AnycastId: id })).AnycastList as Body[])[0].Tags).toEqual(tags);
  });

  test("UntagResources removes the given keys; without TagKey it removes every tag", async () => {
    const a = await allocate({ Tag: [{ Key: "k1", Value: "1" }, { Key: "k2", Value: "2" }] });
    const b = await allocate({ Tag: [{ Key: "k1", Value: "1" }] });
    await call("UntagResources", { ...TYPE, ResourceId: [a, b], TagKey: ["k1", "absent"] });
    expect((await describeEip(a)).Tags).toEqual([{ Key: "k2", Value: "2" }]);
    expect((await describeEip(b)).Tags).toEqual([]);
    await call("UntagResources", { ...TYPE, ResourceId: [a], All: true });
    expect((await describeEip(a)).Tags).toEqual([]);
  });

  test("ListTagResources: by ResourceId or Tag, one row per tag, NextToken/MaxResults paging", async () => {
    const a = await allocate({ Tag: [{ Key: "b", Value: "2" }, { Key: "a", Value: "1" }] });
    const b = await allocate({ Tag: [{ Key: "a", Value: "1" }] });
    await allocate({ Tag: [{ Key: "a", Value: "other" }] });
    const byTag = await call("ListTagResources", { ...TYPE, Tag: [{ Key: "a", Value: "1" }] });
    expect(byTag).toMatchObject({
      NextToken: "",
      TagResources: [
        { ResourceId: a, ResourceType: "ANYCASTEIPADDRESS", TagKey: "a", TagValue: "1" },
        { ResourceId: a, ResourceType: "ANYCASTEIPADDRESS", TagKey: "b", TagValue: "2" },
        { ResourceId: b, ResourceType: "ANYCASTEIPADDRESS", TagKey: "a", TagValue: "1" },
      ],
    });
    const seen: string[] = [];
    let token = "";
    for (let page = 0; page < 5; page++) {
      const res = await call("ListTagResources", { ...TYPE, ResourceId: [a, b], MaxResults: "1", ...(token ? { NextToken: token } : {}) });
      for (const r of res.TagResources as Body[]) seen.push(`${r.ResourceId as string}/${r.TagKey as string}`);
      token = res.NextToken as string;
      if (token === "") break;
    }
    expect(seen).toEqual([`${a}/a`, `${a}/b`, `${b}/a`]);
    expect((await failure(call("ListTagResources", { ...TYPE }))).code).toBe("MissingParameter");
    expect((await failure(call("ListTagResources", { ...TYPE, ResourceId: [a], MaxResults: "51" }))).code).toBe("InvalidParameter.MaxResults");
  });

  test("ListAnycastEipAddresses filters by Tags.N.* and ResourceGroupId", async () => {
    const a = await allocate({ Tag: [{ Key: "env", Value: "prod" }] });
    const b = await allocate({ Tag: [{ Key: "env", Value: "dev" }], ResourceGroupId: "rg-one" });
    const ids = async (q: Body) => ((await call("ListAnycastEipAddresses", q)).AnycastList as Body[]).map((e) => e.AnycastId);
    expect(await ids({ Tags: [{ Key: "env", Value: "prod" }] })).toEqual([a]);
    expect(await ids({ Tags: [{ Key: "env" }] })).toEqual([a, b]);
    expect(await ids({ ResourceGroupId: "rg-one" })).toEqual([b]);
    await call("ChangeResourceGroup", { ...TYPE, ResourceId: a, NewResourceGroupId: "rg-one" });
    expect(await ids({ ResourceGroupId: "rg-one" })).toEqual([a, b]);
    expect((await describeEip(a)).ResourceGroupId).toBe("rg-one");
  });

  test("tag limits and documented rules, with nothing changed on refusal", async () => {
    const id = await allocate();
    const tag = (Key: string, Value = "v") => ({ ...TYPE, ResourceId: [id], Tag: [{ Key, Value }] });
    const cases: [Body, string, string][] = [
      [tag("aliyun-x"), "InvalidParameter.TagKey", "Tag.1.Key"],
      [tag("ACS:x"), "InvalidParameter.TagKey", "Tag.1.Key"],
      [tag("see http://x"), "InvalidParameter.TagKey", "Tag.1.Key"],
      [tag("k".repeat(129)), "InvalidParameter.TagKey", "Tag.1.Key"],
      [tag(""), "InvalidParameter.TagKey", "Tag.1.Key"],
      [tag("k", "v".repeat(129)), "InvalidParameter.TagValue", "Tag.1.Value"],
      [tag("k", "acs:v"), "InvalidParameter.TagValue", "Tag.1.Value"],
      [{ ...TYPE, ResourceId: [id] }, "MissingParameter", "Tag.1.Key"],
      [{ ResourceType: "anycasteipaddress", ResourceId: [id], Tag: [{ Key: "k", Value: "v" }] }, "InvalidParameter.ResourceType", "ANYCASTEIPADDRESS"],
      [{ ...TYPE, ResourceId: ["aeip-missing"], Tag: [{ Key: "k", Value: "v" }] }, "ResourceNotFound.AnycastInstance", "Anycast"],
    ];
    for (const [query, code, named] of cases) {
      const e = await failure(call("TagResources", query));
      expect({ code: e.code, status: e.statusCode, named: e.message.includes(named) }).toEqual({ code, status: code.startsWith("ResourceNotFound") ? 404 : 400, named: true });
    }
    expect((await failure(allocate({ Tag: [{ Key: "aliyun" }] }))).code).toBe("InvalidParameter.TagKey");
    expect((await failure(call("UntagResources", { ...TYPE, ResourceId: [id], TagKey: ["acs:x"] }))).code).toBe("InvalidParameter.TagKey");

    // 20 tags per EIP: the 21st is refused and the EIP keeps its 20.
    const twenty = Array.from({ length: 20 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await call("TagResources", { ...TYPE, ResourceId: [id], Tag: twenty });
    expect((await failure(call("TagResources", tag("one-more")))).code).toBe("QuotaExceeded.TagNum");
    await call("TagResources", tag("k0", "overwrite")); // overwriting keeps the count at 20
    expect(((await describeEip(id)).Tags as Body[]).length).toBe(20);
    const tooMany = Array.from({ length: 21 }, (_, i) => ({ Key: `x${i}`, Value: "v" }));
    expect((await failure(call("TagResources", { ...TYPE, ResourceId: [id], Tag: tooMany }))).code).toBe("InvalidParameter.Tag");
  });

  test("ChangeResourceGroup: required fields, id format, unknown EIP", async () => {
    const id = await allocate();
    expect((await failure(call("ChangeResourceGroup", { ...TYPE, ResourceId: id }))).code).toBe("MissingParameter");
    expect((await failure(call("ChangeResourceGroup", { ...TYPE, ResourceId: id, NewResourceGroupId: "group-1" }))).code).toBe("InvalidParameter.NewResourceGroupId");
    expect((await failure(call("ChangeResourceGroup", { ...TYPE, ResourceId: "aeip-missing", NewResourceGroupId: "rg-1" }))).code).toBe("ResourceNotFound.AnycastInstance");
  });
});

describe("rules the SDK does not have are gone", () => {
  test("DescribeAnycastEipAddress needs AnycastId or Ip, and accepts Ip", async () => {
    const id = await allocate();
    const ip = (await describeEip(id)).IpAddress as string;
    expect((await call("DescribeAnycastEipAddress", { Ip: ip })).AnycastId).toBe(id);
    const e = await failure(call("DescribeAnycastEipAddress", { BindInstanceId: "lb-one" }));
    expect(e.code).toBe("MissingParameter");
    expect(e.message).toContain("AnycastId or Ip");
  });

  test("UpdateAnycastEipAddressAssociations: no pop lists is accepted; AssociationMode is settable", async () => {
    const id = await allocate();
    const bind = { AnycastId: id, BindInstanceRegionId: "us-west-1", BindInstanceType: "SlbInstance" };
    await call("AssociateAnycastEipAddress", { ...bind, BindInstanceId: "lb-one" });
    await call("AssociateAnycastEipAddress", { ...bind, BindInstanceId: "lb-two", PopLocations: [{ PopLocation: "us-west-1-pop" }] });
    await call("UpdateAnycastEipAddressAssociations", { AnycastId: id, BindInstanceId: "lb-two" });
    const modes = async () => ((await describeEip(id)).AnycastEipBindInfoList as Body[]).map((b) => `${b.BindInstanceId as string}:${b.AssociationMode as string}`);
    // A second Default is refused; after demoting lb-one, lb-two can become the Default binding.
    expect((await failure(call("UpdateAnycastEipAddressAssociations", { AnycastId: id, BindInstanceId: "lb-two", AssociationMode: "Default" }))).code).toBe(
      "InvalidParameter.AssociationMode",
    );
    await call("UpdateAnycastEipAddressAssociations", { AnycastId: id, BindInstanceId: "lb-one", AssociationMode: "Normal" });
    await call("UpdateAnycastEipAddressAssociations", { AnycastId: id, BindInstanceId: "lb-two", AssociationMode: "Default" });
    expect(await modes()).toEqual(["lb-one:Normal", "lb-two:Default"]);
  });
});
