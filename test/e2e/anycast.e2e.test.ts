/**
 * AnycastEipAddress + AnycastEipAssociation through the real Pulumi CLI against the emulator: preview,
 * up, no-op up, in-place update, replace, destroy ordering, and the two refused destroys (an association
 * made outside Pulumi; an adopted VPC allocation) with their fixes. The emulator's call log and
 * inventory are the witnesses; `pulumi stack export` shows what the engine kept.
 */
import { CallRecord } from "../../emulator";
import { cloudCall, TestStack, e2eTimeout } from "./harness";
import { useEmulator } from "../helpers/emulator";

// Scaled with the work: its longest test runs 17 commands.
jest.setTimeout(e2eTimeout(17));

// Short but non-zero transitions: every create/update/delete has to wait for a status change.
const emu = useEmulator({ anycastTiming: { Allocating: 50, Associating: 50, Unassociating: 50, Modifying: 50, Releasing: 50 } });
let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.remove();
  stack = undefined;
});

interface EipInventory {
  anycastId: string;
  status: string;
  bandwidth: number;
  bindings: { bindInstanceId: string; status: string }[];
}
interface AllocationInventory {
  ipamPoolAllocationId: string;
  resourceType: string;
}
const eips = () => (emu.control.state().eipanycast as { eips: EipInventory[] }).eips;
const allocations = () => (emu.control.state().vpcipam as { allocations: AllocationInventory[] }).allocations;
/** Every call since `seq` (exclusive). */
const callsSince = (seq: number): CallRecord[] => emu.control.calls().filter((c) => c.seq > seq);
/** The committed changes since `seq`, in order. */
const mutationsSince = (seq: number): string[] => callsSince(seq).filter((c) => c.mutating).map((c) => c.action ?? "?");
const lastSeq = (): number => emu.control.calls().reduce((m, c) => Math.max(m, c.seq), 0);

const LB = "lb-e2e0123456789abcd";
const eipSpec = (args: Record<string, unknown> = {}) => ({
  type: "AnycastEipAddress",
  name: "eip",
  args: { serviceLocation: "international", bandwidth: 200, name: "e2e-eip", ...args },
});
const assocSpec = {
  type: "AnycastEipAssociation",
  name: "assoc",
  args: { anycastId: { $ref: "eip.anycastId" }, bindInstanceId: LB, bindInstanceRegionId: "cn-hangzhou", bindInstanceType: "SlbInstance" },
};

