/**
 * IpamPoolAllocation's lifecycle against the emulator over real HTTP with real signatures.
 */
import { invoke } from "../../provider/cloud/context";
import { CloudError } from "../../provider/cloud/errors";
import { ipamPoolAllocationLifecycle as lc } from "../../provider/ipam/lifecycle";
import { ReleaseRefusedError } from "../../provider/lifecycle";
import { callsOf, caught, checkedCreate, emulatorContext, REGION } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";

const emu = useEmulator();
let poolId: string;
let v6PoolId: string;

beforeEach(() => {
  const seeded = emu.control.seed({
    vpcipam: {
      pools: [
        { ipamPoolId: "ipam-pool-main", regionId: REGION, cidrs: ["10.0.0.0/16"] },
        { ipamPoolId: "ipam-pool-v6", regionId: REGION, cidrs: ["2408:4000::/48"], ipVersion: "IPv6" },
        { ipamPoolId: "ipam-pool-sh", regionId: "cn-shanghai", cidrs: ["172.16.0.0/16"] },
      ],
    },
  }) as { vpcipam: { ipamPoolIds: string[] } };
  [poolId, v6PoolId] = seeded.vpcipam.ipamPoolIds;
});

const allocations = () => (emu.control.state().vpcipam as { allocations: { ipamPoolAllocationId: string; cidr: string }[] }).allocations;

const created = (ctx: ReturnType<typeof emulatorContext>, args: Record<string, unknown>) => checkedCreate(lc, ctx, args);

describe("create / read / update / delete", () => {
  test("by CIDR and by mask; outputs are plain JSON with everything delete needs", async () => {
    const ctx = emulatorContext(emu);
    const a = await created(ctx, { ipamPoolId: poolId, cidr: "10.0.1.0/24", name: "by-cidr", description: "Web tier" });
    const b = await created(ctx, { ipamPoolId: poolId, cidrMask: 20 });
    expect(a.outs).toMatchObject({ allocationId: a.id, cidr: "10.0.1.0/24", sourceCidr: "10.0.0.0/16", resourceType: "Custom", status: "Created", regionId: REGION, ipamPoolId: poolId, name: "by-cidr", description: "Web tier" });
    expect(b.outs).toMatchObject({ cidr: "10.0.16.0/20", cidrMask: 20 });
    expect(JSON.parse(JSON.stringify(a.outs))).toEqual(a.outs);
    expect(allocations()).toHaveLength(2);

    const read = await lc.read(ctx, a.id, a.outs as Record<string, unknown>);
    expect(read).toMatchObject({ id: a.id, props: { cidr: "10.0.1.0/24", name: "by-cidr" } });

    const updated = await lc.update(ctx, a.id, a.outs as Record<string, unknown>, { ...a.inputs, name: "renamed" });
    expect(updated.outs).toMatchObject({ name: "renamed", cidr: "10.0.1.0/24" });

    emu.control.clearCalls();
    await lc.delete(ctx, a.id, updated.outs as Record<string, unknown>);
    const calls = emu.control.calls().map((c) => c.action);
    // read, release, confirm: three calls
    expect(calls).toEqual(["GetIpamPoolAllocation", "DeleteIpamPoolAllocation", "GetIpamPoolAllocation"]);
    expect(allocations().map((x) => x.cidr)).toEqual(["10.0.16.0/20"]);
    expect(await lc.read(ctx, a.id, a.outs as Record<string, unknown>)).toEqual({});
  });

  test("delete of an allocation that is already gone succeeds without a delete call", async () => {
    const ctx = emulatorContext(emu);
    const a = await created(ctx, { ipamPoolId: poolId, cidrMask: 24 });
    await lc.delete(ctx, a.id, a.outs as Record<string, unknown>);
    emu.control.clearCalls();
    await lc.delete(ctx, a.id, a.outs as Record<string, unknown>);
    expect(callsOf(emu, "DeleteIpamPoolAllocation")).toHaveLength(0);
    expect(ctx.lines.join("\n")).toMatch(/already gone/);
  });

  test("delete works from state written by an earlier version (only the id, no regionId)", async () => {
    const ctx = emulatorContext(emu);
    const a = await created(ctx, { ipamPoolId: poolId, cidrMask: 24 });
    await lc.delete(ctx, a.id, { __provider: "old text" });
    expect(allocations()).toHaveLength(0);
  });

  test("cloud validation errors carry code, message and request id", async () => {
    const ctx = emulatorContext(emu);
    await created(ctx, { ipamPoolId: poolId, cidr: "10.0.1.0/24" });
    const err = await lc.create(ctx, { ipamPoolId: poolId, cidr: "10.0.1.0/25", regionId: REGION }).catch((e) => e);
    expect(err.message).toMatch(/^creating an allocation in IPAM pool ipam-pool-main: OperationFailed\.CidrConflict: .+ \(RequestId [0-9A-F-]{36}\)$/);
    expect(allocations()).toHaveLength(1);
  });
});

