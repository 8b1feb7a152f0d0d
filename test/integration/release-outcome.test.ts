/**
 * A release whose answer never came before the deadline, over real HTTP to the emulator: delete reads
 * the object (within the confirmation grace) and reports what happened — gone is a release, still there
 * fails with the original error and says so. A definite refusal is not checked.
 *
 * The deadline is reached by a clock that jumps 1 s after each release attempt (real time otherwise), so
 * the retries run into `timeoutSeconds` whatever the machine's speed.
 */
import { anycastEipAddressLifecycle as eipLc } from "../../provider/anycast/eip-lifecycle";
import { envSource } from "../../provider/cloud/settings";
import { SignedTransport, Transport } from "../../provider/cloud/transport";
import { ipamPoolAllocationLifecycle as lc } from "../../provider/ipam/lifecycle";
import { callsOf, caught, checkedCreate, emulatorContext, emulatorEnv, REGION } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";
import { steppableClock } from "../helpers/clock";

const emu = useEmulator({ anycastTiming: "instant" });
let poolId: string;

beforeEach(() => {
  const seeded = emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-main", regionId: REGION, cidrs: ["10.0.0.0/16"] }] } }) as {
    vpcipam: { ipamPoolIds: string[] };
  };
  [poolId] = seeded.vpcipam.ipamPoolIds;
});

const allocationIds = () => (emu.control.state().vpcipam as { allocations: { ipamPoolAllocationId: string }[] }).allocations.map((a) => a.ipamPoolAllocationId);
const eips = () => (emu.control.state().eipanycast as { eips: { anycastId: string; status: string }[] }).eips;
const seedEip = (): string => (emu.control.seed({ eipanycast: { eips: [{}] } }) as { eipanycast: { anycastIds: string[] } }).eipanycast.anycastIds[0];

/** A context whose clock jumps 1 s after every call of `releaseAction`, answered or not. */
function deadlineRunsOutOn(releaseAction: string, onLine?: (line: string) => void) {
  const clock = steppableClock();
  const signed = new SignedTransport(envSource(emulatorEnv(emu)));
  const transport: Transport = {
    call: async (product, action, params, options) => {
      try {
        return await signed.call(product, action, params, options);
      } finally {
        if (action === releaseAction) clock.jump(1000);
      }
    },
  };
  return emulatorContext(emu, { transport, clock, progress: onLine });
}

/** The actions the emulator logged after the last call of `action`. */
function actionsAfterLast(action: string): (string | null)[] {
  const all = emu.control.calls();
  const last = all.map((c) => c.action).lastIndexOf(action);
  return all.slice(last + 1).map((c) => c.action);
}

/** Every call of `action` carried one and the same ClientToken; returns the calls. */
function oneToken(action: string) {
  const list = callsOf(emu, action);
  expect(list.length).toBeGreaterThan(1);
  expect(new Set(list.map((c) => c.clientToken)).size).toBe(1);
  return list;
}

const RERUN_SAFE = /running `pulumi destroy` again is safe \(delete reads it first and releases it only if it is still there\)$/;

