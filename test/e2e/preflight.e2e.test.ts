/**
 * The destroy preflight on a real stack through the real Pulumi CLI: `node dist/cli/main.js preflight`
 * reads the stack's state with its secrets (the Automation API's `exportStack`), resolves settings from
 * the provider config stored there as destroy does, predicts which resources destroy refuses — changing
 * nothing — and the following `pulumi destroy --continue-on-error` refuses exactly those: they are
 * exactly what is left in the state. When credentials changed after `up`, the prediction and destroy
 * agree, with and without `--run-program`.
 */
import { EIPANYCAST_INSTANT_TIMING } from "../../emulator";
import { deleteAllocation } from "../../provider/ipam/api";
import { PreflightReport } from "../../provider/preflight/types";
import { emulatorContext } from "../helpers/cloud";
import { TestStack, e2eTimeout, runPreflightCli } from "./harness";
import { useEmulator } from "../helpers/emulator";

// Scaled with the work: its longest tests run 9 pulumi commands (init counting as 7) and 4 preflight runs,
// or 13 commands and 2 preflight runs.
jest.setTimeout(e2eTimeout(15));

const REGION = "cn-hangzhou";

const emu = useEmulator({ resetEachTest: false });
let stack: TestStack | undefined;

afterEach(async () => {
  await stack?.remove();
  stack = undefined;
});

const preflight = runPreflightCli;

function expectReadOnlySince(seq: number): void {
  const calls = emu.control.calls().filter((c) => c.seq > seq);
  expect(calls.length).toBeGreaterThan(0);
  for (const c of calls) {
    const ok = !c.mutating && (/^(Get|Describe|List)/.test(c.action ?? "") || (c.action === "DeleteIpamPoolAllocation" && c.params.DryRun === "true"));
    if (!ok) throw new Error(`preflight made a non-read call: ${c.action} ${JSON.stringify(c.params)} mutating=${c.mutating}`);
  }
}
const lastSeq = (): number => emu.control.calls().reduce((m, c) => Math.max(m, c.seq), 0);

const POOL = "ipam-pool-e2epre";
const LB = "lb-e2epreflight01";

