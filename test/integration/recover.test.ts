/**
 * `recover` over real HTTP to the emulator, from stack exports shaped as `pulumi stack export` writes
 * them: a create whose call was committed but whose answer was lost (a `lost` fault, the create giving up
 * after one attempt — what a killed CLI leaves), one that never reached the service, and the cases where
 * recover must not send the create again: past the replay window, a stale create whose resource a later
 * run made again. Also the checks of interrupted deletes and updates, `--adopt`, and the orphans view.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CliIo } from "../../cli/io";
import { recoverCommand } from "../../cli/recover";
import { allocateAnycastEip } from "../../provider/anycast/api";
import { anycastEipAssociationLifecycle as assocLc } from "../../provider/anycast/association-lifecycle";
import { anycastEipAddressLifecycle as eipLc } from "../../provider/anycast/eip-lifecycle";
import { OWNER_TAG_KEY } from "../../provider/anycast/ownership";
import { envSource } from "../../provider/cloud/settings";
import { ipamPoolAllocationLifecycle as allocLc } from "../../provider/ipam/lifecycle";
import type { Lifecycle, Props } from "../../provider/lifecycle";
import { operationOf } from "../../provider/operation";
import { runRecover, RecoverOptions } from "../../provider/recover/run";
import { RecoverInputError, RecoverReport } from "../../provider/recover/types";
import { caught, emulatorContext, emulatorEnv } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";
import { checkedInputs, exportOf, identity, interruptedCreate as interruptedCreateIn, urnOf } from "../helpers/recover-export";
import { EIPANYCAST_INSTANT_TIMING, RunningEmulator, startEmulator } from "../../emulator";

const emu = useEmulator({ anycastTiming: "instant" });
const POOL = "ipam-pool-recover";
const HOUR = 3600_000;

const eips = () => (emu.control.state().eipanycast as { eips: { anycastId: string; tags: { key: string; value: string }[] }[] }).eips;
const allocations = () => (emu.control.state().vpcipam as { allocations: { ipamPoolAllocationId: string; cidr: string }[] }).allocations;
const lastSeq = () => emu.control.calls().reduce((m, c) => Math.max(m, c.seq), 0);
const mutationsSince = (seq: number) => emu.control.calls().filter((c) => c.seq > seq && c.mutating).map((c) => c.action);

const options = (extra: Partial<RecoverOptions> = {}): RecoverOptions => ({ settings: envSource(emulatorEnv(emu)), source: "test", apply: false, progress: () => undefined, ...extra });

const checked = (lc: Lifecycle, name: string, args: Props): Promise<Props> => checkedInputs(emu, lc, name, args);
const interruptedCreate = (lc: Lifecycle, inputs: Props, product: string, action: string): Promise<void> => interruptedCreateIn(emu, lc, inputs, product, action);

beforeEach(() => {
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: POOL, regionId: "cn-hangzhou", cidrs: ["10.9.0.0/16"] }] } });
});

describe("a pending create of an Anycast EIP", () => {
  test("committed, answer lost: the plan only reads; --yes sends the create again with the recorded token and finds the EIP — no second one", async () => {
    const inputs = await checked(eipLc, "web", { serviceLocation: "international", name: "web", tags: { env: "prod" } });
    await interruptedCreate(eipLc, inputs, "Eipanycast", "AllocateAnycastEipAddress");
    const [made] = eips();
    const exp = exportOf([{ type: "creating", kind: "AnycastEipAddress", name: "web", inputs }]);

    let mark = lastSeq();
    const plan = await runRecover(exp, options());
    expect(mutationsSince(mark)).toEqual([]);
    expect(plan.report.operations[0]).toMatchObject({ action: "resume", done: false, candidates: [{ id: made.anycastId }], token: { token: inputs.createToken, withinWindow: true } });
    expect(plan).toMatchObject({ write: false, recovered: [] });

    mark = lastSeq();
    const run = await runRecover(exp, options({ apply: true }));
    expect(run.report).toMatchObject({ exitCode: 0, operations: [{ action: "resume", done: true, objectId: made.anycastId, reason: expect.stringMatching(/^found .*: the interrupted create made it/) }] });
    expect(run.write).toBe(true);
    expect(run.recovered[0]).toMatchObject({ id: made.anycastId, outputs: { anycastId: made.anycastId, declaredTags: { env: "prod" }, resourceIdentity: identity("web") } });
    // The allocation was answered from the token (no effect); the create's remaining step tagged the EIP.
    const allocs = emu.control.calls().filter((c) => c.seq > mark && c.action === "AllocateAnycastEipAddress");
    expect(allocs.map((c) => [c.clientToken, c.replayed, c.mutating])).toEqual([[inputs.createToken, true, false]]);
    expect(eips()).toHaveLength(1);
    expect(eips()[0].tags).toEqual(expect.arrayContaining([{ key: "env", value: "prod" }, { key: OWNER_TAG_KEY, value: "net/dev/web" }]));
  });

  test("never reached the service: no candidate proves nothing was made; the pending create is dropped without a call that changes anything", async () => {
    const inputs = await checked(eipLc, "web", { serviceLocation: "international", name: "web" });
    // Not candidates: another name, a tracked EIP, an EIP tagged as another stack's.
    const seeded = emu.control.seed({
      eipanycast: { eips: [{ name: "other" }, { name: "web" }, { name: "web", tags: [{ key: OWNER_TAG_KEY, value: "net/prod/web" }] }] },
    }) as { eipanycast: { anycastIds: string[] } };
    const tracked = seeded.eipanycast.anycastIds[1];
    const exp = exportOf([{ type: "creating", kind: "AnycastEipAddress", name: "web", inputs }], [{ kind: "AnycastEipAddress", name: "old", id: tracked, inputs: {}, outputs: {} }]);
    const mark = lastSeq();
    const run = await runRecover(exp, options({ apply: true }));
    expect(run.report.operations[0]).toMatchObject({ action: "clear", done: true, candidates: [], reason: expect.stringMatching(/^no Anycast EIP was made/) });
    expect(run).toMatchObject({ write: true, recovered: [] });
    expect(mutationsSince(mark)).toEqual([]);
  });

  test("within the window, candidates that are not its own and a create that never arrived: the resent create makes the one EIP", async () => {
    const inputs = await checked(eipLc, "web", { serviceLocation: "international", name: "web" });
    const [stranger] = (emu.control.seed({ eipanycast: { eips: [{ name: "web" }] } }) as { eipanycast: { anycastIds: string[] } }).eipanycast.anycastIds;
    const run = await runRecover(exportOf([{ type: "creating", kind: "AnycastEipAddress", name: "web", inputs }]), options({ apply: true }));
    const made = run.recovered[0].id;
    expect(made).not.toBe(stranger);
    expect(run.report.operations[0]).toMatchObject({ action: "resume", candidates: [{ id: stranger }], reason: expect.stringMatching(/^made .*: the interrupted create had not reached the service/) });
    expect(eips().map((e) => e.anycastId).sort()).toEqual([stranger, made].sort());
  });

  test("past the replay window: candidates listed, exit 2, nothing sent; --adopt ID reads it into the state", async () => {
    const inputs = await checked(eipLc, "web", { serviceLocation: "international", name: "web" });
    await interruptedCreate(eipLc, inputs, "Eipanycast", "AllocateAnycastEipAddress");
    const [made] = eips();
    const exp = exportOf([{ type: "creating", kind: "AnycastEipAddress", name: "web", inputs }]);
    const later = () => Date.now() + 2 * HOUR;
    let mark = lastSeq();
    const run = await runRecover(exp, options({ apply: true, now: later }));
    expect(run.report).toMatchObject({ exitCode: 2, operations: [{ action: "decide", done: false, candidates: [{ id: made.anycastId }], token: { withinWindow: false } }] });
    expect(run.report.operations[0].reason).toMatch(/past the 60 min replay window: the service may have forgotten it, and sending the create again could make a second Anycast EIP/);
    expect(run.report.operations[0].next).toContain("recover --adopt <id> --yes");
    expect(run.write).toBe(false);
    expect(emu.control.calls().filter((c) => c.seq > mark && c.action === "AllocateAnycastEipAddress")).toEqual([]);

    mark = lastSeq();
    const adopted = await runRecover(exp, options({ apply: true, now: later, adopt: [made.anycastId] }));
    expect(adopted.report).toMatchObject({ exitCode: 0, operations: [{ action: "adopt", done: true, objectId: made.anycastId }] });
    expect(adopted.recovered[0]).toMatchObject({ id: made.anycastId, outputs: { anycastId: made.anycastId } });
    expect(mutationsSince(mark)).toEqual([]);
  });

  test("--adopt of an ID that is no candidate is refused before anything is done", async () => {
    const inputs = await checked(eipLc, "web", { serviceLocation: "international", name: "web" });
    const err = await caught(runRecover(exportOf([{ type: "creating", kind: "AnycastEipAddress", name: "web", inputs }]), options({ apply: true, adopt: ["aeip-nope"] })));
    expect(err).toBeInstanceOf(RecoverInputError);
    expect(err.message).toBe("--adopt aeip-nope: not a candidate of any pending create; there are no candidates");
  });

  test("stale: a later run made the resource again, so the create's EIP is an orphan — listed, never put into the state, never sent again", async () => {
    const inputs = await checked(eipLc, "web", { serviceLocation: "international", name: "web" });
    await interruptedCreate(eipLc, inputs, "Eipanycast", "AllocateAnycastEipAddress");
    const [orphan] = eips();
    const again = await checked(eipLc, "web", { serviceLocation: "international", name: "web" });
    const second = await eipLc.create(emulatorContext(emu), again);
    const exp = exportOf([{ type: "creating", kind: "AnycastEipAddress", name: "web", inputs }], [{ kind: "AnycastEipAddress", name: "web", id: second.id, inputs: again, outputs: second.outs as Props }]);
    const mark = lastSeq();
    const run = await runRecover(exp, options({ apply: true, listOrphans: true }));
    expect(run.report).toMatchObject({ exitCode: 2, operations: [{ action: "decide", candidates: [{ id: orphan.anycastId }] }] });
    // Killed before it was tagged: found as a candidate of the pending create.
    expect(run.report.orphans).toEqual([expect.objectContaining({ id: orphan.anycastId, via: `candidate of the interrupted create of ${urnOf("AnycastEipAddress", "web")}` })]);
    expect(run.write).toBe(false);
    expect(mutationsSince(mark)).toEqual([]);
  });
});

describe("--list-orphans", () => {
  test("EIPs with this stack's ownership tag that its state does not hold; not other stacks' and not its own tracked ones", async () => {
    const mine = await eipLc.create(emulatorContext(emu), await checked(eipLc, "lost", { serviceLocation: "international" }));
    const kept = await eipLc.create(emulatorContext(emu), await checked(eipLc, "kept", { serviceLocation: "international" }));
    emu.control.seed({ eipanycast: { eips: [{ tags: [{ key: OWNER_TAG_KEY, value: "net/prod/lost" }] }, {}] } });
    const exp = exportOf([], [{ kind: "AnycastEipAddress", name: "kept", id: kept.id, inputs: {}, outputs: kept.outs as Props }]);
    // An export with no pending operation names its stack through its resources.
    const run = await runRecover(exp, options({ listOrphans: true }));
    expect(run.report.orphans).toEqual([{ type: "AnycastEipAddress", id: mine.id, label: expect.stringContaining(mine.id), region: "cn-hangzhou", via: `ownership tag ${OWNER_TAG_KEY}=net/dev/lost` }]);
    expect(run.report.exitCode).toBe(2);
  });
});

describe("the ClientToken's lifetime (the emulator's assumption: 24 h)", () => {
  let offsetMs = 0;
  let clocked: RunningEmulator;
  beforeAll(async () => {
    clocked = await startEmulator({ port: 0, now: () => Date.now() + offsetMs });
    clocked.control.setTiming({ eipanycast: EIPANYCAST_INSTANT_TIMING });
  });
  afterAll(() => clocked.close());
  const clockedEips = () => (clocked.control.state().eipanycast as { eips: { anycastId: string }[] }).eips.map((e) => e.anycastId);

  test("25 h later recover (window 1 h) sends nothing and lists the EIP; a blind resend would have made a second one", async () => {
    const ctx = emulatorContext(clocked);
    const inputs = (await eipLc.check(ctx, {}, { serviceLocation: "international", name: "web", resourceIdentity: identity("web") })).inputs as Props;
    clocked.control.addFault({ product: "Eipanycast", action: "AllocateAnycastEipAddress", kind: "lost", count: 1 });
    await caught(eipLc.create(emulatorContext(clocked, { retry: { maxAttempts: 1 } }), inputs));
    const [made] = clockedEips();
    offsetMs = 25 * HOUR;

    const later = () => Date.now() + offsetMs;
    const run = await runRecover(exportOf([{ type: "creating", kind: "AnycastEipAddress", name: "web", inputs }]), { ...options({ apply: true, now: later }), settings: envSource(emulatorEnv(clocked)) });
    expect(run.report.operations[0]).toMatchObject({ action: "decide", candidates: [{ id: made }] });
    expect(clocked.control.calls().filter((c) => c.action === "AllocateAnycastEipAddress")).toHaveLength(1);

    // What recover avoided: the service has forgotten the token, so the same create makes a second EIP.
    const request = { serviceLocation: "international", bandwidth: 1000, instanceChargeType: "PostPaid", internetChargeType: "PayByTraffic", name: "web" };
    const second = await allocateAnycastEip(operationOf(ctx, inputs), request, inputs.createToken as string);
    expect(second).not.toBe(made);
    expect(clockedEips()).toEqual([made, second]);
  });
});

describe("a pending create of an IPAM allocation", () => {
  test("by prefix length, committed: resent with the token, found", async () => {
    const inputs = await checked(allocLc, "block", { ipamPoolId: POOL, cidrMask: 24, name: "block" });
    await interruptedCreate(allocLc, inputs, "VpcIpam", "CreateIpamPoolAllocation");
    const [made] = allocations();
    const run = await runRecover(exportOf([{ type: "creating", kind: "IpamPoolAllocation", name: "block", inputs }]), options({ apply: true }));
    expect(run.report.operations[0]).toMatchObject({ action: "resume", done: true, objectId: made.ipamPoolAllocationId, candidates: [{ id: made.ipamPoolAllocationId }] });
    expect(run.recovered[0].outputs).toMatchObject({ allocationId: made.ipamPoolAllocationId, cidr: made.cidr, cidrMask: 24 });
    expect(allocations()).toHaveLength(1);
  });

  test("by explicit CIDR, past the window: still safe to resend (a block cannot be allocated twice), found", async () => {
    const inputs = await checked(allocLc, "block", { ipamPoolId: POOL, cidr: "10.9.4.0/24" });
    await interruptedCreate(allocLc, inputs, "VpcIpam", "CreateIpamPoolAllocation");
    const [made] = allocations();
    const run = await runRecover(exportOf([{ type: "creating", kind: "IpamPoolAllocation", name: "block", inputs }]), options({ apply: true, now: () => Date.now() + 2 * HOUR }));
    expect(run.report.operations[0]).toMatchObject({ action: "resume", done: true, objectId: made.ipamPoolAllocationId });
    expect(allocations()).toHaveLength(1);
  });

  test("by explicit CIDR held by an allocation the create did not make: the resent create is refused, so the pending create is dropped", async () => {
    const inputs = await checked(allocLc, "block", { ipamPoolId: POOL, cidr: "10.9.4.0/24" });
    emu.control.seed({ vpcipam: { allocations: [{ ipamPoolId: POOL, cidr: "10.9.4.0/24", resourceType: "Custom" }] } });
    const run = await runRecover(exportOf([{ type: "creating", kind: "IpamPoolAllocation", name: "block", inputs }]), options({ apply: true }));
    expect(run.report).toMatchObject({ exitCode: 0, operations: [{ action: "clear", done: true, reason: expect.stringMatching(/^the block is held by another allocation .*which this create did not make/) }] });
    expect(run.recovered).toEqual([]);
    expect(allocations()).toHaveLength(1);
  });
});

describe("a pending create of an association", () => {
  test("bound: taken over (no second Associate); not bound: dropped", async () => {
    const eip = await eipLc.create(emulatorContext(emu), await checked(eipLc, "edge", { serviceLocation: "international" }));
    const args = { anycastId: eip.id, bindInstanceId: "eni-recover1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" };
    const inputs = await checked(assocLc, "bind", args);
    const exp = exportOf([{ type: "creating", kind: "AnycastEipAssociation", name: "bind", inputs }], [{ kind: "AnycastEipAddress", name: "edge", id: eip.id, inputs: {}, outputs: eip.outs as Props }]);
    expect((await runRecover(exp, options({ apply: true }))).report.operations[0]).toMatchObject({ action: "clear", reason: expect.stringMatching(/^the EIP has no such binding/) });

    // The association went through; the run that made it died before the engine recorded the answer.
    await assocLc.create(emulatorContext(emu), inputs);
    const mark = lastSeq();
    const run = await runRecover(exp, options({ apply: true }));
    const id = `${eip.id}:eni-recover1:us-west-1:NetworkInterface`;
    expect(run.report.operations[0]).toMatchObject({ action: "resume", done: true, objectId: id });
    expect(run.recovered[0].outputs).toMatchObject({ anycastId: eip.id, status: "BINDED" });
    expect(mutationsSince(mark)).toEqual([]);
  });
});

describe("pending deletes and updates", () => {
  test("a delete whose release went through: running it again is enough; one whose object remains: it releases it", async () => {
    const eip = await eipLc.create(emulatorContext(emu), await checked(eipLc, "edge", { serviceLocation: "international" }));
    const entry = { kind: "AnycastEipAddress", name: "edge", id: eip.id, inputs: {}, outputs: eip.outs as Props };
    const exp = exportOf([{ type: "deleting", ...entry }], [entry]);
    expect((await runRecover(exp, options())).report.operations[0]).toMatchObject({ action: "rerun", reason: expect.stringMatching(/running the command again releases it/) });
    await eipLc.delete(emulatorContext(emu), eip.id, eip.outs as Props);
    expect((await runRecover(exp, options())).report).toMatchObject({ exitCode: 0, operations: [{ action: "rerun", reason: expect.stringMatching(/no release is sent$/) }] });
  });

  test("an update whose object is gone needs a decision (a refresh, then up makes a new one)", async () => {
    const inputs = await checked(allocLc, "block", { ipamPoolId: POOL, cidrMask: 24 });
    const made = await allocLc.create(emulatorContext(emu), inputs);
    const entry = { kind: "IpamPoolAllocation", name: "block", id: made.id, inputs, outputs: made.outs as Props };
    // The engine records an update's new inputs without the ID.
    const exp = exportOf([{ type: "updating", kind: "IpamPoolAllocation", name: "block", inputs: { ...inputs, name: "renamed" } }], [entry]);
    expect((await runRecover(exp, options())).report.operations[0]).toMatchObject({ action: "rerun", id: made.id });
    await allocLc.delete(emulatorContext(emu), made.id, made.outs as Props);
    expect((await runRecover(exp, options())).report).toMatchObject({ exitCode: 2, operations: [{ action: "decide", next: expect.stringContaining("pulumi refresh") }] });
  });
});

describe("settings: the provider config stored in the state, then the environment (as `pulumi destroy` reads them)", () => {
  let other: RunningEmulator;
  beforeAll(async () => {
    other = await startEmulator({ port: 0 });
  });
  afterAll(() => other.close());

  test("--state: the interrupted create is looked for where the stored config points, not where the environment points", async () => {
    const inputs = await checked(eipLc, "web", { serviceLocation: "international", name: "web" });
    await interruptedCreate(eipLc, inputs, "Eipanycast", "AllocateAnycastEipAddress");
    const [made] = eips();
    const exp = exportOf([{ type: "creating", kind: "AnycastEipAddress", name: "web", inputs }]);
    // The provider the create ran with: its config (recorded by the engine) points at `emu`.
    const provider = {
      urn: "urn:pulumi:dev::net::pulumi:providers:pulumi-nodejs::default",
      custom: true,
      id: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
      type: "pulumi:providers:pulumi-nodejs",
      inputs: {
        "alicloud:region": "cn-hangzhou",
        "alicloud:endpoints": JSON.stringify([{ vpcipam: emu.url, eipanycast: emu.url }]),
        "alicloud:accessKey": emu.accessKeyId,
        "alicloud:secretKey": { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify(emu.accessKeySecret) },
        "alicloud-release:retryBaseDelayMs": "0",
      },
      outputs: {},
    };
    const deployment = exp.doc.deployment as { resources: unknown[]; pending_operations: { resource: Record<string, unknown> }[] };
    deployment.resources.unshift(provider);
    deployment.pending_operations[0].resource.provider = `${provider.urn}::${provider.id}`;
    const dir = mkdtempSync(path.join(tmpdir(), "recover-settings-"));
    try {
      writeFileSync(path.join(dir, "state.json"), JSON.stringify(exp.doc));
      let stdout = "";
      // The environment points at another emulator (another account, say): the destroy would not look there.
      const io: CliIo = { stdout: (t) => (stdout += t), stderr: () => undefined, env: emulatorEnv(other), cwd: dir };
      const mark = lastSeq();
      expect(await recoverCommand(["--state", "state.json", "--json"], io)).toBe(0);
      const report = JSON.parse(stdout) as RecoverReport;
      expect(report.operations[0]).toMatchObject({ action: "resume", candidates: [{ id: made.anycastId }] });
      expect(emu.control.calls().filter((c) => c.seq > mark).map((c) => c.action)).toEqual(["ListAnycastEipAddresses"]);
      expect(other.control.calls()).toEqual([]);
      expect(report.settings).toEqual({ from: "state", label: expect.stringMatching(/^the state's stored provider config/) });

      stdout = "";
      expect(await recoverCommand(["--state", "state.json"], io)).toBe(0);
      expect(stdout).toContain("Settings from the state's stored provider config (last `pulumi up`), then environment variables");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("recover --state FILE --yes --out FILE", () => {
  test("reads the export, settles the create, writes the recovered export for `pulumi stack import`", async () => {
    const inputs = await checked(eipLc, "web", { serviceLocation: "international", name: "web" });
    await interruptedCreate(eipLc, inputs, "Eipanycast", "AllocateAnycastEipAddress");
    const [made] = eips();
    const dir = mkdtempSync(path.join(tmpdir(), "recover-state-"));
    try {
      const exp = exportOf([{ type: "creating", kind: "AnycastEipAddress", name: "web", inputs }]);
      writeFileSync(path.join(dir, "state.json"), JSON.stringify(exp.doc));
      let stdout = "";
      let stderr = "";
      const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: emulatorEnv(emu), cwd: dir };
      expect(await recoverCommand(["--state", "state.json", "--yes", "--out", "recovered.json"], io)).toBe(0);
      expect(stdout).toContain("→ sent the create again");
      expect(stdout).toContain("The recovered export was written to recovered.json (1 resource added, no pending operations left): load it with `pulumi stack import --file recovered.json`");
      const written = JSON.parse(readFileSync(path.join(dir, "recovered.json"), "utf8")) as { deployment: { resources: { id: string }[]; pending_operations: unknown[] } };
      expect(written.deployment.resources.map((r) => r.id)).toEqual([made.anycastId]);
      expect(written.deployment.pending_operations).toEqual([]);
      expect(eips()).toHaveLength(1);
      expect(stderr).not.toContain("Error");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