test("preview is read-only; up allocates and associates; no-op up; bandwidth updates in place; regionId replaces; destroy detaches before it releases", async () => {
  stack = new TestStack(emu);
  await stack.init([eipSpec(), assocSpec]);

  // preview: both planned as creates, and not a single API call (check/diff are offline)
  let mark = lastSeq();
  const preview = await stack.plan();
  expect(preview.code).toBe(0);
  expect(preview.ops).toEqual({ eip: "create", assoc: "create" });
  expect(callsSince(mark)).toEqual([]);

  // up: allocate (then the ownership tag), then associate (the association depends on eip.anycastId)
  mark = lastSeq();
  const up = await stack.up();
  expect(up.code).toBe(0);
  expect(mutationsSince(mark)).toEqual(["AllocateAnycastEipAddress", "TagResources", "AssociateAnycastEipAddress"]);
  const [eip] = eips();
  expect(eips()).toHaveLength(1);
  expect(eip).toMatchObject({ status: "Associated", bandwidth: 200, bindings: [{ bindInstanceId: LB, status: "BINDED" }] });
  const state = await stack.resources();
  const stateEip = state.find((r) => r.urn === stack!.urn("AnycastEipAddress", "eip"))!;
  const stateAssoc = state.find((r) => r.urn === stack!.urn("AnycastEipAssociation", "assoc"))!;
  expect(stateEip.id).toBe(eip.anycastId);
  expect(stateAssoc.id).toBe(`${eip.anycastId}:${LB}:cn-hangzhou:SlbInstance`);
  expect(stateAssoc.dependencies).toContain(stateEip.urn);
  expect(stateAssoc.outputs).toMatchObject({ status: "BINDED", associationMode: "Default" });

  // nothing changed: up makes no change
  mark = lastSeq();
  expect((await stack.up(["--expect-no-changes"])).code).toBe(0);
  expect(mutationsSince(mark)).toEqual([]);

  // bandwidth: an in-place update (ModifyAnycastEipAddressSpec), same EIP
  await stack.setResources([eipSpec({ bandwidth: 400 }), assocSpec]);
  mark = lastSeq();
  expect((await stack.plan()).ops).toEqual({ eip: "update" });
  expect((await stack.preview()).output).toMatch(/~ bandwidth\s*: 200 => 400/);
  expect(mutationsSince(mark)).toEqual([]);
  const resize = await stack.up();
  expect(resize.code).toBe(0);
  expect(mutationsSince(mark)).toEqual(["ModifyAnycastEipAddressSpec"]);
  expect(eips()).toEqual([expect.objectContaining({ anycastId: eip.anycastId, bandwidth: 400, status: "Associated" })]);
  expect(resize.output).toContain(`changing the bandwidth of Anycast EIP ${eip.anycastId} from 200 to 400 Mbit/s`);

  // regionId forces a replacement of the EIP, and so of the association bound to it: the new EIP is
  // allocated first, the old association is detached before the new one is made (deleteBeforeReplace),
  // and the old EIP is released last.
  await stack.setResources([eipSpec({ bandwidth: 400, regionId: "cn-shanghai" }), assocSpec]);
  mark = lastSeq();
  expect((await stack.plan()).ops).toEqual({ eip: "replace", assoc: "replace" });
  expect(mutationsSince(mark)).toEqual([]);
  const replace = await stack.up();
  expect(replace.code).toBe(0);
  const replaceCalls = callsSince(mark).filter((c) => c.mutating);
  expect(replaceCalls.map((c) => [c.action, c.params.AnycastId ?? "(new)"])).toEqual([
    ["AllocateAnycastEipAddress", "(new)"],
    ["TagResources", "(new)"],
    ["UnassociateAnycastEipAddress", eip.anycastId],
    ["AssociateAnycastEipAddress", expect.not.stringMatching(eip.anycastId)],
    ["ReleaseAnycastEipAddress", eip.anycastId],
  ]);
  const [replaced] = eips();
  expect(eips()).toHaveLength(1);
  expect(replaced.anycastId).not.toBe(eip.anycastId);
  expect(replaced).toMatchObject({ status: "Associated", bandwidth: 400, bindings: [{ bindInstanceId: LB, status: "BINDED" }] });
  expect((await stack.resources()).map((r) => r.id).sort()).toEqual([replaced.anycastId, `${replaced.anycastId}:${LB}:cn-hangzhou:SlbInstance`].sort());
  expect((await stack.up(["--expect-no-changes"])).code).toBe(0);

  // destroy: the association is detached before the EIP is released; one SystemBusy on the release is
  // retried. The wait for the detach (long enough that the first probe surely sees UNBINDING) and the
  // retry are reported in the CLI output.
  emu.control.setTiming({ eipanycast: { Unassociating: 500 } });
  emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "error", code: "SystemBusy", count: 1 });
  mark = lastSeq();
  const destroy = await stack.destroy();
  expect(destroy.code).toBe(0);
  expect(mutationsSince(mark)).toEqual(["UnassociateAnycastEipAddress", "ReleaseAnycastEipAddress"]);
  const actions = callsSince(mark).map((c) => c.action);
  expect(actions.indexOf("UnassociateAnycastEipAddress")).toBeLessThan(actions.indexOf("ReleaseAnycastEipAddress"));
  expect(eips()).toEqual([]);
  expect(await stack.resources()).toEqual([]);
  // Progress lines (the provider's stderr) reach the CLI: shown live on the stack's row and again
  // under "Diagnostics: pulumi:pulumi:Stack" — not under the resource they belong to.
  expect(destroy.output).toContain(`releasing Anycast EIP ${replaced.anycastId}: attempt 1 failed (SystemBusy`);
  expect(destroy.output).toMatch(new RegExp(`pulumi:pulumi:Stack \\S+\\s+"assoc": waiting for SlbInstance ${LB} \\(cn-hangzhou\\) on Anycast EIP ${replaced.anycastId} to be detached`));
  expect(destroy.output).toMatch(/Diagnostics:\n\s+pulumi:pulumi:Stack \(e2e-[^)]+\):\n(.*\n)*\s+"eip": released Anycast EIP/);
});