test("preflight predicts exactly which resources `pulumi destroy` refuses, and changes nothing", async () => {
  emu.control.reset();
  emu.control.setTiming({ eipanycast: EIPANYCAST_INSTANT_TIMING });
  emu.control.seed({
    vpcipam: {
      pools: [{ ipamPoolId: POOL, regionId: REGION, cidrs: ["10.0.0.0/16"] }],
      allocations: [
        { ipamPoolAllocationId: "ipam-pool-alloc-e2evpc", ipamPoolId: POOL, cidr: "10.0.200.0/24", resourceType: "VPC", resourceId: "vpc-e2e" },
        { ipamPoolAllocationId: "ipam-pool-alloc-e2elocked", ipamPoolId: POOL, cidr: "10.0.201.0/24", resourceType: "Custom", authorizedAccessKeyIds: ["someone-else"] },
      ],
    },
    eipanycast: {
      eips: [
        { anycastId: "aeip-e2emanaged", serviceManaged: true },
        { anycastId: "aeip-e2eoutside", bindings: [{ bindInstanceId: "eni-outside01", bindInstanceRegionId: REGION, bindInstanceType: "NetworkInterface" }] },
        { anycastId: "aeip-e2edetach", bindings: [{ bindInstanceId: "eni-detach01", bindInstanceRegionId: REGION, bindInstanceType: "NetworkInterface" }] },
      ],
    },
  });

  stack = new TestStack(emu);
  const adoptEip = (name: string, id: string, args: Record<string, unknown> = {}) => ({ type: "AnycastEipAddress", name, args: { serviceLocation: "international", adoptAnycastId: id, ...args } });
  await stack.init([
    { type: "IpamPoolAllocation", name: "alloc-ok", args: { ipamPoolId: POOL, cidrMask: 24 } },
    { type: "IpamPoolAllocation", name: "alloc-gone", args: { ipamPoolId: POOL, cidr: "10.0.100.0/24" } },
    { type: "IpamPoolAllocation", name: "alloc-vpc", args: { ipamPoolId: POOL, adoptAllocationId: "ipam-pool-alloc-e2evpc" } },
    { type: "IpamPoolAllocation", name: "alloc-locked", args: { ipamPoolId: POOL, adoptAllocationId: "ipam-pool-alloc-e2elocked" } },
    { type: "AnycastEipAddress", name: "eip-new", args: { serviceLocation: "international", bandwidth: 200 } },
    { type: "AnycastEipAssociation", name: "assoc-new", args: { anycastId: { $ref: "eip-new.anycastId" }, bindInstanceId: LB, bindInstanceRegionId: REGION, bindInstanceType: "SlbInstance" } },
    adoptEip("eip-managed", "aeip-e2emanaged"),
    adoptEip("eip-outside", "aeip-e2eoutside"),
    adoptEip("eip-detach", "aeip-e2edetach", { detachOnDelete: true }),
  ]);
  const up = await stack.up();
  expect(up.code).toBe(0);
  const before = await stack.resources();
  expect(before).toHaveLength(9);

  // Someone releases alloc-gone outside Pulumi.
  const gone = before.find((r) => r.urn.endsWith("::alloc-gone"))!;
  const outOfBand = { ctx: emulatorContext(emu), region: REGION, deadlineAt: Date.now() + 30_000 };
  expect(await deleteAllocation(outOfBand, { id: gone.id!, clientToken: "out-of-band" })).toBe(true);

  // --- preflight (JSON): settings from the stack's config (credentials are secret config, not env)
  let mark = lastSeq();
  const json = await preflight(stack, ["--json"]);
  expect(json.stderr).toBe("");
  expect(json.code).toBe(2);
  expectReadOnlySince(mark);
  const report = JSON.parse(json.stdout) as PreflightReport;
  expect(report).toMatchObject({ version: 1, stack: stack.stack, source: "pulumi stack export", exitCode: 2 });
  expect(Object.fromEntries(report.resources.map((r) => [r.name, r.verdict]))).toEqual({
    "alloc-ok": "releasable",
    "alloc-gone": "gone",
    "alloc-vpc": "refused",
    "alloc-locked": "refused",
    "eip-new": "releasable",
    "assoc-new": "releasable",
    "eip-managed": "refused",
    "eip-outside": "refused",
    "eip-detach": "releasable",
  });
  const by = Object.fromEntries(report.resources.map((r) => [r.name, r]));
  expect(by["eip-new"].bindings).toEqual([
    { instanceId: LB, instanceType: "SlbInstance", regionId: REGION, status: "BINDED", handling: "association", associationUrn: by["assoc-new"].urn, note: null },
  ]);
  expect(by["eip-outside"].bindings).toMatchObject([{ instanceId: "eni-outside01", handling: "blocking" }]);
  expect(by["eip-detach"].bindings).toMatchObject([{ instanceId: "eni-detach01", handling: "detachOnDelete" }]);
  expect(by["alloc-locked"].reason).toContain("DeleteIpamPoolAllocation (DryRun) answered OperationDenied.Unauthorized");

  // --- the table, same verdicts
  mark = lastSeq();
  const table = await preflight(stack);
  expect(table.code).toBe(2);
  expectReadOnlySince(mark);
  expect(table.stdout).toMatch(/IpamPoolAllocation\s+alloc-gone\s+\S+\s+already gone\n/);
  expect(table.stdout).toMatch(/AnycastEipAddress\s+eip-new\s+aeip-\w+\s+releasable\n {4}bound: lb-e2epreflight01 \(SlbInstance in cn-hangzhou\) — detached first by AnycastEipAssociation assoc-new\n/);
  expect(table.stdout).toMatch(/IpamPoolAllocation\s+alloc-vpc\s+ipam-pool-alloc-e2evpc\s+refused: it is a VPC allocation owned by VPC vpc-e2e/);
  expect(table.stdout).toContain("Summary: 4 releasable, 1 already gone, 4 refused.");

  // --- destroy: every delete attempted; what it refuses stays in the state
  const destroy = await stack.destroy(["--continue-on-error"]);
  expect(destroy.code).not.toBe(0);
  const refusedUrns = report.resources.filter((r) => r.verdict === "refused").map((r) => r.urn).sort();
  const left = (await stack.resources()).map((r) => r.urn).sort();
  expect(left).toEqual(refusedUrns);
  for (const r of report.resources.filter((x) => x.verdict === "refused")) {
    // each refusal shows up in destroy's output for that resource
    expect(destroy.output).toContain(r.id);
  }
  expect(destroy.output).toContain("refusing to release IPAM pool allocation ipam-pool-alloc-e2evpc");
  expect(destroy.output).toContain("OperationDenied.Unauthorized");

  // --- and a second preflight agrees with what is left
  const again = JSON.parse((await preflight(stack, ["--json"])).stdout) as PreflightReport;
  expect(again.exitCode).toBe(2);
  expect(Object.fromEntries(again.resources.map((r) => [r.name, r.verdict]))).toEqual({
    "alloc-vpc": "refused",
    "alloc-locked": "refused",
    "eip-managed": "refused",
    "eip-outside": "refused",
  });
});

