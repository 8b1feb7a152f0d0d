/**
 * Input that must never reach the wire, through the real Pulumi CLI: misspelt properties, control
 * characters, oversized IDs and limits are refused by `pulumi preview` with the property named and what
 * would be valid — and the emulator's call log stays empty. A cidrMask above 32 (valid only for an IPv6
 * pool) is refused at create before any create call.
 */
import { TestStack } from "./harness";
import { useEmulator } from "../helpers/emulator";

jest.setTimeout(180_000);

const emu = useEmulator();
let stack: TestStack | undefined;

beforeEach(() => {
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-e2e", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
});
afterEach(async () => {
  await stack?.remove();
  stack = undefined;
});

test.each([
  [
    "IpamPoolAllocation",
    { ipamPoolId: "ipam-pool-e2e", cidrMask: 24, name: "web\nfront", timeoutSecond: 5 },
    ['IpamPoolAllocation has no property "timeoutSecond"; did you mean "timeoutSeconds"?', "name must not contain control characters such as a newline or a tab"],
  ],
  [
    "AnycastEipAddress",
    { serviceLocation: "international", timeoutSeconds: 1e9, detachOnDelte: true },
    ['AnycastEipAddress has no property "detachOnDelte"; did you mean "detachOnDelete"?', "must be a number of seconds between 1 and 86400; got 1000000000"],
  ],
  [
    "AnycastEipAssociation",
    { anycastId: "aeip-e2e", bindInstanceId: "x".repeat(10_000), bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" },
    ["must be at most 64 characters", "got 10000"],
  ],
])("%s: bad input fails preview with the property named, and nothing is called", async (type, args, messages) => {
  stack = new TestStack(emu);
  await stack.init([{ type, name: "bad", args }]);
  emu.control.clearCalls();
  const preview = await stack.preview();
  expect(preview.code).not.toBe(0);
  for (const m of messages) expect(preview.output).toContain(m);
  expect(emu.control.calls()).toEqual([]);
  // `up` stops at the same check.
  expect((await stack.up()).code).not.toBe(0);
  expect(emu.control.calls()).toEqual([]);
});

test("cidrMask 33 in an IPv4 pool: preview cannot know the pool's version; up refuses before any create call", async () => {
  stack = new TestStack(emu);
  await stack.init([{ type: "IpamPoolAllocation", name: "too-long", args: { ipamPoolId: "ipam-pool-e2e", cidrMask: 33 } }]);
  emu.control.clearCalls();
  const up = await stack.up();
  expect(up.code).not.toBe(0);
  expect(up.output).toContain("cidrMask: 33 is not a prefix length of IPv4 pool ipam-pool-e2e; use 0–32 (0–128 is for IPv6 pools). Nothing was created");
  expect(emu.control.calls().map((c) => c.action)).toEqual(["ListIpamPools"]);
  expect(await stack.resources()).toEqual([]);
});
