/**
 * How a resource's lines and fixes name it, through the lifecycle the engine calls, over real HTTP to the
 * emulator. The Resource classes pass `resourceIdentity` as an input (provider/identity.ts); the engine
 * hands it back in the checked inputs and in state. With it, a fix that says to take the resource out of
 * the state gives the exact `pulumi state delete '<urn>'`, and progress lines (printed under the stack,
 * not the resource) name it; without it (state from earlier versions) the fix names the cloud ID and how
 * to list URNs.
 */
import { anycastEipAddressLifecycle as eipLc } from "../../provider/anycast/eip-lifecycle";
import { ipamPoolAllocationLifecycle as lc } from "../../provider/ipam/lifecycle";
import { ReleaseRefusedError } from "../../provider/lifecycle";
import { caught, checkedCreate, emulatorContext, REGION } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";

const emu = useEmulator({ anycastTiming: "instant" });
const ALLOCATION = "pulumi-nodejs:dynamic/alicloud:IpamPoolAllocation";
const identity = (name: string, parentUrn?: string) => ({ project: "net", stack: "prod", name, ...(parentUrn ? { parentUrn } : {}) });

let poolId: string;
beforeEach(() => {
  const seeded = emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-main", regionId: REGION, cidrs: ["10.0.0.0/16"] }] } }) as { vpcipam: { ipamPoolIds: string[] } };
  [poolId] = seeded.vpcipam.ipamPoolIds;
});

/** An adopted VPC allocation (its delete is refused), created as the engine does: check, then create. */
async function adoptedVpcAllocation(resourceIdentity?: object) {
  const seeded = emu.control.seed({ vpcipam: { allocations: [{ ipamPoolId: poolId, cidr: "10.0.128.0/20", resourceType: "VPC", resourceId: "vpc-prod1" }] } }) as { vpcipam: { ipamPoolAllocationIds: string[] } };
  const [vpcAllocationId] = seeded.vpcipam.ipamPoolAllocationIds;
  const ctx = emulatorContext(emu);
  const args = { ipamPoolId: poolId, adoptAllocationId: vpcAllocationId, ...(resourceIdentity ? { resourceIdentity } : {}) };
  return { ctx, ...(await checkedCreate(lc, ctx, args)) };
}

describe("a refused delete's fix gives the exact state-delete command", () => {
  test("top level: the URN from the stored identity, quoted for the shell", async () => {
    const { ctx, id, outs } = await adoptedVpcAllocation(identity("vpc-reservation"));
    const err = await caught(lc.delete(ctx, id, outs));
    expect(err).toBeInstanceOf(ReleaseRefusedError);
    expect(err.message).toContain(`to stop managing it without releasing it, \`pulumi state delete 'urn:pulumi:prod::net::${ALLOCATION}::vpc-reservation'\``);
    expect(err.message).not.toContain("<urn>");
  });

  test("under a component: the parent's type chain is part of the URN", async () => {
    const { ctx, id, outs } = await adoptedVpcAllocation(identity("vpc-reservation", "urn:pulumi:prod::net::acme:net:Edge::edge"));
    const err = await caught(lc.delete(ctx, id, outs));
    expect(err.message).toContain(`\`pulumi state delete 'urn:pulumi:prod::net::acme:net:Edge$${ALLOCATION}::vpc-reservation'\``);
  });

  test("state without an identity (an earlier version): the cloud ID and how to list URNs", async () => {
    const { ctx, id, outs } = await adoptedVpcAllocation();
    const err = await caught(lc.delete(ctx, id, outs));
    expect(err.message).toContain(`\`pulumi state delete <urn>\` with the URN of the resource whose ID is ${id}, which \`pulumi stack --show-urns --show-ids\` lists`);
  });

  test("a replacement that would release what it adopts is refused at preview with the exact command", async () => {
    const seeded = emu.control.seed({ eipanycast: { eips: [{ serviceLocation: "international" }] } }) as { eipanycast: { anycastIds: string[] } };
    const [anycastId] = seeded.eipanycast.anycastIds;
    const ctx = emulatorContext(emu);
    const adopted = await checkedCreate(eipLc, ctx, { serviceLocation: "international", adoptAnycastId: anycastId, resourceIdentity: identity("edge") });
    const err = await caught(eipLc.diff(ctx, adopted.id, adopted.outs, { ...adopted.inputs, internetChargeType: "PayByBandwidth" }));
    expect(err).toBeInstanceOf(ReleaseRefusedError);
    expect(err.message).toContain("`pulumi state delete 'urn:pulumi:prod::net::pulumi-nodejs:dynamic/alicloud:AnycastEipAddress::edge'`), then adopt it again");
  });
});

test("two allocations in one pool: every progress line names its resource", async () => {
  emu.control.addFault({ action: "CreateIpamPoolAllocation", kind: "error", code: "SystemBusy", status: 503 });
  const ctx = emulatorContext(emu);
  const create = (name: string) => caught(checkedCreate(lc, ctx, { ipamPoolId: poolId, cidrMask: 24, maxAttempts: 2, resourceIdentity: identity(name) }));
  await Promise.all([create("web"), create("batch")]);
  const failed = ctx.lines.filter((l) => l.includes("creating an allocation in IPAM pool ipam-pool-main: attempt 1 failed (SystemBusy"));
  expect(failed).toHaveLength(2);
  expect(failed.map((l) => l.slice(0, l.indexOf(":"))).sort()).toEqual(['"batch"', '"web"']);
});
