/**
 * The acceptance scenarios, through the real Pulumi CLI, against Alibaba Cloud or (`--emulator`) the
 * bundled emulator with the documented RAM policies loaded: create, update in place, the destroy preflight,
 * a refused destroy and its fix, release. Run them with `npm run test:live`, which checks the settings
 * first; every object carries the run's marker (name prefix, and a tag on EIPs) so `npm run sweep:live`
 * finds what an interrupted run leaves.
 */
import { associateAnycastEip, describeAnycastEip, findBinding, waitForEip } from "../../provider/anycast/api";
import { getAllocation } from "../../provider/ipam/api";
import { PreflightReport } from "../../provider/preflight/types";
import { e2eTimeout, runPreflightCli, RunResult, TestStack } from "../e2e/harness";
import { LiveSettings, MARKER_TAG_KEY } from "./settings";
import { describeSweepPlan, releaseItem } from "./sweep";
import { LiveTarget, openTarget } from "./target";

function fromRunner(): { settings: LiveSettings; runId: string } {
  const raw = process.env.LIVE_SETTINGS;
  const runId = process.env.LIVE_RUN_ID;
  if (!raw || !runId) throw new Error("run the live suite with `npm run test:live` (it checks the settings and sets the run id)");
  return { settings: JSON.parse(raw) as LiveSettings, runId };
}

const { settings, runId } = fromRunner();
const cloud = settings.mode === "cloud";
// Real allocations and EIPs take seconds to minutes per step; the emulator's take milliseconds.
jest.setTimeout(cloud ? 30 * 60_000 : e2eTimeout(16));

let target: LiveTarget;
let stack: TestStack | undefined;
beforeAll(async () => {
  target = await openTarget(settings);
});
afterAll(async () => {
  await target?.close();
});

/** Whatever a failed scenario left in its stack is released through the checked delete, then the stack goes. */
afterEach(async () => {
  if (!stack) return;
  const left = await stack.resources().catch(() => []);
  for (const r of left) {
    if (r.type.endsWith(":AnycastEipAssociation") || !r.id) continue;
    const kind = r.type.endsWith(":AnycastEipAddress") ? "AnycastEipAddress" : "IpamPoolAllocation";
    await releaseItem(target, { kind, id: r.id, name: "", createdAt: "", status: "", ageMs: 0, bindings: [], decision: "release" }).catch((err: Error) =>
      process.stderr.write(`cleanup: ${kind} ${r.id} was not released (${err.message}); run npm run sweep:live -- --yes\n`),
    );
  }
  await stack.remove();
  stack = undefined;
});

function expectOk(r: RunResult): void {
  if (r.code !== 0) throw new Error(`pulumi exited ${r.code}:\n${r.output}`);
}

