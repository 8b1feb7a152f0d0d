import { allocationVerdict, assertAllocationReleasable } from "../../provider/ipam/checks";
import { ipamPoolAllocationLifecycle as lc } from "../../provider/ipam/lifecycle";
import { validateAllocationInputs } from "../../provider/ipam/validate";
import { createContext } from "../../provider/cloud/context";
import { envSource } from "../../provider/cloud/settings";
import { ReleaseRefusedError, UNKNOWN } from "../../provider/lifecycle";

const ctx = createContext(envSource({ ALIBABA_CLOUD_REGION: "cn-hangzhou" }));
const props = (failures: { property: string }[]) => failures.map((f) => f.property).sort();

describe("check: offline validation, one failure per property", () => {
  test("valid inputs pass and the provider region is filled in", async () => {
    const r = await lc.check(ctx, {}, { ipamPoolId: "ipam-pool-abc123", cidrMask: 24, name: "web" });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toMatchObject({ regionId: "cn-hangzhou", cidrMask: 24 });
  });

  test.each([
    [{ ipamPoolId: "pool-1", cidr: "10.0.0.0/24" }, ["ipamPoolId"]],
    [{ ipamPoolId: "ipam-pool-a" }, ["cidr"]],
    [{ ipamPoolId: "ipam-pool-a", cidr: "10.0.0.0/24", cidrMask: 24 }, ["cidrMask"]],
    [{ ipamPoolId: "ipam-pool-a", cidr: "10.0.0.1/24" }, ["cidr"]],
    [{ ipamPoolId: "ipam-pool-a", cidr: "10.0.0.0/33" }, ["cidr"]],
    [{ ipamPoolId: "ipam-pool-a", cidr: "300.0.0.0/8" }, ["cidr"]],
    [{ ipamPoolId: "ipam-pool-a", cidrMask: 129 }, ["cidrMask"]],
    [{ ipamPoolId: "ipam-pool-a", cidrMask: 24, name: "" }, ["name"]],
    [{ ipamPoolId: "ipam-pool-a", cidrMask: 24, name: "https://x" }, ["name"]],
    [{ ipamPoolId: "ipam-pool-a", cidrMask: 24, description: "1abc" }, ["description"]],
    [{ ipamPoolId: "ipam-pool-a", cidrMask: 24, regionId: "Hangzhou" }, ["regionId"]],
    [{ ipamPoolId: "ipam-pool-a", adoptAllocationId: "alloc-1" }, ["adoptAllocationId"]],
    [{ ipamPoolId: "ipam-pool-a", cidrMask: 24, allowVpcAllocationRelease: true }, ["allowVpcAllocationRelease"]],
    [{ ipamPoolId: "ipam-pool-a", cidrMask: 24, timeoutSeconds: 0, maxAttempts: 1.5 }, ["maxAttempts", "timeoutSeconds"]],
  ])("%j fails on %j", (news, expected) => {
    expect(props(validateAllocationInputs(news))).toEqual(expected);
  });

  test("the reason says what would be valid", () => {
    const [f] = validateAllocationInputs({ ipamPoolId: "ipam-pool-a", cidr: "10.0.0.1/24" });
    expect(f.reason).toBe('cidr "10.0.0.1/24" is invalid: host bits are set; the network address is 10.0.0.0/24');
  });

  test("unknown values during preview pass through", () => {
    expect(validateAllocationInputs({ ipamPoolId: UNKNOWN, cidr: UNKNOWN, name: UNKNOWN })).toEqual([]);
  });

  test("no region anywhere is a failure on regionId", async () => {
    const r = await lc.check(createContext(envSource({})), {}, { ipamPoolId: "ipam-pool-a", cidrMask: 24 });
    expect(r.failures).toEqual([{ property: "regionId", reason: expect.stringContaining("alicloud:region") }]);
  });

  test("a misspelt property is refused, naming the closest valid one", async () => {
    const r = await lc.check(ctx, {}, { ipamPoolId: "ipam-pool-a", cidrMask: 24, timeoutSecond: 5 });
    expect(r.failures).toEqual([{ property: "timeoutSecond", reason: 'IpamPoolAllocation has no property "timeoutSecond"; did you mean "timeoutSeconds"?' }]);
    expect(validateAllocationInputs({ ipamPoolId: "ipam-pool-a", cidrMask: 24, adoptAllocation: "ipam-pool-alloc-1" })).toEqual([
      { property: "adoptAllocation", reason: expect.stringContaining('did you mean "adoptAllocationId"?') },
    ]);
  });

  test.each([
    [{ name: "web\nfront" }, "name", "name must not contain control characters such as a newline or a tab"],
    [{ description: "About\tit" }, "description", "description must not contain control characters"],
    [{ regionId: `cn-${"h".repeat(70)}` }, "regionId", "is not a region id"],
    [{ ipamPoolId: `ipam-pool-${"a".repeat(60)}` }, "ipamPoolId", "at most 64 characters"],
    [{ adoptAllocationId: `ipam-pool-alloc-${"a".repeat(60)}` }, "adoptAllocationId", "at most 64 characters"],
    [{ timeoutSeconds: 1e9 }, "timeoutSeconds", "between 1 and 86400"],
  ])("%j fails on %s: %s", (extra, property, reason) => {
    expect(validateAllocationInputs({ ipamPoolId: "ipam-pool-a", cidrMask: 24, ...extra })).toEqual([{ property, reason: expect.stringContaining(reason) }]);
  });

  test("a rejected long ID is quoted cut short, not echoed whole", () => {
    const [f] = validateAllocationInputs({ ipamPoolId: "x".repeat(10_000), cidrMask: 24 });
    expect(f.reason.length).toBeLessThan(300);
  });

  test("IPv6 CIDRs are validated too", () => {
    expect(validateAllocationInputs({ ipamPoolId: "ipam-pool-a", cidr: "2408:4000::/56" })).toEqual([]);
    expect(props(validateAllocationInputs({ ipamPoolId: "ipam-pool-a", cidr: "2408:::/56" }))).toEqual(["cidr"]);
  });
});