describe("IPAM pool allocation", () => {
  test("released, but every answer lost until the deadline: the delete reads it, finds it gone and succeeds", async () => {
    const ctx = deadlineRunsOutOn("DeleteIpamPoolAllocation");
    const a = await checkedCreate(lc, ctx, { ipamPoolId: poolId, cidrMask: 24, timeoutSeconds: 3 });
    emu.control.addFault({ product: "VpcIpam", action: "DeleteIpamPoolAllocation", kind: "lost" });

    await lc.delete(ctx, a.id, a.outs);

    const release = oneToken("DeleteIpamPoolAllocation");
    // The first attempt released it; the others replayed the token, and every answer was dropped.
    expect(release.map((c) => [c.fault, c.mutating])).toEqual([["lost", true], ...release.slice(1).map(() => ["lost", false])]);
    expect(release.slice(1).every((c) => c.replayed)).toBe(true);
    expect(allocationIds()).toEqual([]);
    expect(ctx.lines.filter((l) => l.includes("answer to its release was lost"))).toEqual([
      `IPAM pool allocation ${a.id}: the answer to its release was lost (ECONNRESET), and it is gone: it was released`,
    ]);
  });

  test("not released (503 every time, until the deadline): the delete fails with code, request id and what the check found", async () => {
    const ctx = deadlineRunsOutOn("DeleteIpamPoolAllocation");
    const a = await checkedCreate(lc, ctx, { ipamPoolId: poolId, cidrMask: 24, timeoutSeconds: 3 });
    emu.control.addFault({ product: "VpcIpam", action: "DeleteIpamPoolAllocation", kind: "error", code: "ServiceUnavailable", status: 503 });

    const err = await caught(lc.delete(ctx, a.id, a.outs));

    const release = oneToken("DeleteIpamPoolAllocation");
    const last = release[release.length - 1];
    expect(err.message).toMatch(/deadline leaves no time for another attempt/);
    expect(err.message).toContain(`ServiceUnavailable: `);
    expect(err.message).toContain(`(RequestId ${last.requestId}). The outcome was checked: IPAM pool allocation ${a.id} is still there (Created): the release did not take effect`);
    expect(err.message).toMatch(RERUN_SAFE);
    expect(err).toMatchObject({ code: "ServiceUnavailable", requestId: last.requestId });
    expect(allocationIds()).toEqual([a.id]);
    // The outcome was read once, after the last release attempt.
    expect(actionsAfterLast("DeleteIpamPoolAllocation")).toHaveLength(1);
    expect(ctx.lines.some((l) => l.includes("was lost"))).toBe(false);
  });

  test("not released (the connection reset before it ran): the delete fails and says the allocation is still there", async () => {
    const ctx = deadlineRunsOutOn("DeleteIpamPoolAllocation");
    const a = await checkedCreate(lc, ctx, { ipamPoolId: poolId, cidrMask: 24, timeoutSeconds: 3 });
    emu.control.addFault({ product: "VpcIpam", action: "DeleteIpamPoolAllocation", kind: "reset" });

    const err = await caught(lc.delete(ctx, a.id, a.outs));

    expect(callsOf(emu, "DeleteIpamPoolAllocation").every((c) => c.fault === "reset" && !c.mutating)).toBe(true);
    expect(err.message).toMatch(new RegExp(`ECONNRESET: .*The outcome was checked: IPAM pool allocation ${a.id} is still there \\(Created\\): the release did not take effect`));
    expect(err.message).toMatch(RERUN_SAFE);
    expect(allocationIds()).toEqual([a.id]);
  });

  test("the outcome cannot be read either: the delete fails, saying the release may or may not have happened", async () => {
    // Once the last release attempt is given up, every VpcIpam call answers 503.
    const ctx = deadlineRunsOutOn("DeleteIpamPoolAllocation", (line) => {
      if (/^releasing .*giving up$/.test(line)) emu.control.addFault({ product: "VpcIpam", action: "*", kind: "error", code: "ServiceUnavailable", status: 503 });
    });
    const a = await checkedCreate(lc, ctx, { ipamPoolId: poolId, cidrMask: 24, timeoutSeconds: 3, maxAttempts: 2 });
    emu.control.addFault({ product: "VpcIpam", action: "DeleteIpamPoolAllocation", kind: "reset" });

    const err = await caught(lc.delete(ctx, a.id, a.outs));

    expect(err.message).toMatch(/^releasing IPAM pool allocation .*ECONNRESET: /);
    expect(err.message).toMatch(/The outcome could not be checked \(reading IPAM pool allocation .*ServiceUnavailable.*\): it may or may not have been released/);
    expect(err.message).toMatch(RERUN_SAFE);
  });

  test("a definite refusal is not outcome-checked: no read after the release call", async () => {
    const ctx = emulatorContext(emu);
    const a = await checkedCreate(lc, ctx, { ipamPoolId: poolId, cidrMask: 24 });
    emu.control.addFault({ product: "VpcIpam", action: "DeleteIpamPoolAllocation", kind: "error", code: "OperationDenied.Unauthorized", status: 400, count: 1 });

    const err = await caught(lc.delete(ctx, a.id, a.outs));

    expect(err).toMatchObject({ code: "OperationDenied.Unauthorized" });
    expect(err.message).not.toMatch(/outcome/);
    expect(callsOf(emu, "DeleteIpamPoolAllocation")).toHaveLength(1);
    expect(actionsAfterLast("DeleteIpamPoolAllocation")).toEqual([]);
  });
});

