/**
 * The example programs in examples/, run as a user would: TypeScript projects, the real CLI, the emulator.
 */
import path from "node:path";
import { TestStack, e2eTimeout } from "./harness";
import { useEmulator } from "../helpers/emulator";

// Scaled with the work: its longest test runs 11 commands.
jest.setTimeout(e2eTimeout(11));

const EXAMPLES = path.resolve(__dirname, "..", "..", "examples");
const emu = useEmulator({ resetEachTest: false, anycastTiming: { Associating: 0, Unassociating: 0, Modifying: 0, Releasing: 0 } });
let stack: TestStack | undefined;

afterEach(async () => {
  await stack?.remove();
  stack = undefined;
});

const inventory = () => emu.control.state() as { vpcipam: { allocations: { cidr: string; resourceType: string }[] }; eipanycast: { eips: unknown[] } };

test("examples/ipam-allocation: preview, up, destroy", async () => {
  emu.control.reset();
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-example", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
  stack = new TestStack(emu, undefined, path.join(EXAMPLES, "ipam-allocation"));
  await stack.init([], { "ipam-allocation:ipamPoolId": "ipam-pool-example" });

  const preview = await stack.preview();
  expect(preview.code).toBe(0);
  expect(emu.control.calls().filter((c) => c.mutating)).toEqual([]);
  const up = await stack.up();
  expect(up.code).toBe(0);
  expect(inventory().vpcipam.allocations.map((a) => a.cidr).sort()).toEqual(["10.0.0.0/26", "10.0.1.0/24"]);
  expect((await stack.destroy()).code).toBe(0);
  expect(inventory().vpcipam.allocations).toEqual([]);
});

test("examples/anycast-eip: the adopted VPC allocation is refused and kept; the EIP is detached and released", async () => {
  emu.control.reset();
  emu.control.seed({
    vpcipam: {
      pools: [{ ipamPoolId: "ipam-pool-example", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }],
      allocations: [{ ipamPoolAllocationId: "ipam-pool-alloc-examplevpc00000000", ipamPoolId: "ipam-pool-example", cidr: "10.0.128.0/20", resourceType: "VPC", resourceId: "vpc-example" }],
    },
  });
  stack = new TestStack(emu, undefined, path.join(EXAMPLES, "anycast-eip"));
  await stack.init([], {
    "anycast-eip:slbId": "lb-example0123456789",
    "anycast-eip:ipamPoolId": "ipam-pool-example",
    "anycast-eip:adoptAllocationId": "ipam-pool-alloc-examplevpc00000000",
  });
  const up = await stack.up();
  expect(up.code).toBe(0);
  expect(inventory().eipanycast.eips).toHaveLength(1);

  emu.control.clearCalls();
  const refused = await stack.destroy();
  expect(refused.code).not.toBe(0);
  expect(refused.output).toContain("owned by VPC vpc-example");
  expect(emu.control.calls().filter((c) => c.action === "DeleteIpamPoolAllocation")).toEqual([]);
  const actions = emu.control.calls().map((c) => c.action);
  expect(actions.indexOf("UnassociateAnycastEipAddress")).toBeLessThan(actions.indexOf("ReleaseAnycastEipAddress"));
  expect(inventory().eipanycast.eips).toEqual([]);

  // as the message says: stop managing it without releasing it
  const [adopted] = await stack.resources();
  expect(adopted.urn).toMatch(/IpamPoolAllocation::adopted$/);
  expect((await stack.run(["state", "delete", adopted.urn, "--yes", "-s", stack.stack])).code).toBe(0);
  expect((await stack.destroy()).code).toBe(0);
  expect(inventory().vpcipam.allocations.map((a) => a.resourceType)).toEqual(["VPC"]);
});