async function preflightReport(s: TestStack, exitCode: number): Promise<PreflightReport> {
  const r = await runPreflightCli(s, ["--json"]);
  if (r.code !== exitCode) throw new Error(`preflight exited ${r.code}, expected ${exitCode}:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as PreflightReport;
}

const DESCRIPTION = `Created by the pulumi-alicloud-release live suite, run ${runId}`;
const eipSpec = (name: string, args: Record<string, unknown> = {}) => ({
  type: "AnycastEipAddress",
  name,
  args: { serviceLocation: "international", bandwidth: 200, name: `${runId}-${name}`, description: DESCRIPTION, tags: { [MARKER_TAG_KEY]: runId }, ...args },
});

test("an allocation and an Anycast EIP: created, changed in place, preflight says releasable, destroy releases both", async () => {
  const alloc = (name: string) => ({ type: "IpamPoolAllocation", name: "alloc", args: { ipamPoolId: settings.poolId, cidrMask: 28, name, description: DESCRIPTION } });
  stack = new TestStack(target.stack);
  await stack.init([alloc(`${runId}-alloc`), eipSpec("eip")]);
  expectOk(await stack.up());
  const ids = Object.fromEntries((await stack.resources()).map((r) => [r.urn.split("::").pop(), r.id!]));
  expect((await getAllocation(target.operation(), ids.alloc))?.IpamPoolAllocationName).toBe(`${runId}-alloc`);
  const created = await describeAnycastEip(target.operation(), ids.eip);
  expect(created).toMatchObject({ name: `${runId}-eip`, tags: { [MARKER_TAG_KEY]: runId } });

  // in place: a new allocation name; a new EIP description and one more tag (same EIP, same address)
  await stack.setResources([alloc(`${runId}-alloc-renamed`), eipSpec("eip", { description: `${DESCRIPTION} (updated)`, tags: { [MARKER_TAG_KEY]: runId, stage: "updated" } })]);
  expect((await stack.plan()).ops).toEqual({ alloc: "update", eip: "update" });
  expectOk(await stack.up());
  expect((await getAllocation(target.operation(), ids.alloc))?.IpamPoolAllocationName).toBe(`${runId}-alloc-renamed`);
  const updated = await describeAnycastEip(target.operation(), ids.eip);
  expect(updated).toMatchObject({ anycastId: ids.eip, ipAddress: created!.ipAddress, description: `${DESCRIPTION} (updated)`, tags: { stage: "updated" } });

  const report = await preflightReport(stack, 0);
  // The report lists resources in state order, which the two parallel creates decide: compare by name.
  expect(report.resources.map((r) => [r.name, r.verdict]).sort(([a], [b]) => String(a).localeCompare(String(b)))).toEqual([
    ["alloc", "releasable"],
    ["eip", "releasable"],
  ]);

  expectOk(await stack.destroy());
  expect(await stack.resources()).toEqual([]);
  expect(await getAllocation(target.operation(), ids.alloc)).toBeUndefined();
  const after = await describeAnycastEip(target.operation(), ids.eip);
  expect(after === undefined || after.status === "Released").toBe(true);
});

const bind = settings.bind;
(bind ? test : test.skip)(
  `refused destroy: an EIP bound outside Pulumi is refused (predicted by preflight); detachOnDelete fixes it${bind ? "" : " [skipped: LIVE_BIND_INSTANCE_ID=none]"}`,
  async () => {
    const b = bind!;
    stack = new TestStack(target.stack);
    await stack.init([eipSpec("bound")]);
    expectOk(await stack.up());
    const [{ id }] = await stack.resources();
    const anycastId = id!;

    // bound "in the console": a direct call, then wait until the binding is BINDED
    const key = { anycastId, bindInstanceId: b.instanceId, bindInstanceRegionId: b.regionId, bindInstanceType: b.instanceType };
    await associateAnycastEip(target.operation(), { ...key, ...(b.privateIpAddress ? { privateIpAddress: b.privateIpAddress } : {}) });
    await waitForEip(target.operation(), `waiting for ${b.instanceId} to be bound`, anycastId, (r) => ({ done: findBinding(r, key)?.status === "BINDED" }));

    const report = await preflightReport(stack, 2);
    expect(report.resources).toEqual([expect.objectContaining({ name: "bound", verdict: "refused", bindings: [expect.objectContaining({ instanceId: b.instanceId, handling: "blocking" })] })]);

    const refused = await stack.destroy();
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`refusing to release Anycast EIP ${anycastId}`);
    expect(refused.output).toContain(`it is still associated with 1 instance: ${b.instanceId}`);
    expect((await stack.resources()).map((r) => r.id)).toEqual([anycastId]);

    await stack.setResources([eipSpec("bound", { detachOnDelete: true })]);
    expectOk(await stack.up());
    expectOk(await stack.destroy());
    expect(await stack.resources()).toEqual([]);
    const after = await describeAnycastEip(target.operation(), anycastId);
    expect(after === undefined || after.status === "Released").toBe(true);
  },
);

test("nothing of this run is left in the cloud, and no call was denied under the documented RAM policies", async () => {
  const plan = await describeSweepPlan(target, { now: Date.now(), olderThanMs: 0, olderThanLabel: "0s" });
  // a released EIP may stay listed for a while as Releasing / Released
  const ours = plan.items.filter((i) => i.name.startsWith(runId) && !["Releasing", "Released", "Deleted"].includes(i.status));
  expect(ours).toEqual([]);
  if (target.emulator) expect(target.emulator.control.calls().filter((c) => c.outcome.code === "Forbidden.RAM")).toEqual([]);
});
