/**
 * A `pulumi destroy` / `pulumi up` killed mid-way (SIGKILL of the CLI and the plugins it started, as a
 * crashed CI runner would), then recovered as a user would — the steps in docs/recovery.md, with the
 * package's `recover` command run as a user runs it. The emulator's call log and inventory show nothing
 * is leaked and nothing is released twice. (Every API-call boundary: test/e2e/kill-points.e2e.test.ts.)
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { CallRecord, RunningEmulator, startEmulator } from "../../emulator";
import type { RecoverReport } from "../../provider/recover/types";
import { cloudCall, FIXTURE, TestStack, e2eTimeout } from "./harness";
import { useEmulator } from "../helpers/emulator";

// Scaled with the work: its longest test runs 22 commands (recover runs 2–4 pulumi commands itself).
jest.setTimeout(e2eTimeout(22));

const MAIN = path.join(__dirname, "..", "..", "dist", "cli", "main.js");

/** `pulumi-alicloud-release recover <args>` in the fixture project, with the stack's environment (asynchronous: the emulator runs in this process). */
function recover(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, "recover", ...args], { cwd: FIXTURE, env }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : null, stdout, stderr });
    });
  });
}
const recoverJson = async (s: TestStack, args: string[]): Promise<{ code: number | null; report: RecoverReport; stderr: string }> => {
  const r = await recover(["--stack", s.stack, "--json", ...args], s.env);
  return { code: r.code, report: JSON.parse(r.stdout) as RecoverReport, stderr: r.stderr };
};

const emu = useEmulator({ anycastTiming: "instant" });
let stack: TestStack | undefined;
afterEach(async () => {
  emu.control.clearFaults();
  await stack?.remove();
  stack = undefined;
});

