/**
 * Adopted resources through the real Pulumi CLI against the emulator: a replace-forcing change on an
 * adopted IpamPoolAllocation / AnycastEipAddress is refused at preview (a replacement would adopt the same
 * object and then release it), and a renamed resource that adopts what the old one held keeps it — the
 * old resource's delete in the same run does not release it. The emulator's call log and inventory are
 * the witnesses.
 */
import { TestStack } from "./harness";
import { useEmulator } from "../helpers/emulator";

jest.setTimeout(240_000);

const emu = useEmulator({ anycastTiming: "instant" });
let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.remove();
  stack = undefined;
});

const POOL = "ipam-pool-e2e";
const allocations = () => (emu.control.state().vpcipam as { allocations: { ipamPoolAllocationId: string; cidr: string }[] }).allocations;
const eips = () => (emu.control.state().eipanycast as { eips: { anycastId: string; status: string }[] }).eips;
const mutations = () => emu.control.calls().filter((c) => c.mutating).map((c) => c.action);

function seedAllocation(): string {
  const seeded = emu.control.seed({
    vpcipam: { pools: [{ ipamPoolId: POOL, regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }], allocations: [{ ipamPoolId: POOL, cidr: "10.0.7.0/24", resourceType: "Custom" }] },
  }) as { vpcipam: { ipamPoolAllocationIds: string[] } };
  return seeded.vpcipam.ipamPoolAllocationIds[0];
}
function seedEip(): string {
  return (emu.control.seed({ eipanycast: { eips: [{}] } }) as { eipanycast: { anycastIds: string[] } }).eipanycast.anycastIds[0];
}
const adoptedAllocation = (name: string, id: string, extra: Record<string, unknown> = {}) => ({
  type: "IpamPoolAllocation",
  name,
  args: { ipamPoolId: POOL, adoptAllocationId: id, ...extra },
});
const adoptedEip = (name: string, id: string, extra: Record<string, unknown> = {}) => ({
  type: "AnycastEipAddress",
  name,
  args: { serviceLocation: "international", adoptAnycastId: id, ...extra },
});

test("adopted allocation: adding cidrMask (a replacement) is refused at preview and at up; nothing is released", async () => {
  const id = seedAllocation();
  stack = new TestStack(emu);
  await stack.init([adoptedAllocation("held", id)]);
  expect((await stack.up()).code).toBe(0);

  await stack.setResources([adoptedAllocation("held", id, { cidrMask: 25 })]);
  emu.control.clearCalls();
  const preview = await stack.preview();
  expect(preview.code).not.toBe(0);
  expect(preview.output).toContain(`refusing to release IPAM pool allocation ${id}: changing cidrMask replaces the resource`);
  expect(preview.output).toContain("An adopted allocation cannot be changed in place");
  expect(preview.output).toContain(`(\`pulumi state delete '${stack.urn("IpamPoolAllocation", "held")}'\`), then adopt it again`);
  const up = await stack.up();
  expect(up.code).not.toBe(0);
  expect(mutations()).toEqual([]);
  expect(allocations().map((a) => a.ipamPoolAllocationId)).toEqual([id]);

  // Put back, the stack is as it was.
  await stack.setResources([adoptedAllocation("held", id)]);
  expect((await stack.up(["--expect-no-changes"])).code).toBe(0);
  expect((await stack.resources()).map((r) => r.id)).toEqual([id]);
});

test("adopted allocation renamed in the program: the new resource keeps it, the old one's delete does not release it", async () => {
  const id = seedAllocation();
  stack = new TestStack(emu);
  await stack.init([adoptedAllocation("old-name", id)]);
  expect((await stack.up()).code).toBe(0);

  await stack.setResources([adoptedAllocation("new-name", id)]);
  emu.control.clearCalls();
  const up = await stack.up();
  expect(up.code).toBe(0);
  expect(mutations()).toEqual([]);
  expect(allocations().map((a) => a.ipamPoolAllocationId)).toEqual([id]);
  expect(up.output).toContain("was adopted by another resource in this run; leaving it to that resource instead of releasing it");
  expect((await stack.resources()).map((r) => [r.urn.split("::").pop(), r.id])).toEqual([["new-name", id]]);

  // A later destroy is a new provider process: it releases as usual.
  expect((await stack.destroy()).code).toBe(0);
  expect(allocations()).toEqual([]);
});

test("adopted Anycast EIP: changing regionId is refused at preview; renaming the resource keeps the EIP", async () => {
  const id = seedEip();
  stack = new TestStack(emu);
  await stack.init([adoptedEip("eip", id)]);
  expect((await stack.up()).code).toBe(0);

  await stack.setResources([adoptedEip("eip", id, { regionId: "cn-shanghai" })]);
  emu.control.clearCalls();
  const preview = await stack.preview();
  expect(preview.code).not.toBe(0);
  expect(preview.output).toContain(`refusing to release Anycast EIP ${id}: changing regionId replaces the resource`);
  expect(preview.output).toContain(`(\`pulumi state delete '${stack.urn("AnycastEipAddress", "eip")}'\`), then adopt it again`);
  expect((await stack.up()).code).not.toBe(0);
  expect(mutations()).toEqual([]);

  await stack.setResources([adoptedEip("eip-renamed", id)]);
  emu.control.clearCalls();
  const up = await stack.up();
  expect(up.code).toBe(0);
  expect(mutations()).toEqual([]);
  expect(eips().map((e) => [e.anycastId, e.status])).toEqual([[id, "Allocated"]]);

  expect((await stack.destroy()).code).toBe(0);
  expect(eips().filter((e) => e.status !== "Released")).toEqual([]);
});

test("an allocation held under the wrong region: the refused destroy's advice (state delete, adopt again with the pool's region) works", async () => {
  const seeded = emu.control.seed({
    vpcipam: { pools: [{ ipamPoolId: POOL, regionId: "cn-shanghai", cidrs: ["10.0.0.0/16"] }], allocations: [{ ipamPoolId: POOL, cidr: "10.0.9.0/24", resourceType: "Custom" }] },
  }) as { vpcipam: { ipamPoolAllocationIds: string[] } };
  const id = seeded.vpcipam.ipamPoolAllocationIds[0];
  stack = new TestStack(emu);
  // The provider region is cn-hangzhou: the allocation is read there, but its release must be asked in cn-shanghai.
  await stack.init([adoptedAllocation("held", id)]);
  expect((await stack.up()).code).toBe(0);
  const refused = await stack.destroy();
  expect(refused.code).not.toBe(0);
  expect(refused.output).toContain(`(\`pulumi state delete '${stack.urn("IpamPoolAllocation", "held")}'\`), then adopt it again with adoptAllocationId`);
  expect(refused.output).toContain(`regionId: "cn-shanghai"`);

  // Just setting regionId would be a replacement that re-adopts and releases: refused at preview.
  await stack.setResources([adoptedAllocation("held", id, { regionId: "cn-shanghai" })]);
  expect((await stack.preview()).code).not.toBe(0);

  // The advice, its command as printed: out of the state without releasing, adopt again in the pool's
  // region, then destroy releases.
  const [, urn] = /`pulumi state delete '([^']+)'`/.exec(refused.output)!;
  expect((await stack.run(["state", "delete", urn, "--yes", "-s", stack.stack])).code).toBe(0);
  expect((await stack.up()).code).toBe(0);
  emu.control.clearCalls();
  expect((await stack.destroy()).code).toBe(0);
  expect(mutations()).toEqual(["DeleteIpamPoolAllocation"]);
  expect(allocations()).toEqual([]);
});