test("credentials changed after `up`: preflight predicts what destroy does, and says which settings it used", async () => {
  emu.control.reset();
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: POOL, regionId: REGION, cidrs: ["10.0.0.0/16"] }] } });
  stack = new TestStack(emu);
  // `up` takes the credentials from the environment: the stack config (recorded in the state) has none
  await stack.init([{ type: "IpamPoolAllocation", name: "web", args: { ipamPoolId: POOL, cidrMask: 24 } }], { "alicloud:accessKey": null, "alicloud:secretKey": null });
  // no credentials anywhere else (no ~/.aliyun, no ECS metadata service)
  Object.assign(stack.env, { HOME: stack.home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true", ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret });
  expect((await stack.up()).code).toBe(0);
  // then they move into the stack config, and the shell no longer has them
  delete stack.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  delete stack.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  await stack.ok(["config", "set-all", "--plaintext", `alicloud:accessKey=${emu.accessKeyId}`, "--secret", `alicloud:secretKey=${emu.accessKeySecret}`, "-s", stack.stack]);

  // destroy configures the provider from the state's stored config: no credentials; preflight says so
  const predicted = await preflight(stack, ["--json"]);
  expect(predicted.code).toBe(1);
  const report = JSON.parse(predicted.stdout) as PreflightReport;
  expect(report.settings).toEqual({ from: "state", label: "the state's stored provider config (last `pulumi up`), then environment variables — as `pulumi destroy` and `pulumi refresh` read them" });
  expect(report.resources[0]).toMatchObject({ name: "web", verdict: "error", reason: expect.stringContaining("MissingCredentials: no Alibaba Cloud credentials found") });
  const destroy = await stack.destroy();
  expect(destroy.code).not.toBe(0);
  expect(destroy.output).toContain("MissingCredentials: no Alibaba Cloud credentials found");
  expect(await stack.resources()).toHaveLength(1);

  // with --run-program both use the current stack config: releasable, and released
  const withProgram = JSON.parse((await preflight(stack, ["--run-program", "--json"])).stdout) as PreflightReport;
  expect(withProgram).toMatchObject({ exitCode: 0, settings: { from: "stack-config" }, resources: [{ name: "web", verdict: "releasable" }] });
  expect((await stack.destroy(["--run-program"])).code).toBe(0);
  expect(await stack.resources()).toEqual([]);
});

test("a stack whose secrets cannot be decrypted: exit 1 with pulumi's message", async () => {
  emu.control.reset();
  stack = new TestStack(emu);
  await stack.init([]);
  const noPassphrase = Object.assign(Object.create(stack) as TestStack, { env: { ...stack.env, PULUMI_CONFIG_PASSPHRASE: "wrong" } });
  const r = await preflight(noPassphrase, ["--run-program", "--json"]);
  expect(r.code).toBe(1);
  expect(JSON.parse(r.stdout)).toMatchObject({ version: 1, exitCode: 1, error: expect.stringContaining("pulumi config --json --show-secrets") });
  expect(r.stderr).toMatch(/incorrect passphrase|passphrase/i);
});