interface EipInventory {
  anycastId: string;
  status: string;
}
interface AllocationInventory {
  ipamPoolAllocationId: string;
  ipamPoolAllocationName?: string;
  cidr: string;
}
const eips = () => (emu.control.state().eipanycast as { eips: EipInventory[] }).eips;
const allocations = () => (emu.control.state().vpcipam as { allocations: AllocationInventory[] }).allocations;
const callsSince = (seq: number): CallRecord[] => emu.control.calls().filter((c) => c.seq > seq);
const lastSeq = (): number => emu.control.calls().reduce((m, c) => Math.max(m, c.seq), 0);
const called = (action: string, since = 0) => (): boolean => callsSince(since).some((c) => c.action === action);
/** Polls the call log (the only waiting these tests do); the default bound is three commands' budget. */
async function until(condition: () => boolean, what: string, timeoutMs = e2eTimeout(3)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const destroyArgs = (s: TestStack) => ["destroy", "--yes", "--skip-preview", "--non-interactive", "-s", s.stack];
const upArgs = (s: TestStack) => ["up", "--yes", "--skip-preview", "--non-interactive", "-s", s.stack];

const LB = "lb-e2erecovery012345";
const eipSpec = { type: "AnycastEipAddress", name: "eip", args: { serviceLocation: "international", bandwidth: 200 } };
const assocSpec = {
  type: "AnycastEipAssociation",
  name: "assoc",
  args: { anycastId: { $ref: "eip.anycastId" }, bindInstanceId: LB, bindInstanceRegionId: "cn-hangzhou", bindInstanceType: "SlbInstance" },
};

describe("a destroy killed while the EIP release is in flight", () => {
  test("the stack is locked and has a pending delete; `pulumi cancel` + `pulumi destroy` finishes without a second release", async () => {
    stack = new TestStack(emu);
    await stack.init([eipSpec, assocSpec]);
    expect((await stack.up()).code).toBe(0);
    const [{ anycastId }] = eips();

    // The release is committed at once but its answer is held back: the CLI is killed while it waits.
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "latency", latencyMs: 30_000 });
    let mark = lastSeq();
    const killed = await stack.runKilledWhen(destroyArgs(stack), called("ReleaseAnycastEipAddress", mark));
    emu.control.clearFaults();
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.killed.length).toBeGreaterThanOrEqual(2); // the CLI and the dynamic-provider process
    expect(callsSince(mark).filter((c) => c.mutating).map((c) => c.action)).toEqual(["UnassociateAnycastEipAddress", "ReleaseAnycastEipAddress"]);

    // What the killed run left: the association is gone from state (its delete completed), the EIP is
    // still there with a pending "deleting" operation, and the file backend's lock is still held.
    expect((await stack.resources()).map((r) => r.urn)).toEqual([stack.urn("AnycastEipAddress", "eip")]);
    expect((await stack.pendingOperations()).map((op) => [op.type, op.resource.urn, op.resource.id])).toEqual([["deleting", stack.urn("AnycastEipAddress", "eip"), anycastId]]);
    const locked = await stack.destroy();
    expect(locked.code).not.toBe(0);
    expect(locked.output).toContain("the stack is currently locked");
    expect(locked.output).toContain("pulumi cancel");

    // Recovery: remove the lock; recover checks the cloud (read-only) and says re-running is enough; destroy again.
    expect((await stack.cancel()).code).toBe(0);
    mark = lastSeq();
    const checked = await recoverJson(stack, ["--yes"]);
    expect(checked.code).toBe(0);
    expect(checked.report).toMatchObject({ exitCode: 0, written: false, operations: [{ operation: "deleting", id: anycastId, action: "rerun", reason: expect.stringMatching(/no release is sent$/) }] });
    expect(callsSince(mark).filter((c) => c.mutating)).toEqual([]);
    mark = lastSeq();
    const again = await stack.destroy();
    expect(again.code).toBe(0);
    expect(again.output).toContain("interrupted while deleting");
    expect(again.output).toContain(`Anycast EIP ${anycastId}: the EIP does not exist (already released); nothing to release`);
    // The second run only looked: no release (or any other change) was sent, and nothing failed but the
    // not-found that tells it the EIP is gone.
    expect(callsSince(mark).map((c) => [c.action, c.outcome.status])).toEqual([["DescribeAnycastEipAddress", 404]]);
    expect(eips()).toEqual([]);
    expect(await stack.resources()).toEqual([]);
    expect(await stack.pendingOperations()).toEqual([]);
  });

  test("killed while waiting for a slow release: the next destroy waits it out instead of releasing again", async () => {
    stack = new TestStack(emu);
    await stack.init([eipSpec]);
    expect((await stack.up()).code).toBe(0);
    const [{ anycastId }] = eips();

    // Releasing is held until settle(): the EIP stays "Releasing" across the kill.
    emu.control.setTiming({ eipanycast: { Releasing: null } });
    let mark = lastSeq();
    const releasedAt = () => callsSince(mark).find((c) => c.action === "ReleaseAnycastEipAddress")?.seq;
    const killed = await stack.runKilledWhen(destroyArgs(stack), () => {
      const seq = releasedAt();
      return seq !== undefined && callsSince(seq).some((c) => c.action === "DescribeAnycastEipAddress");
    });
    expect(killed.signal).toBe("SIGKILL");
    expect(eips()).toEqual([expect.objectContaining({ anycastId, status: "Releasing" })]);

    expect((await stack.cancel()).code).toBe(0);
    mark = lastSeq();
    const again = stack.destroy();
    // The release finishes in the cloud while the second destroy is watching it: settle once it has seen
    // "Releasing" twice (the check before releasing, then the first probe of its wait).
    const describes = () => callsSince(mark).filter((c) => c.action === "DescribeAnycastEipAddress").length;
    await until(() => describes() >= 2, "the second destroy to wait for the EIP");
    emu.control.settle();
    const result = await again;
    expect(result.code).toBe(0);
    expect(result.output).toContain(`waiting for Anycast EIP ${anycastId} to settle before releasing: Releasing`);
    expect(result.output).toContain(`Anycast EIP ${anycastId}: the EIP does not exist (already released); nothing to release`);
    expect(callsSince(mark).filter((c) => c.action !== "DescribeAnycastEipAddress")).toEqual([]);
    expect(eips()).toEqual([]);
    expect(await stack.resources()).toEqual([]);
    expect(await stack.pendingOperations()).toEqual([]);
  });
});

