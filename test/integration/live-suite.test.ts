/**
 * The live suite's own guard rails, without touching any cloud: `npm run test:live` and `npm run
 * sweep:live` refuse to run against Alibaba Cloud without their settings (listing what is missing, exit 2,
 * nothing started); the sweeper's plan changes nothing, its release never touches an unmarked object, and
 * docs/ram-policy-sweep.json is both enough and minimal for it.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { associateAnycastEip } from "../../provider/anycast/api";
import { Props } from "../../provider/lifecycle";
import { REGISTRY } from "../../provider/registry";
import { MARKER_PREFIX, MARKER_TAG_KEY, liveSettings, parseDuration } from "../live/settings";
import { decide, executeSweep, describeSweepPlan } from "../live/sweep";
import { LiveTarget, openTarget } from "../live/target";
import { actionOf, documentedPolicy, withoutStatement } from "../helpers/ram-scenarios";

const REPO = path.resolve(__dirname, "..", "..");

/** Runs one of the live scripts as `npm run` would, with exactly `env` (plus PATH). */
function runScript(file: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", file, ...args], { cwd: REPO, env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("without its settings, the live mode refuses to run", () => {
  test("npm run test:live: every missing setting named, exit 2, no test started", async () => {
    const r = await runScript("test/live/run.ts", [], {});
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe("npm run test:live: not run against Alibaba Cloud — missing settings:");
    expect(lines.slice(1, -1).map((l) => l.trim().split(":")[0])).toEqual([
      "PULUMI_ALICLOUD_RELEASE_LIVE",
      "ALIBABA_CLOUD_ACCESS_KEY_ID + ALIBABA_CLOUD_ACCESS_KEY_SECRET",
      "ALIBABA_CLOUD_REGION",
      "LIVE_IPAM_POOL_ID",
      "LIVE_BIND_INSTANCE_ID",
    ]);
    expect(lines.at(-1)).toContain("Nothing was created.");
  });

  test("npm run sweep:live: the same, with only what the sweeper needs", async () => {
    const r = await runScript("test/live/sweep-cli.ts", ["--yes"], { PULUMI_ALICLOUD_RELEASE_LIVE: "1", ALIBABA_CLOUD_ACCESS_KEY_ID: "id", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "secret" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^npm run sweep:live: not run against Alibaba Cloud — missing settings:\n {2}ALIBABA_CLOUD_REGION: .*\n {2}LIVE_IPAM_POOL_ID: .*\nNothing was created/);
  });

  test("half the settings are not enough; all of them are", () => {
    const base = { PULUMI_ALICLOUD_RELEASE_LIVE: "1", ALICLOUD_ACCESS_KEY: "id", ALICLOUD_SECRET_KEY: "s", ALICLOUD_REGION: "us-west-1", LIVE_IPAM_POOL_ID: "ipam-pool-1" };
    expect(liveSettings("cloud", { ...base, PULUMI_ALICLOUD_RELEASE_LIVE: "yes", LIVE_BIND_INSTANCE_ID: "none" })).toEqual({ missing: [expect.objectContaining({ name: "PULUMI_ALICLOUD_RELEASE_LIVE" })] });
    expect(liveSettings("cloud", { ...base, LIVE_BIND_INSTANCE_ID: "eni-1", LIVE_BIND_INSTANCE_TYPE: "Ecs" })).toEqual({ missing: [expect.objectContaining({ name: "LIVE_BIND_INSTANCE_TYPE" })] });
    expect(liveSettings("cloud", { ...base, LIVE_BIND_INSTANCE_ID: "none" })).toEqual({ settings: { mode: "cloud", region: "us-west-1", poolId: "ipam-pool-1", bind: null } });
    expect(liveSettings("cloud", { ...base, LIVE_BIND_INSTANCE_ID: "eni-1" })).toEqual({
      settings: { mode: "cloud", region: "us-west-1", poolId: "ipam-pool-1", bind: { instanceId: "eni-1", instanceType: "NetworkInterface", regionId: "us-west-1" } },
    });
  });

  test.each([
    ["6h", 6 * 3_600_000],
    ["30m", 1_800_000],
    ["45s", 45_000],
    ["2d", 172_800_000],
    ["1.5h", 5_400_000],
    ["6", undefined],
    ["-1h", undefined],
    ["6 hours", undefined],
  ])("--older-than %s → %s ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test("sweep:live refuses a bad --older-than before it looks at any setting", async () => {
    const r = await runScript("test/live/sweep-cli.ts", ["--older-than", "six hours"], {});
    expect(r).toMatchObject({ code: 2, stderr: '--older-than must be a duration like 6h, 30m, 45s or 2d (got "six hours")\n' });
  });
});