describe("diff", () => {
  const olds = { __provider: "old", allocationId: "ipam-pool-alloc-1", ipamPoolId: "ipam-pool-a", cidr: "10.0.1.0/24", regionId: "cn-hangzhou", name: "a" };

  test("no change (the serialized provider text is ignored)", async () => {
    expect(await lc.diff(ctx, "id", olds, { __provider: "new", ipamPoolId: "ipam-pool-a", cidr: "10.0.1.0/24", regionId: "cn-hangzhou", name: "a" })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  test("name is an in-place update", async () => {
    expect(await lc.diff(ctx, "id", olds, { ipamPoolId: "ipam-pool-a", cidr: "10.0.1.0/24", regionId: "cn-hangzhou", name: "b" })).toMatchObject({ changes: true, replaces: [] });
  });

  test("pool, region, CIDR and mask changes replace; an overlapping CIDR is deleted first", async () => {
    expect((await lc.diff(ctx, "id", olds, { ...olds, ipamPoolId: "ipam-pool-b" })).replaces).toEqual(["ipamPoolId"]);
    expect((await lc.diff(ctx, "id", olds, { ...olds, regionId: "cn-shanghai" })).replaces).toEqual(["regionId"]);
    expect(await lc.diff(ctx, "id", olds, { ...olds, cidr: "10.0.2.0/24" })).toMatchObject({ replaces: ["cidr"], deleteBeforeReplace: false });
    expect(await lc.diff(ctx, "id", olds, { ...olds, cidr: "10.0.0.0/16" })).toMatchObject({ replaces: ["cidr"], deleteBeforeReplace: true });
    // IPv6 blocks are compared exactly too (the one CIDR parser), no longer assumed to overlap
    const v6 = { ...olds, cidr: "2408:4000::/56" };
    expect(await lc.diff(ctx, "id", v6, { ...v6, cidr: "2408:4000:0:100::/56" })).toMatchObject({ replaces: ["cidr"], deleteBeforeReplace: false });
    expect(await lc.diff(ctx, "id", v6, { ...v6, cidr: "2408:4000::/48" })).toMatchObject({ replaces: ["cidr"], deleteBeforeReplace: true });
    const byMask = { ...olds, cidrMask: 24 };
    expect((await lc.diff(ctx, "id", byMask, { ipamPoolId: "ipam-pool-a", cidrMask: 24, regionId: "cn-hangzhou", name: "a" })).changes).toBe(false);
    expect((await lc.diff(ctx, "id", byMask, { ipamPoolId: "ipam-pool-a", cidrMask: 25, regionId: "cn-hangzhou", name: "a" })).replaces).toEqual(["cidrMask"]);
  });

  test("an explicit CIDR replaced by the same-sized mask is not a change", async () => {
    expect((await lc.diff(ctx, "id", olds, { ipamPoolId: "ipam-pool-a", cidrMask: 24, regionId: "cn-hangzhou", name: "a" })).changes).toBe(false);
  });

  test("an unknown pool during preview replaces", async () => {
    expect((await lc.diff(ctx, "id", olds, { ...olds, ipamPoolId: UNKNOWN })).replaces).toEqual(["ipamPoolId"]);
  });
});

describe("pre-delete verdict", () => {
  const base = { IpamPoolAllocationId: "ipam-pool-alloc-1", IpamPoolId: "ipam-pool-a", Cidr: "10.0.1.0/24", RegionId: "cn-hangzhou", Status: "Created" };

  test("gone, Custom, and each refusal", () => {
    expect(allocationVerdict("x", undefined, {}, "cn-hangzhou").kind).toBe("gone");
    expect(allocationVerdict("x", { ...base, ResourceType: "Custom" }, {}, "cn-hangzhou").kind).toBe("releasable");
    const vpc = allocationVerdict("x", { ...base, ResourceType: "VPC", ResourceId: "vpc-1" }, { adoptAllocationId: "x" }, "cn-hangzhou");
    expect(vpc).toMatchObject({ kind: "refused", reason: expect.stringContaining("VPC allocation owned by VPC vpc-1"), fix: expect.stringContaining("allowVpcAllocationRelease: true") });
    expect(allocationVerdict("x", { ...base, ResourceType: "VPC", ResourceId: "vpc-1" }, { adoptAllocationId: "x", allowVpcAllocationRelease: true }, "cn-hangzhou").kind).toBe("releasable");
    const v6 = allocationVerdict("x", { ...base, Cidr: "2408:4000::/56", ResourceType: "VPC", ResourceId: "vpc-1" }, { adoptAllocationId: "x", allowVpcAllocationRelease: true }, "cn-hangzhou");
    expect(v6).toMatchObject({ kind: "refused", reason: expect.stringContaining("Ipv6VpcNotSupport") });
    expect(allocationVerdict("x", { ...base, ResourceType: "IpamPool", ResourceId: "ipam-pool-sub" }, {}, "cn-hangzhou")).toMatchObject({ kind: "refused", reason: expect.stringContaining("sub-pool ipam-pool-sub") });
    expect(allocationVerdict("x", { ...base, ResourceType: "Custom" }, {}, "cn-shanghai")).toMatchObject({ kind: "refused", fix: expect.stringContaining('regionId: "cn-hangzhou"') });
    expect(allocationVerdict("x", { ...base, ResourceType: "Mystery" }, {}, "cn-hangzhou").kind).toBe("refused");
  });

  test("assertAllocationReleasable throws a message with the allocation, the reason and the fix", () => {
    const v = allocationVerdict("ipam-pool-alloc-1", { ...base, ResourceType: "VPC", ResourceId: "vpc-9" }, {}, "cn-hangzhou");
    expect(() => assertAllocationReleasable(v)).toThrow(ReleaseRefusedError);
    expect(() => assertAllocationReleasable(v)).toThrow(/^refusing to release IPAM pool allocation ipam-pool-alloc-1: it is a VPC allocation owned by VPC vpc-9 .*Delete the VPC vpc-9/);
  });
});

test("diff: state without regionId (an earlier version) is in the provider's region, not a replace", async () => {
  const old = { allocationId: "a", ipamPoolId: "ipam-pool-a", cidr: "10.0.1.0/24" };
  expect(await lc.diff(ctx, "a", old, { ipamPoolId: "ipam-pool-a", cidr: "10.0.1.0/24", regionId: "cn-hangzhou" })).toMatchObject({ changes: false });
  expect((await lc.diff(ctx, "a", old, { ipamPoolId: "ipam-pool-a", cidr: "10.0.1.0/24", regionId: "cn-beijing" })).replaces).toEqual(["regionId"]);
});

test("diff: dropping adoptAllocationId after adoption keeps the allocation; naming another one replaces", async () => {
  const adopted = { allocationId: "ipam-pool-alloc-1", ipamPoolId: "ipam-pool-a", cidr: "10.0.1.0/24", regionId: "cn-hangzhou", adoptAllocationId: "ipam-pool-alloc-1" };
  expect((await lc.diff(ctx, "x", adopted, { ipamPoolId: "ipam-pool-a", cidr: "10.0.1.0/24", regionId: "cn-hangzhou" })).replaces).toEqual([]);
  expect((await lc.diff(ctx, "x", adopted, { ipamPoolId: "ipam-pool-a", regionId: "cn-hangzhou", adoptAllocationId: "ipam-pool-alloc-2" })).replaces).toEqual(["adoptAllocationId"]);
  // Naming the allocation it already holds is no change (a replacement would adopt it and then release it).
  expect((await lc.diff(ctx, "x", { ...adopted, adoptAllocationId: undefined }, { ipamPoolId: "ipam-pool-a", regionId: "cn-hangzhou", adoptAllocationId: "ipam-pool-alloc-1" })).replaces).toEqual([]);
});

test("diff: a replace-forcing change that keeps adoptAllocationId is refused (the replacement would release what it adopts)", async () => {
  const adopted = { allocationId: "ipam-pool-alloc-1", ipamPoolId: "ipam-pool-a", cidr: "10.0.1.0/24", regionId: "cn-hangzhou", adoptAllocationId: "ipam-pool-alloc-1" };
  const news = { ipamPoolId: "ipam-pool-a", regionId: "cn-hangzhou", adoptAllocationId: "ipam-pool-alloc-1" };
  for (const change of [{ cidrMask: 25 }, { regionId: "cn-shanghai" }, { ipamPoolId: "ipam-pool-b" }]) {
    const err = await lc.diff(ctx, "x", adopted, { ...news, ...change }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ReleaseRefusedError);
    expect((err as Error).message).toContain(`changing ${Object.keys(change)[0]} replaces the resource`);
    // state without resourceIdentity (an earlier version): the ID and how to find the URN
    expect((err as Error).message).toContain("(`pulumi state delete <urn>` with the URN of the resource whose ID is ipam-pool-alloc-1, which `pulumi stack --show-urns --show-ids` lists), then adopt it again");
  }
  // Unknown during preview: judged again once known.
  expect((await lc.diff(ctx, "x", adopted, { ...news, adoptAllocationId: UNKNOWN, cidrMask: 25 })).replaces).toEqual(["adoptAllocationId", "cidrMask"]);
});

test("diff: with the resource's identity in state, the refusal gives the exact `pulumi state delete` command", async () => {
  const resourceIdentity = { project: "net", stack: "prod", name: "vpc-reservation" };
  const adopted = { allocationId: "ipam-pool-alloc-1", ipamPoolId: "ipam-pool-a", cidr: "10.0.1.0/24", regionId: "cn-hangzhou", adoptAllocationId: "ipam-pool-alloc-1", resourceIdentity };
  const err = await lc.diff(ctx, "x", adopted, { ipamPoolId: "ipam-pool-a", regionId: "cn-hangzhou", adoptAllocationId: "ipam-pool-alloc-1", cidrMask: 25, resourceIdentity }).catch((e: Error) => e);
  expect((err as Error).message).toContain("(`pulumi state delete 'urn:pulumi:prod::net::pulumi-nodejs:dynamic/alicloud:IpamPoolAllocation::vpc-reservation'`), then adopt it again");
});

test("diff: an unset name or description leaves the cloud's value alone (e.g. an adopted VPC allocation's name)", async () => {
  const adopted = { allocationId: "a", ipamPoolId: "ipam-pool-a", cidr: "10.0.128.0/20", regionId: "cn-hangzhou", adoptAllocationId: "ipam-pool-alloc-1", name: "vpc-reservation", resourceType: "VPC" };
  expect(await lc.diff(ctx, "a", adopted, { ipamPoolId: "ipam-pool-a", regionId: "cn-hangzhou", adoptAllocationId: "ipam-pool-alloc-1" })).toMatchObject({ changes: false });
  expect(await lc.diff(ctx, "a", adopted, { ipamPoolId: "ipam-pool-a", regionId: "cn-hangzhou", adoptAllocationId: "ipam-pool-alloc-1", allowVpcAllocationRelease: true })).toMatchObject({ changes: true, replaces: [] });
});
