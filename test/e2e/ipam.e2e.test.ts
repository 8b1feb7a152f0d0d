/**
 * IpamPoolAllocation through the real Pulumi CLI: preview, up, update, replace, refresh, destroy,
 * refusals — against the emulator, with the emulator's call log as the witness.
 */
import { TestStack, e2eTimeout } from "./harness";
import { useEmulator } from "../helpers/emulator";

// Scaled with the work: its longest test runs 18 commands.
jest.setTimeout(e2eTimeout(18));

const emu = useEmulator();
let stack: TestStack;

beforeEach(() => {
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-e2e", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
});
afterEach(async () => {
  await stack?.remove();
});

const mutatingCalls = () => emu.control.calls().filter((c) => c.mutating || ["CreateIpamPoolAllocation", "UpdateIpamPoolAllocation", "DeleteIpamPoolAllocation"].includes(c.action ?? ""));
const allocations = () => (emu.control.state().vpcipam as { allocations: { cidr: string; ipamPoolAllocationName?: string }[] }).allocations;

const byCidr = (cidr = "10.0.1.0/24", name = "web") => ({ type: "IpamPoolAllocation", name: "by-cidr", args: { ipamPoolId: "ipam-pool-e2e", cidr, name } });
const byMask = { type: "IpamPoolAllocation", name: "by-mask", args: { ipamPoolId: "ipam-pool-e2e", cidrMask: 26 } };

test("preview is read-only; up creates; a second up changes nothing; rename updates, new CIDR replaces; destroy releases all", async () => {
  stack = new TestStack(emu);
  await stack.init([byCidr(), byMask]);

  emu.control.clearCalls();
  const preview = await stack.preview();
  expect(preview.code).toBe(0);
  expect(preview.output).toContain(`[urn=urn:pulumi:${stack.stack}::e2e::pulumi-nodejs:dynamic/alicloud:IpamPoolAllocation::by-cidr]`);
  expect(preview.output).toContain("+ 3 to create");
  expect((await stack.plan()).ops).toEqual({ "by-cidr": "create", "by-mask": "create" });
  expect(mutatingCalls()).toEqual([]);

  const up = await stack.up();
  expect(up.code).toBe(0);
  expect(allocations().map((a) => a.cidr).sort()).toEqual(["10.0.0.0/26", "10.0.1.0/24"]);

  const again = await stack.preview(["--expect-no-changes"]);
  expect(again.code).toBe(0);
  emu.control.clearCalls();
  const noop = await stack.up(["--expect-no-changes"]);
  expect(noop.code).toBe(0);
  expect(mutatingCalls()).toEqual([]);

  // rename: preview says update, up updates in place
  await stack.setResources([byCidr("10.0.1.0/24", "web-renamed"), byMask]);
  emu.control.clearCalls();
  expect((await stack.plan()).ops).toEqual({ "by-cidr": "update" });
  expect((await stack.preview()).output).toMatch(/~ name\s*: "web" => "web-renamed"/);
  expect(mutatingCalls()).toEqual([]);
  emu.control.clearCalls();
  expect((await stack.up()).code).toBe(0);
  expect(mutatingCalls().map((c) => c.action)).toEqual(["UpdateIpamPoolAllocation"]);
  expect(allocations().find((a) => a.cidr === "10.0.1.0/24")?.ipamPoolAllocationName).toBe("web-renamed");

  // new CIDR: replace
  await stack.setResources([byCidr("10.0.2.0/24", "web-renamed"), byMask]);
  emu.control.clearCalls();
  expect((await stack.plan()).ops).toEqual({ "by-cidr": "replace" });
  expect(mutatingCalls()).toEqual([]);
  expect((await stack.up()).code).toBe(0);
  expect(allocations().map((a) => a.cidr).sort()).toEqual(["10.0.0.0/26", "10.0.2.0/24"]);

  const destroy = await stack.destroy();
  expect(destroy.code).toBe(0);
  expect(allocations()).toEqual([]);
  expect(await stack.resources()).toEqual([]);
});

test("bad inputs fail in preview with the property named, and nothing is called", async () => {
  stack = new TestStack(emu);
  await stack.init([{ type: "IpamPoolAllocation", name: "bad", args: { ipamPoolId: "ipam-pool-e2e", cidr: "10.0.1.7/24" } }]);
  emu.control.clearCalls();
  const preview = await stack.preview();
  expect(preview.code).not.toBe(0);
  expect(preview.output).toContain("cidr");
  expect(preview.output).toContain("host bits are set; the network address is 10.0.1.0/24");
  expect(emu.control.calls()).toEqual([]);
});

test("refresh after an out-of-band delete drops the resource from state", async () => {
  stack = new TestStack(emu);
  await stack.init([byMask]);
  expect((await stack.up()).code).toBe(0);
  const [res] = await stack.resources();
  // someone releases it in the console
  emu.control.reset();
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-e2e", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
  expect(res.id).toMatch(/^ipam-pool-alloc-/);
  const refresh = await stack.refresh();
  expect(refresh.code).toBe(0);
  expect(await stack.resources()).toEqual([]);
});

test("state holds no secret, and the serialized provider is small", async () => {
  stack = new TestStack(emu);
  await stack.init([byMask]);
  expect((await stack.up()).code).toBe(0);
  const exported = JSON.stringify(await stack.exportState());
  expect(exported).not.toContain(emu.accessKeySecret);
  const [res] = await stack.resources();
  const providerText = String(res.outputs.__provider ?? "");
  // the installed package is stored as one require of the provider module: no code, no credentials
  expect(providerText).toContain('require("pulumi-alicloud-release/dist/provider/providers/ipam-pool-allocation.js")');
  expect(Buffer.byteLength(providerText)).toBeLessThan(512);
  console.log(`__provider per IpamPoolAllocation: ${Buffer.byteLength(providerText)} bytes`);
  expect((await stack.destroy()).code).toBe(0);
});