describe("Anycast EIP", () => {
  test("released (held Releasing), but every answer lost until the deadline: the delete waits it out to gone and succeeds", async () => {
    const id = seedEip();
    emu.control.setTiming({ eipanycast: { Releasing: null } });
    // The control plane completes the held transition once the delete says it is waiting for it.
    const ctx = deadlineRunsOutOn("ReleaseAnycastEipAddress", (line) => {
      if (line.startsWith(`waiting for Anycast EIP ${id} to be released: Releasing`)) emu.control.settle();
    });
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "lost" });

    await eipLc.delete(ctx, id, { anycastId: id, regionId: REGION, timeoutSeconds: 3 });

    const release = oneToken("ReleaseAnycastEipAddress");
    expect(release.map((c) => [c.fault, c.mutating])).toEqual([["lost", true], ...release.slice(1).map(() => ["lost", false])]);
    expect(eips()).toEqual([]);
    expect(ctx.lines.some((l) => l.startsWith(`waiting for Anycast EIP ${id} to be released: Releasing`))).toBe(true);
    expect(ctx.lines.filter((l) => l.includes("answer to its release was lost"))).toEqual([
      `Anycast EIP ${id}: the answer to its release was lost (ECONNRESET), and it is gone: it was released`,
    ]);
  });

  test("not released (SystemBusy every time, until the deadline): the delete fails with code, request id and what the check found", async () => {
    const id = seedEip();
    const ctx = deadlineRunsOutOn("ReleaseAnycastEipAddress");
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "error", code: "SystemBusy", status: 503 });

    const err = await caught(eipLc.delete(ctx, id, { anycastId: id, regionId: REGION, timeoutSeconds: 3 }));

    const release = oneToken("ReleaseAnycastEipAddress");
    const last = release[release.length - 1];
    expect(err.message).toMatch(/deadline leaves no time for another attempt/);
    expect(err.message).toContain(`SystemBusy: `);
    expect(err.message).toContain(`(RequestId ${last.requestId}). The outcome was checked: Anycast EIP ${id} is still there (Allocated): the release did not take effect`);
    expect(err.message).toMatch(RERUN_SAFE);
    expect(eips().map((e) => [e.anycastId, e.status])).toEqual([[id, "Allocated"]]);
    expect(actionsAfterLast("ReleaseAnycastEipAddress")).toHaveLength(1);
  });

  test("a definite refusal is not outcome-checked: no read after the release call", async () => {
    const id = seedEip();
    const ctx = emulatorContext(emu);
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "error", code: "OperationUnsupported.ServiceManaged", status: 400, count: 1 });

    const err = await caught(eipLc.delete(ctx, id, { anycastId: id, regionId: REGION }));

    expect(err).toMatchObject({ code: "OperationUnsupported.ServiceManaged" });
    expect(err.message).not.toMatch(/outcome/);
    expect(callsOf(emu, "ReleaseAnycastEipAddress")).toHaveLength(1);
    expect(actionsAfterLast("ReleaseAnycastEipAddress")).toEqual([]);
  });
});
