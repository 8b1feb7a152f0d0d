/**
 * The hidden `resourceIdentity` input through the real CLI: every resource's stored state names its
 * project, stack, name and parent, from which provider/identity.ts computes the URN the engine gave it —
 * at the top level and under a component. It is never a change: a second `up` has nothing to do.
 */
import { urnOf, parseIdentity } from "../../provider/identity";
import { TestStack, e2eTimeout } from "./harness";
import { useEmulator } from "../helpers/emulator";

jest.setTimeout(e2eTimeout(11));

const emu = useEmulator({ anycastTiming: { Allocating: 20, Releasing: 20 } });
let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.remove();
  stack = undefined;
});

test("stored identity gives the engine's URN, with and without a parent, and is never a diff", async () => {
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-e2e", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
  stack = new TestStack(emu);
  await stack.init([
    { type: "IpamPoolAllocation", name: "top", args: { ipamPoolId: "ipam-pool-e2e", cidrMask: 24 } },
    { type: "AnycastEipAddress", name: "child", parent: "edge", args: { serviceLocation: "international" } },
  ]);
  expect((await stack.up()).code).toBe(0);

  const resources = await stack.resources();
  expect(resources).toHaveLength(2);
  for (const r of resources) {
    const identity = parseIdentity(r.outputs.resourceIdentity);
    expect(identity).toBeDefined();
    expect(urnOf(identity!, r.type)).toBe(r.urn);
  }
  const child = resources.find((r) => r.type.endsWith(":AnycastEipAddress"))!;
  expect(child.urn).toContain("::e2e:index:Group$pulumi-nodejs:dynamic/alicloud:AnycastEipAddress::child");

  expect((await stack.up(["--expect-no-changes"])).code).toBe(0);
});
