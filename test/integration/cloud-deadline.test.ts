/**
 * The per-resource deadline (`timeoutSeconds`) over real HTTP to the emulator: no call outlives it,
 * nothing is sent after it, and a release sent before it is confirmed and reported as done.
 */
import { SignedTransport, Transport } from "../../provider/cloud/transport";
import { envSource } from "../../provider/cloud/settings";
import { anycastEipAddressLifecycle as eipLc } from "../../provider/anycast/eip-lifecycle";
import { ipamPoolAllocationLifecycle as lc } from "../../provider/ipam/lifecycle";
import { callsOf, caught, checkedCreate, emulatorContext, emulatorEnv } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";
import { steppableClock } from "../helpers/clock";

const emu = useEmulator();
let poolId: string;

beforeEach(() => {
  const seeded = emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-main", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } }) as {
    vpcipam: { ipamPoolIds: string[] };
  };
  [poolId] = seeded.vpcipam.ipamPoolIds;
});

const allocationIds = () => (emu.control.state().vpcipam as { allocations: { ipamPoolAllocationId: string }[] }).allocations.map((a) => a.ipamPoolAllocationId);

// The HTTP read timeout far above the deadline: only the deadline can cut the slow call short.
const LONG_READ_TIMEOUT = { ALICLOUD_RELEASE_READ_TIMEOUT_MS: "60000" };

test("a pre-delete read slower than the deadline is cut at the deadline and no release is sent after it", async () => {
  const ctx = emulatorContext(emu, {}, LONG_READ_TIMEOUT);
  const a = await checkedCreate(lc, ctx, { ipamPoolId: poolId, cidrMask: 24, timeoutSeconds: 1 });
  emu.control.clearCalls();
  // The pre-delete GetIpamPoolAllocation answers after 3 s; the deadline is 1 s.
  emu.control.addFault({ product: "VpcIpam", action: "GetIpamPoolAllocation", kind: "latency", latencyMs: 3000, count: 1 });

  const err = await caught(lc.delete(ctx, a.id, a.outs));

  expect(callsOf(emu, "DeleteIpamPoolAllocation")).toEqual([]);
  expect(allocationIds()).toEqual([a.id]);
  expect(err.message).toMatch(/^reading IPAM pool allocation .*ReadTimeout: .*deadline/);
});

/**
 * A context whose clock jumps 5 s right after `releaseAction` answers: the deadline passes between the
 * release's answer and its confirmation (as when the release is slow).
 */
function deadlinePassesAfter(releaseAction: string) {
  const clock = steppableClock();
  const signed = new SignedTransport(envSource(emulatorEnv(emu)));
  const transport: Transport = {
    call: async (product, action, params, options) => {
      const body = await signed.call(product, action, params, options);
      if (action === releaseAction) clock.jump(5000);
      return body;
    },
  };
  return emulatorContext(emu, { transport, clock });
}

test("a release answered just before the deadline is confirmed after it and reported as done", async () => {
  const ctx = deadlinePassesAfter("DeleteIpamPoolAllocation");
  const a = await checkedCreate(lc, ctx, { ipamPoolId: poolId, cidrMask: 24, timeoutSeconds: 2 });
  emu.control.clearCalls();

  await lc.delete(ctx, a.id, a.outs);

  expect(emu.control.calls().map((c) => c.action)).toEqual(["GetIpamPoolAllocation", "DeleteIpamPoolAllocation", "GetIpamPoolAllocation"]);
  expect(allocationIds()).toEqual([]);
});

test("an Anycast EIP release answered just before the deadline is confirmed after it and reported as done", async () => {
  const ctx = deadlinePassesAfter("ReleaseAnycastEipAddress");
  const eip = await checkedCreate(eipLc, ctx, { serviceLocation: "international", timeoutSeconds: 2 });
  emu.control.clearCalls();

  await eipLc.delete(ctx, eip.id, eip.outs);

  // One release, then only confirmation probes (how many depends on the emulator's Releasing transition).
  const actions = emu.control.calls().map((c) => c.action);
  expect(actions.slice(0, 2)).toEqual(["DescribeAnycastEipAddress", "ReleaseAnycastEipAddress"]);
  expect(new Set(actions.slice(2))).toEqual(new Set(["DescribeAnycastEipAddress"]));
  expect((emu.control.state().eipanycast as { eips: unknown[] }).eips).toEqual([]);
});