describe("the sweeper against the emulator", () => {
  let target: LiveTarget;
  let shift = 0;
  beforeEach(async () => {
    shift = 0;
    const checked = liveSettings("emulator", {});
    if (!("settings" in checked)) throw new Error("the emulator needs no settings");
    target = await openTarget(checked.settings, { now: () => Date.now() + shift, ramPolicy: false });
  });
  afterEach(() => target.close());

  const create = async (kind: "AnycastEipAddress" | "IpamPoolAllocation", args: Props) => {
    const lc = REGISTRY[kind].loadLifecycle();
    const { inputs } = await lc.check(target.context(() => undefined), {}, args);
    return (await lc.create(target.context(() => undefined), inputs as Props)).id;
  };
  const eip = (name: string, tags: Record<string, string> = {}) => create("AnycastEipAddress", { serviceLocation: "international", name, tags });
  const alloc = (name: string) => create("IpamPoolAllocation", { ipamPoolId: target.settings.poolId, cidrMask: 28, name });
  const SIX_HOURS = 6 * 3_600_000;
  const plan = () => describeSweepPlan(target, { now: Date.now(), olderThanMs: SIX_HOURS, olderThanLabel: "6h" });

  /** Marked and unmarked objects made 7 h ago, and a marked one made now; one marked EIP is bound. */
  async function fixtures() {
    shift = -7 * 3_600_000;
    const marked = [await eip(`${MARKER_PREFIX}t-eip`), await eip("by-tag", { [MARKER_TAG_KEY]: "t" }), await alloc(`${MARKER_PREFIX}t-alloc`)];
    await associateAnycastEip(target.operation(), { anycastId: marked[0], bindInstanceId: "eni-sweeptest01", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" });
    const unmarked = [await eip("not-ours"), await alloc(`x-${MARKER_PREFIX}not-a-prefix`)];
    shift = 0;
    const young = [await alloc(`${MARKER_PREFIX}t-young`)];
    return { marked, unmarked, young };
  }

  test("the plan picks exactly the marked objects older than the limit, and changes nothing", async () => {
    const f = await fixtures();
    const seq = target.emulator!.control.calls().at(-1)!.seq;
    const p = await plan();
    expect(p.items.filter((i) => i.decision === "release").map((i) => i.id).sort()).toEqual([...f.marked].sort());
    expect(p.items.filter((i) => i.decision === "keep")).toEqual([expect.objectContaining({ id: f.young[0], keptBecause: "younger than 6h" })]);
    expect(p.unmarked).toEqual({ AnycastEipAddress: 1, IpamPoolAllocation: 1 });
    expect(p.items.find((i) => i.id === f.marked[0])?.bindings).toEqual(["eni-sweeptest01 (NetworkInterface in us-west-1)"]);
    expect(target.emulator!.control.calls().filter((c) => c.seq > seq && c.mutating)).toEqual([]);
  });

  test("an object whose creation time cannot be read is kept; one just past the limit goes", () => {
    const item = { kind: "AnycastEipAddress" as const, id: "aeip-1", name: `${MARKER_PREFIX}x`, status: "Allocated", bindings: [] };
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(decide({ ...item, createdAt: "" }, now, SIX_HOURS, "6h")).toMatchObject({ decision: "keep", keptBecause: "creation time unreadable", ageMs: undefined });
    expect(decide({ ...item, createdAt: "2026-01-01T05:59:59Z" }, now, SIX_HOURS, "6h")).toMatchObject({ decision: "release", ageMs: SIX_HOURS + 1000 });
    expect(decide({ ...item, createdAt: "2026-01-01T06:00:00Z" }, now, SIX_HOURS, "6h")).toMatchObject({ decision: "keep", keptBecause: "younger than 6h" });
  });

  test("under docs/ram-policy-sweep.json alone it releases the marked old objects (detaching the bound one) and nothing else", async () => {
    const f = await fixtures();
    target.emulator!.control.setRamPolicy(documentedPolicy("ram-policy-sweep.json"));
    const lines: string[] = [];
    expect(await executeSweep(target, await plan(), (l) => lines.push(l))).toEqual({ released: 3, failed: 0 });
    const state = target.emulator!.control.state() as { eipanycast: { eips: { anycastId: string }[] }; vpcipam: { allocations: { ipamPoolAllocationId: string }[] } };
    const left = [...state.eipanycast.eips.map((e) => e.anycastId), ...state.vpcipam.allocations.map((a) => a.ipamPoolAllocationId)].sort();
    expect(left).toEqual([...f.unmarked, ...f.young].sort());
    expect(target.emulator!.control.calls().filter((c) => c.outcome.code === "Forbidden.RAM")).toEqual([]);
  });

  const SWEEP = documentedPolicy("ram-policy-sweep.json");
  test.each(SWEEP.Statement.map((s, i) => [actionOf(s), i] as const))("docs/ram-policy-sweep.json is minimal: without %s the sweep fails naming it", async (ramAction, index) => {
    await fixtures();
    target.emulator!.control.setRamPolicy(withoutStatement(SWEEP, index));
    const lines: string[] = [];
    let failure: string;
    try {
      const result = await executeSweep(target, await plan(), (l) => lines.push(l));
      expect(result.failed).toBeGreaterThan(0);
      failure = lines.find((l) => l.startsWith("FAILED"))!;
    } catch (err) {
      failure = (err as Error).message; // the listing itself was denied
    }
    const [denied] = target.emulator!.control.calls().filter((c) => c.outcome.code === "Forbidden.RAM");
    expect(failure).toContain(`Forbidden.RAM: User not authorized to operate on the specified resource, or this API doesn't support RAM. Missing RAM permission: ${ramAction} on `);
    expect(failure).toContain(`(RequestId ${denied.requestId})`);
  });
});