describe("adoption and refusals: no delete call is ever made", () => {
  test("adopting checks the pool; a VPC allocation is refused with the owner and the fix", async () => {
    const seeded = emu.control.seed({ vpcipam: { allocations: [{ ipamPoolId: poolId, cidr: "10.0.128.0/20", resourceType: "VPC", resourceId: "vpc-prod1" }] } }) as { vpcipam: { ipamPoolAllocationIds: string[] } };
    const vpcAllocId = seeded.vpcipam.ipamPoolAllocationIds[0];
    const ctx = emulatorContext(emu);
    await expect(lc.create(ctx, { ipamPoolId: "ipam-pool-sh", adoptAllocationId: vpcAllocId, regionId: REGION })).rejects.toThrow(/belongs to pool ipam-pool-main, not ipamPoolId ipam-pool-sh/);
    const adopted = await lc.create(ctx, { ipamPoolId: poolId, adoptAllocationId: vpcAllocId, regionId: REGION });
    expect(adopted.outs).toMatchObject({ resourceType: "VPC", resourceId: "vpc-prod1", cidr: "10.0.128.0/20" });
    emu.control.clearCalls();
    const err = await lc.delete(ctx, vpcAllocId, adopted.outs as Record<string, unknown>).catch((e) => e);
    expect(err).toBeInstanceOf(ReleaseRefusedError);
    expect(err.message).toContain(`IPAM pool allocation ${vpcAllocId}`);
    expect(err.message).toContain("owned by VPC vpc-prod1");
    expect(err.message).toContain("allowVpcAllocationRelease: true");
    expect(callsOf(emu, "DeleteIpamPoolAllocation")).toHaveLength(0);
    expect(allocations()).toHaveLength(1);

    // the opt-in releases it
    await lc.delete(ctx, vpcAllocId, { ...adopted.outs, allowVpcAllocationRelease: true });
    expect(allocations()).toHaveLength(0);
  });

  test("sub-pool, IPv6 VPC and wrong-region allocations are refused before any delete call", async () => {
    const seeded = emu.control.seed({
      vpcipam: {
        allocations: [
          { ipamPoolId: poolId, cidr: "10.0.64.0/18", resourceType: "IpamPool", resourceId: "ipam-pool-child" },
          { ipamPoolId: v6PoolId, cidr: "2408:4000:0:100::/56", resourceType: "VPC", resourceId: "vpc-v6" },
        ],
      },
    }) as { vpcipam: { ipamPoolAllocationIds: string[] } };
    const [subPoolAlloc, v6Alloc] = seeded.vpcipam.ipamPoolAllocationIds;
    const ctx = emulatorContext(emu);
    const custom = await created(ctx, { ipamPoolId: poolId, cidrMask: 24 });
    emu.control.clearCalls();
    await expect(lc.delete(ctx, subPoolAlloc, { regionId: REGION, adoptAllocationId: subPoolAlloc })).rejects.toThrow(/sub-pool ipam-pool-child/);
    await expect(lc.delete(ctx, v6Alloc, { regionId: REGION, adoptAllocationId: v6Alloc, allowVpcAllocationRelease: true })).rejects.toThrow(/Ipv6VpcNotSupport/);
    await expect(lc.delete(ctx, custom.id, { ...custom.outs, regionId: "cn-shanghai" })).rejects.toThrow(/its pool is in region cn-hangzhou but the release would be requested in cn-shanghai/);
    expect(callsOf(emu, "DeleteIpamPoolAllocation")).toHaveLength(0);
    expect(allocations()).toHaveLength(3);
  });
});