test("destroy refuses to release an EIP associated outside Pulumi, says why and how to fix; detachOnDelete fixes it", async () => {
  stack = new TestStack(emu);
  await stack.init([eipSpec()]);
  expect((await stack.up()).code).toBe(0);
  const [{ anycastId }] = eips();

  // someone associates an ENI in the console
  const ENI = "eni-outofband0123456";
  await cloudCall(emu, "Eipanycast", "AssociateAnycastEipAddress", {
    AnycastId: anycastId,
    BindInstanceId: ENI,
    BindInstanceRegionId: "cn-hangzhou",
    BindInstanceType: "NetworkInterface",
    PrivateIpAddress: "10.0.0.10",
  });

  let mark = lastSeq();
  const refused = await stack.destroy();
  expect(refused.code).not.toBe(0);
  // the bound instance, the reason, and both fixes
  expect(refused.output).toContain(`refusing to release Anycast EIP ${anycastId}`);
  expect(refused.output).toContain(`it is still associated with 1 instance: ${ENI} (NetworkInterface in cn-hangzhou`);
  expect(refused.output).toContain("remove the AnycastEipAssociation resource(s) for these instances from the program");
  expect(refused.output).toContain("set `detachOnDelete: true` on this AnycastEipAddress and run `pulumi up`");
  // nothing was released or detached, and the engine still has the EIP
  expect(callsSince(mark).filter((c) => c.action === "ReleaseAnycastEipAddress" || c.action === "UnassociateAnycastEipAddress")).toEqual([]);
  expect(mutationsSince(mark)).toEqual([]);
  expect((await stack.resources()).map((r) => r.id)).toEqual([anycastId]);
  expect(eips()).toEqual([expect.objectContaining({ anycastId, bindings: [expect.objectContaining({ bindInstanceId: ENI })] })]);

  // the fix: detachOnDelete is stored by `pulumi up` (no API call), then destroy detaches and releases
  await stack.setResources([eipSpec({ detachOnDelete: true })]);
  expect((await stack.plan()).ops).toEqual({ eip: "update" });
  mark = lastSeq();
  expect((await stack.up()).code).toBe(0);
  expect(mutationsSince(mark)).toEqual([]);
  expect((await stack.resources())[0].outputs?.detachOnDelete).toBe(true);

  mark = lastSeq();
  const destroy = await stack.destroy();
  expect(destroy.code).toBe(0);
  expect(mutationsSince(mark)).toEqual(["UnassociateAnycastEipAddress", "ReleaseAnycastEipAddress"]);
  expect(destroy.output).toContain(`detachOnDelete: detaching ${ENI}`);
  expect(eips()).toEqual([]);
  expect(await stack.resources()).toEqual([]);
});

test("destroy refuses to release an adopted VPC allocation, names the VPC and the fix; allowVpcAllocationRelease fixes it", async () => {
  const POOL = "ipam-pool-e2evpc";
  const ALLOC = "ipam-pool-alloc-e2evpc000000000000";
  const VPC = "vpc-e2e0123456789abcd";
  emu.control.seed({
    vpcipam: {
      pools: [{ ipamPoolId: POOL, regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }],
      allocations: [{ ipamPoolId: POOL, cidr: "10.0.16.0/20", resourceType: "VPC", resourceId: VPC, ipamPoolAllocationId: ALLOC }],
    },
  });
  const adopted = (extra: Record<string, unknown> = {}) => ({ type: "IpamPoolAllocation", name: "vpc-alloc", args: { ipamPoolId: POOL, adoptAllocationId: ALLOC, ...extra } });
  stack = new TestStack(emu);
  await stack.init([adopted()]);

  // adopting makes no change in the cloud
  let mark = lastSeq();
  expect((await stack.up()).code).toBe(0);
  expect(mutationsSince(mark)).toEqual([]);
  expect((await stack.resources())[0]).toMatchObject({ id: ALLOC, outputs: { resourceType: "VPC", resourceId: VPC, cidr: "10.0.16.0/20" } });

  mark = lastSeq();
  const refused = await stack.destroy();
  expect(refused.code).not.toBe(0);
  expect(refused.output).toContain(`it is a VPC allocation owned by VPC ${VPC} (CIDR 10.0.16.0/20)`);
  expect(refused.output).toContain("set allowVpcAllocationRelease: true and run `pulumi up` first");
  expect(callsSince(mark).filter((c) => c.action === "DeleteIpamPoolAllocation")).toEqual([]);
  expect((await stack.resources()).map((r) => r.id)).toEqual([ALLOC]);
  expect(allocations().map((a) => a.ipamPoolAllocationId)).toEqual([ALLOC]);

  await stack.setResources([adopted({ allowVpcAllocationRelease: true })]);
  expect((await stack.plan()).ops).toEqual({ "vpc-alloc": "update" });
  mark = lastSeq();
  expect((await stack.up()).code).toBe(0);
  expect(mutationsSince(mark)).toEqual([]);

  mark = lastSeq();
  expect((await stack.destroy()).code).toBe(0);
  expect(mutationsSince(mark)).toEqual(["DeleteIpamPoolAllocation"]);
  expect(allocations()).toEqual([]);
  expect(await stack.resources()).toEqual([]);
});