describe("an up killed while a create is in flight", () => {
  const POOL = "ipam-pool-e2erecovery";
  const allocSpec = { type: "IpamPoolAllocation", name: "alloc", args: { ipamPoolId: POOL, cidrMask: 24, name: "web" } };
  const allocIds = () => allocations().map((a) => a.ipamPoolAllocationId).sort();

  /** Runs `pulumi up` and kills it once `action` has been committed (its answer held back); unlocks the stack. */
  async function killedCreate(s: TestStack, spec: unknown, product: "VpcIpam" | "Eipanycast", action: string): Promise<void> {
    emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: POOL, regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
    await s.init([spec]);
    emu.control.addFault({ product, action, kind: "latency", latencyMs: 600_000 });
    const killed = await s.runKilledWhen(upArgs(s), called(action));
    emu.control.clearFaults();
    expect(killed.signal).toBe("SIGKILL");
    // The object exists, but the engine never learnt its ID: a pending "creating" operation without one —
    // whose recorded inputs are the checked ones, with the ClientToken the interrupted call carried.
    expect((await s.pendingOperations()).map((op) => [op.type, op.resource.id])).toEqual([["creating", undefined]]);
    const [pending] = (await s.exportState()).deployment.pending_operations as { resource: { inputs: { createToken?: string } } }[];
    expect(emu.control.calls().filter((c) => c.action === action).map((c) => c.clientToken)).toEqual([pending.resource.inputs.createToken]);
    expect(await s.resources()).toEqual([]);
    expect((await s.cancel()).code).toBe(0);
  }

  test("`pulumi up` before recover makes a second allocation; recover lists the first as an orphan and writes nothing until it is released", async () => {
    stack = new TestStack(emu);
    await killedCreate(stack, allocSpec, "VpcIpam", "CreateIpamPoolAllocation");
    const [orphan] = allocIds();

    // The documented mistake: up again. The CLI only warns, and makes a second allocation.
    const rerun = await stack.up();
    expect(rerun.code).toBe(0);
    expect(rerun.output).toContain("interrupted while creating");
    const [managed] = await stack.resources();
    expect(allocIds()).toEqual([orphan, managed.id].sort());

    // recover: the pending create is stale (the state holds a later one); its allocation is listed, not adopted.
    let mark = lastSeq();
    const stale = await recoverJson(stack, ["--yes"]);
    expect(stale.code).toBe(2);
    expect(stale.report).toMatchObject({ written: false, operations: [{ operation: "creating", action: "decide", candidates: [{ id: orphan }] }] });
    const orphans = await recoverJson(stack, ["--list-orphans"]);
    expect(orphans.report.orphans).toEqual([expect.objectContaining({ type: "IpamPoolAllocation", id: orphan, via: `candidate of the interrupted create of ${stack.urn("IpamPoolAllocation", "alloc")}` })]);
    expect(callsSince(mark).filter((c) => c.mutating)).toEqual([]);
    expect(await stack.pendingOperations()).toHaveLength(1);

    // Released by hand, the pending create has no candidate left: recover drops it.
    await cloudCall(emu, "VpcIpam", "DeleteIpamPoolAllocation", { RegionId: "cn-hangzhou", IpamPoolAllocationId: orphan });
    mark = lastSeq();
    const cleared = await recoverJson(stack, ["--yes"]);
    expect(cleared).toMatchObject({ code: 0, report: { written: true, operations: [{ action: "clear", done: true }] } });
    expect(callsSince(mark).filter((c) => c.mutating)).toEqual([]);
    expect(await stack.pendingOperations()).toEqual([]);
    expect((await stack.up(["--expect-no-changes"])).code).toBe(0);

    expect((await stack.destroy()).code).toBe(0);
    expect(allocations()).toEqual([]);
  });

  test("past the replay window (--replay-window 0): the candidate is listed and adopted only with --adopt; then up has no changes and destroy releases it once", async () => {
    stack = new TestStack(emu);
    await killedCreate(stack, eipSpec, "Eipanycast", "AllocateAnycastEipAddress");
    const [{ anycastId }] = eips();

    let mark = lastSeq();
    const plan = await recover(["--stack", stack.stack, "--replay-window", "0"], stack.env);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(`candidates: Anycast EIP ${anycastId} (`);
    expect(plan.stdout).toMatch(/→ needs a decision: 1 candidate; its ClientToken was recorded \d+ s ago, past the 0 s replay window/);
    expect(plan.stdout).toContain("recover --adopt <id> --yes");
    expect(plan.stdout).toContain("Nothing was written");

    const adopted = await recoverJson(stack, ["--replay-window", "0", "--adopt", anycastId, "--yes"]);
    expect(adopted).toMatchObject({ code: 0, report: { written: true, operations: [{ action: "adopt", done: true, objectId: anycastId }] } });
    expect(callsSince(mark).filter((c) => c.mutating)).toEqual([]);
    expect((await stack.resources()).map((r) => r.id)).toEqual([anycastId]);
    expect((await stack.up(["--expect-no-changes"])).code).toBe(0);

    mark = lastSeq();
    expect((await stack.destroy()).code).toBe(0);
    expect(callsSince(mark).filter((c) => c.mutating).map((c) => [c.action, c.params.AnycastId])).toEqual([["ReleaseAnycastEipAddress", anycastId]]);
    expect(eips()).toEqual([]);
  });
});