describe("faults: exactly one allocation, none left behind, one ClientToken per operation", () => {
  test.each([
    ["Throttling.User", { kind: "error", code: "Throttling.User", count: 2 }],
    ["SystemBusy", { kind: "error", code: "SystemBusy", status: 503, count: 2 }],
    ["connection reset", { kind: "reset", count: 1 }],
    ["lost response", { kind: "lost", count: 1 }],
  ])("create under %s", async (_name, fault) => {
    emu.control.addFault({ action: "CreateIpamPoolAllocation", ...(fault as { kind: "error" }) });
    const ctx = emulatorContext(emu);
    const a = await created(ctx, { ipamPoolId: poolId, cidrMask: 24 });
    expect(allocations().map((x) => x.ipamPoolAllocationId)).toEqual([a.id]);
    const creates = callsOf(emu, "CreateIpamPoolAllocation");
    expect(creates.length).toBeGreaterThan(1);
    expect(new Set(creates.map((c) => c.clientToken)).size).toBe(1);
    expect(ctx.lines.some((l) => /attempt 1 failed/.test(l))).toBe(true);

    emu.control.clearFaults();
    await lc.delete(ctx, a.id, a.outs as Record<string, unknown>);
    expect(allocations()).toHaveLength(0);
  });

  test.each([
    ["Throttling.User", { kind: "error", code: "Throttling.User", count: 2 }],
    ["SystemBusy", { kind: "error", code: "SystemBusy", status: 503, count: 2 }],
    ["connection reset", { kind: "reset", count: 1 }],
    ["lost response", { kind: "lost", count: 1 }],
  ])("delete under %s", async (_name, fault) => {
    const ctx = emulatorContext(emu);
    const a = await created(ctx, { ipamPoolId: poolId, cidrMask: 24 });
    emu.control.clearCalls();
    emu.control.addFault({ action: "DeleteIpamPoolAllocation", ...(fault as { kind: "error" }) });
    await lc.delete(ctx, a.id, a.outs as Record<string, unknown>);
    expect(allocations()).toHaveLength(0);
    const deletes = callsOf(emu, "DeleteIpamPoolAllocation");
    expect(deletes.length).toBeGreaterThan(1);
    expect(new Set(deletes.map((c) => c.clientToken)).size).toBe(1);
  });

  test("a permanent error is not retried, and a create whose read-back fails keeps the id", async () => {
    const ctx = emulatorContext(emu);
    emu.control.addFault({ action: "GetIpamPoolAllocation", kind: "error", code: "Forbidden.RAM", status: 403, count: 1 });
    const err = await lc.create(ctx, { ipamPoolId: poolId, cidrMask: 24, regionId: REGION }).catch((e) => e);
    expect(callsOf(emu, "GetIpamPoolAllocation")).toHaveLength(1);
    expect(err.id).toBe(allocations()[0].ipamPoolAllocationId);
    expect(err.properties).toMatchObject({ allocationId: err.id, cidr: allocations()[0].cidr, regionId: REGION });
    expect(err.message).toMatch(/was created, but reading it back failed: .*Forbidden\.RAM/);
  });

  test("retries give up after maxAttempts with the count and the cloud error", async () => {
    const ctx = emulatorContext(emu);
    emu.control.addFault({ action: "CreateIpamPoolAllocation", kind: "error", code: "SystemBusy", status: 503 });
    const err = await lc.create(ctx, { ipamPoolId: poolId, cidrMask: 24, regionId: REGION, maxAttempts: 3 }).catch((e) => e);
    expect(err.message).toMatch(/^creating an allocation in IPAM pool ipam-pool-main: after 3 failed attempts: SystemBusy: .+ \(RequestId /);
    expect(callsOf(emu, "CreateIpamPoolAllocation")).toHaveLength(3);
    expect(allocations()).toHaveLength(0);
  });
});

test("storing allowVpcAllocationRelease on an adopted, named VPC allocation makes no update call", async () => {
  const seeded = emu.control.seed({ vpcipam: { allocations: [{ ipamPoolId: poolId, cidr: "10.0.128.0/20", resourceType: "VPC", resourceId: "vpc-named", name: "vpc-reservation" }] } }) as { vpcipam: { ipamPoolAllocationIds: string[] } };
  const id = seeded.vpcipam.ipamPoolAllocationIds[0];
  const ctx = emulatorContext(emu);
  const inputs = { ipamPoolId: poolId, adoptAllocationId: id, regionId: REGION };
  const adopted = await lc.create(ctx, inputs);
  expect(adopted.outs).toMatchObject({ name: "vpc-reservation" });
  emu.control.clearCalls();
  const updated = await lc.update(ctx, id, adopted.outs as Record<string, unknown>, { ...inputs, allowVpcAllocationRelease: true });
  expect(callsOf(emu, "UpdateIpamPoolAllocation")).toHaveLength(0);
  await lc.delete(ctx, id, updated.outs as Record<string, unknown>);
  expect(allocations()).toHaveLength(0);
});

test("cidrMask above 32 is refused before any create call when the pool turns out to be IPv4; an IPv6 pool takes it", async () => {
  const ctx = emulatorContext(emu);
  emu.control.clearCalls();
  const err = await caught(created(ctx, { ipamPoolId: poolId, cidrMask: 33 }));
  expect(err.message).toBe(`cidrMask: 33 is not a prefix length of IPv4 pool ${poolId}; use 0–32 (0–128 is for IPv6 pools). Nothing was created`);
  expect(emu.control.calls().map((c) => c.action)).toEqual(["ListIpamPools"]);
  expect(allocations()).toEqual([]);

  const v6 = await created(ctx, { ipamPoolId: v6PoolId, cidrMask: 56 });
  expect(v6.outs).toMatchObject({ cidr: expect.stringMatching(/^2408:4000:.*\/56$/) });
  // A mask of 32 or less needs no look-up.
  emu.control.clearCalls();
  await created(ctx, { ipamPoolId: poolId, cidrMask: 28 });
  expect(emu.control.calls().map((c) => c.action)).toEqual(["CreateIpamPoolAllocation", "GetIpamPoolAllocation"]);
});

test("an allocation adopted by a create of this process is not released by another resource's delete (a renamed resource); the adopter's own delete releases it", async () => {
  const seeded = emu.control.seed({ vpcipam: { allocations: [{ ipamPoolId: poolId, cidr: "10.0.42.0/24", resourceType: "Custom" }] } }) as { vpcipam: { ipamPoolAllocationIds: string[] } };
  const id = seeded.vpcipam.ipamPoolAllocationIds[0];
  const ctx = emulatorContext(emu);
  const adopted = await lc.create(ctx, { ipamPoolId: poolId, adoptAllocationId: id, regionId: REGION });
  // The old resource's state, written by an earlier run: same allocation, no mark of this process.
  const { adoptedInRun, ...earlierRun } = adopted.outs as Record<string, unknown>;
  expect(adoptedInRun).toEqual(expect.any(String));
  emu.control.clearCalls();
  await lc.delete(ctx, id, earlierRun);
  expect(emu.control.calls()).toEqual([]);
  expect(allocations().map((a) => a.ipamPoolAllocationId)).toEqual([id]);
  expect(ctx.lines).toContain(`IPAM pool allocation ${id} was adopted by another resource in this run; leaving it to that resource instead of releasing it`);

  await lc.delete(ctx, id, adopted.outs as Record<string, unknown>);
  expect(callsOf(emu, "DeleteIpamPoolAllocation")).toHaveLength(1);
  expect(allocations()).toEqual([]);
});

describe("one CIDR parser: the provider's check and the emulator read every cidr the same way", () => {
  /** Pools that hold every valid block below, so only the CIDR's syntax can make the emulator refuse it. */
  const seedWidePools = () =>
    emu.control.seed({
      vpcipam: {
        pools: [
          { ipamPoolId: "ipam-pool-wide4", regionId: REGION, cidrs: ["0.0.0.0/0"] },
          { ipamPoolId: "ipam-pool-wide6", regionId: REGION, cidrs: ["::/0"], ipVersion: "IPv6" },
        ],
      },
    });

  /** The emulator's verdict on the syntax: a DryRun create, refused with InvalidParameter only for the CIDR itself. */
  async function emulatorVerdict(cidr: string): Promise<"accepted" | "refused"> {
    const pool = cidr.includes(":") ? "ipam-pool-wide6" : "ipam-pool-wide4";
    const err = await caught(
      invoke(emulatorContext(emu), { operation: "dry run", product: "VpcIpam", action: "CreateIpamPoolAllocation", region: REGION, params: { RegionId: REGION, IpamPoolId: pool, Cidr: cidr, DryRun: true } }),
    );
    return (err as CloudError).code === "InvalidParameter" ? "refused" : "accepted";
  }

  test.each([
    // leading zeros: octal to some tools, decimal to others — ambiguous, refused
    ["010.0.1.0/24", "refused", /cidr "010\.0\.1\.0\/24" is invalid: the octet "010" has a leading zero, which some tools read as octal; write 10\.0\.1\.0 if decimal is meant/],
    // host bits set in IPv6 as in IPv4: refused, naming the network address
    ["2001:db8::1/64", "refused", /cidr "2001:db8::1\/64" is invalid: host bits are set; the network address is 2001:db8::\/64/],
    // IPv4-mapped IPv6: an IPv6 block like any other
    ["::ffff:10.0.0.0/120", "accepted", undefined],
    ["10.0.1.0/24", "accepted", undefined],
    ["2408:4000:0:100::/56", "accepted", undefined],
    ["10.0.0.0/08", "refused", /prefix length "08"/],
    ["1.2.3/8", "refused", /not a dotted-quad IPv4 address/],
    ["0x0a.0.0.0/8", "refused", /not a dotted-quad IPv4 address/],
    ["fe80::%eth0/64", "refused", /not an IPv6 address/],
    ["::ffff:010.0.0.0/120", "refused", /not an IPv6 address/],
  ])("%s: %s by both", async (cidr, verdict, reason) => {
    seedWidePools();
    const checked = await lc.check(emulatorContext(emu), {}, { ipamPoolId: "ipam-pool-wide4", cidr });
    const cidrFailures = checked.failures!.filter((f) => f.property === "cidr");
    expect({ provider: cidrFailures.length === 0 ? "accepted" : "refused", emulator: await emulatorVerdict(cidr) }).toEqual({ provider: verdict, emulator: verdict });
    if (reason) expect(cidrFailures[0].reason).toMatch(reason);
  });
});

test("createTime is the allocation's creation time, as on the EIP; creationTime stays as its alias, and state written before (creationTime only) reads back with both", async () => {
  const ctx = emulatorContext(emu);
  const a = await created(ctx, { ipamPoolId: poolId, cidrMask: 24 });
  expect(a.outs.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(a.outs.creationTime).toBe(a.outs.createTime);

  // An earlier version's state: creationTime only.
  const { createTime, ...earlier } = a.outs;
  const read = await lc.read(ctx, a.id, earlier);
  expect(read.props).toMatchObject({ createTime, creationTime: createTime });
  // update (no cloud change) and diff against it keep the time and see no change
  expect(await lc.diff(ctx, a.id, earlier, a.inputs)).toMatchObject({ changes: false });
  const updated = await lc.update(ctx, a.id, earlier, a.inputs);
  expect(updated.outs).toMatchObject({ createTime, creationTime: createTime });
});

describe("adopting what destroy would refuse warns at up, with the fix preflight and delete give", () => {
  /** The `<reason>. <fix>` of the refusal the delete of `outs` throws. */
  async function refusalOf(ctx: ReturnType<typeof emulatorContext>, id: string, outs: Record<string, unknown>): Promise<string> {
    const err = await caught(lc.delete(ctx, id, outs));
    expect(err).toBeInstanceOf(ReleaseRefusedError);
    return err.message.replace(`refusing to release IPAM pool allocation ${id}: `, "");
  }

  test("a VPC allocation: the warning carries the refusal's reason and fix; the opt-in adopts it silently", async () => {
    const seeded = emu.control.seed({ vpcipam: { allocations: [{ ipamPoolId: poolId, cidr: "10.0.128.0/20", resourceType: "VPC", resourceId: "vpc-prod1" }] } }) as { vpcipam: { ipamPoolAllocationIds: string[] } };
    const id = seeded.vpcipam.ipamPoolAllocationIds[0];
    const ctx = emulatorContext(emu);
    const adopted = await checkedCreate(lc, ctx, { ipamPoolId: poolId, adoptAllocationId: id });
    const warnings = ctx.lines.filter((l) => l.startsWith("warning: "));
    expect(warnings).toEqual([`warning: adopted IPAM pool allocation ${id}, but \`pulumi destroy\` would refuse to release it: ${await refusalOf(ctx, id, adopted.outs)}`]);
    expect(warnings[0]).toContain("allowVpcAllocationRelease: true");

    const quiet = emulatorContext(emu);
    await checkedCreate(lc, quiet, { ipamPoolId: poolId, adoptAllocationId: id, allowVpcAllocationRelease: true });
    expect(quiet.lines.filter((l) => l.startsWith("warning: "))).toEqual([]);
  });

  test("a Custom allocation adopts without a warning", async () => {
    const seeded = emu.control.seed({ vpcipam: { allocations: [{ ipamPoolId: poolId, cidr: "10.0.9.0/24", resourceType: "Custom" }] } }) as { vpcipam: { ipamPoolAllocationIds: string[] } };
    const ctx = emulatorContext(emu);
    await checkedCreate(lc, ctx, { ipamPoolId: poolId, adoptAllocationId: seeded.vpcipam.ipamPoolAllocationIds[0] });
    expect(ctx.lines.filter((l) => l.startsWith("warning: "))).toEqual([]);
  });
});