describe("settings: recover looks where the interrupted run made the object (and where destroy looks)", () => {
  const POOL = "ipam-pool-e2erecovery";
  let other: RunningEmulator;
  beforeAll(async () => {
    other = await startEmulator({ port: 0 });
  });
  afterAll(() => other.close());

  test("the stack config now points at another endpoint: by default recover reads the stored provider config; --run-program reads the current one", async () => {
    stack = new TestStack(emu);
    emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: POOL, regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
    await stack.init([eipSpec]);
    emu.control.addFault({ product: "Eipanycast", action: "AllocateAnycastEipAddress", kind: "latency", latencyMs: 600_000 });
    expect((await stack.runKilledWhen(upArgs(stack), called("AllocateAnycastEipAddress"))).signal).toBe("SIGKILL");
    emu.control.clearFaults();
    expect((await stack.cancel()).code).toBe(0);
    const [{ anycastId }] = eips();
    // After the kill the stack config is pointed elsewhere (another account or region, a moved endpoint).
    await stack.ok(["config", "set", "alicloud:endpoints", JSON.stringify([{ vpcipam: other.url, eipanycast: other.url }]), "-s", stack.stack]);

    const plan = await recover(["--stack", stack.stack], stack.env);
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("Settings from the state's stored provider config (last `pulumi up`), then environment variables");
    expect(plan.stdout).toContain(`candidates: Anycast EIP ${anycastId} (`);
    expect(other.control.calls()).toEqual([]);

    // Where the current config points there is no candidate: that plan would drop the pending create.
    const current = await recoverJson(stack, ["--run-program"]);
    expect(current.report).toMatchObject({ settings: { from: "stack-config" }, operations: [{ action: "clear", candidates: [] }] });
    expect(other.control.calls().map((c) => c.action)).toEqual(["ListAnycastEipAddresses"]);

    const done = await recoverJson(stack, ["--yes"]);
    expect(done).toMatchObject({ code: 0, report: { settings: { from: "state" }, written: true, operations: [{ action: "resume", done: true, objectId: anycastId }] } });
    expect((await stack.resources()).map((r) => r.id)).toEqual([anycastId]);
    // destroy reads the stored config as well: it releases the EIP where it was made.
    expect((await stack.destroy()).code).toBe(0);
    expect(eips()).toEqual([]);
    expect(other.control.calls().filter((c) => c.mutating)).toEqual([]);
  });
});

describe("the create token is never reused", () => {
  test("`--replace` with identical inputs and a destroy-then-up each send a new token: a new EIP every time, none answered with an earlier one", async () => {
    stack = new TestStack(emu);
    await stack.init([eipSpec]);
    expect((await stack.up()).code).toBe(0);
    const [{ anycastId: first }] = eips();
    const urn = stack.urn("AnycastEipAddress", "eip");
    const replaced = await stack.up(["--replace", urn]);
    expect(replaced.code).toBe(0);
    const [{ anycastId: second }] = eips();
    expect(second).not.toBe(first);
    expect((await stack.destroy()).code).toBe(0);
    expect((await stack.up()).code).toBe(0);
    const [{ anycastId: third }] = eips();
    expect([first, second]).not.toContain(third);

    // Three allocations, three tokens — each the one check recorded in that run's inputs — none replayed.
    const allocs = emu.control.calls().filter((c) => c.action === "AllocateAnycastEipAddress");
    expect(allocs.map((c) => [c.mutating, c.replayed])).toEqual([[true, false], [true, false], [true, false]]);
    expect(new Set(allocs.map((c) => c.clientToken)).size).toBe(3);
    const [stored] = await stack.resources();
    const inputs = ((await stack.exportState()).deployment.resources as { urn: string; inputs: { createToken?: string } }[]).find((r) => r.urn === urn)!.inputs;
    expect(stored.id).toBe(third);
    expect(allocs[2].clientToken).toBe(inputs.createToken);
    expect(eips()).toHaveLength(1);
  });
});

describe("bad input to recover: a clear error, exit 1, nothing changed", () => {
  test("an unknown stack, no pulumi on PATH, an unreadable or malformed --state, a bad option", async () => {
    stack = new TestStack(emu); // its environment only: a backend with no stack in it
    const mark = lastSeq();

    const unknown = await recover(["--stack", "no-such-stack", "--yes"], stack.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^pulumi-alicloud-release recover: `pulumi stack export --show-secrets --stack no-such-stack` \(in .*\) exited with \d+: error: no stack named 'no-such-stack' found/);

    const noCli = await recover(["--stack", "dev", "--yes"], { ...stack.env, PATH: "/nonexistent" });
    expect(noCli.code).toBe(1);
    expect(noCli.stderr).toContain("the pulumi CLI was not found on PATH");

    const unreadable = await recover(["--state", "/nonexistent/state.json"], stack.env);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toMatch(/^pulumi-alicloud-release recover: cannot read --state \/nonexistent\/state.json: ENOENT/);

    const malformed = await recover(["--state", path.join(FIXTURE, "Pulumi.yaml"), "--json"], stack.env);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/Pulumi\.yaml is not JSON/);
    expect(JSON.parse(malformed.stdout)).toMatchObject({ version: 1, exitCode: 1, error: expect.stringMatching(/is not JSON/) });

    const badOption = await recover(["--stack", "dev", "--replay-window", "soon"], stack.env);
    expect(badOption.code).toBe(1);
    expect(badOption.stderr).toContain('--replay-window "soon" is not a duration');

    // Nothing was called, nothing was made.
    expect(callsSince(mark)).toEqual([]);
    expect(JSON.parse((await stack.ok(["stack", "ls", "--json"])).stdout)).toEqual([]);
  });
});
