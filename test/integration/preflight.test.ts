/**
 * The destroy preflight against the emulator, over real HTTP with real signatures: a stack export (built
 * here in the real `pulumi stack export` format) with one resource per refusal reason, gone ones and
 * releasable ones; exact verdicts, table, JSON and exit codes; the call log shows reads and DryRun deletes
 * only. Then the real delete hooks run on the same state and must do exactly what the preflight said.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CliIo } from "../../cli/io";
import { main } from "../../cli/main";
import { offlinePulumiEnv, runPulumi } from "../../demo/pulumi-cli";
import { anycastEipAddressLifecycle } from "../../provider/anycast/eip-lifecycle";
import { anycastEipAssociationLifecycle } from "../../provider/anycast/association-lifecycle";
import { ipamPoolAllocationLifecycle } from "../../provider/ipam/lifecycle";
import { Lifecycle, ReleaseRefusedError } from "../../provider/lifecycle";
import { PreflightReport, PreflightResult } from "../../provider/preflight/types";
import { emulatorContext, emulatorEnv, REGION } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";

const { pulumiBinDir } = require("../../scripts/pulumi-bin-dir.js") as { pulumiBinDir(): string };

const emu = useEmulator({ resetEachTest: false });
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "preflight-it-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------ the stack export

const STACK_URN = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev";
const PROVIDER_URN = "urn:pulumi:dev::shop::pulumi:providers:pulumi-nodejs::default";
type Kind = "IpamPoolAllocation" | "AnycastEipAddress" | "AnycastEipAssociation";
const urnOf = (kind: Kind, name: string) => `urn:pulumi:dev::shop::pulumi-nodejs:dynamic/alicloud:${kind}::${name}`;

/** One resource as `pulumi stack export` writes it. */
function resource(kind: Kind, name: string, id: string, outputs: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    urn: urnOf(kind, name),
    custom: true,
    id,
    type: `pulumi-nodejs:dynamic/alicloud:${kind}`,
    inputs: { __provider: "exports.handler = __f0;", ...outputs },
    outputs: { __provider: "exports.handler = __f0;", ...outputs },
    parent: STACK_URN,
    provider: `${PROVIDER_URN}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`,
    propertyDependencies: {},
    created: "2025-01-01T00:00:00.000Z",
    modified: "2025-01-01T00:00:00.000Z",
    ...extra,
  };
}

function stackExport(resources: unknown[]) {
  return {
    version: 3,
    deployment: {
      manifest: { time: "2025-01-01T00:00:00.000Z", magic: "x", version: "v3.274.1" },
      secrets_providers: { type: "passphrase", state: { salt: "v1:x" } },
      resources: [
        { urn: STACK_URN, custom: false, type: "pulumi:pulumi:Stack", outputs: {}, created: "2025-01-01T00:00:00.000Z" },
        { urn: PROVIDER_URN, custom: true, id: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", type: "pulumi:providers:pulumi-nodejs", inputs: {}, outputs: {} },
        ...resources,
      ],
      someFutureField: { ignored: true },
    },
  };
}

let fileCounter = 0;
function writeExport(doc: unknown): string {
  const file = path.join(dir, `export-${++fileCounter}.json`);
  writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc, null, 4));
  return file;
}

const alloc = (id: string, cidr: string, extra: Record<string, unknown> = {}) => ({
  allocationId: id,
  ipamPoolId: "ipam-pool-main",
  cidr,
  resourceType: "Custom",
  status: "Created",
  regionId: REGION,
  ...extra,
});
const eip = (id: string, extra: Record<string, unknown> = {}) => ({
  anycastId: id,
  ipAddress: "192.0.2.1",
  status: "Allocated",
  serviceManaged: false,
  bandwidth: 1000,
  bindings: [],
  serviceLocation: "international",
  regionId: REGION,
  detachOnDelete: false,
  ...extra,
});
const assocId = (anycastId: string, instanceId: string, type = "SlbInstance") => `${anycastId}:${instanceId}:${REGION}:${type}`;
const assoc = (anycastId: string, instanceId: string, type = "SlbInstance") => ({
  anycastId,
  bindInstanceId: instanceId,
  bindInstanceRegionId: REGION,
  bindInstanceType: type,
  status: "BINDED",
  regionId: REGION,
});

// ------------------------------------------------------------------------------------- the cloud

function seedCloud(): void {
  emu.control.reset();
  emu.control.setTiming({ eipanycast: { Allocating: 0, Associating: 0, Unassociating: 0, Modifying: null, Releasing: 0 } });
  emu.control.seed({
    vpcipam: {
      pools: [
        { ipamPoolId: "ipam-pool-main", regionId: REGION, cidrs: ["10.0.0.0/16"] },
        { ipamPoolId: "ipam-pool-vsix", regionId: REGION, cidrs: ["2408:4000::/48"], ipVersion: "IPv6" },
        { ipamPoolId: "ipam-pool-sh", regionId: "cn-shanghai", cidrs: ["172.16.0.0/16"] },
        { ipamPoolId: "ipam-pool-doomed", regionId: REGION, cidrs: ["192.168.0.0/16"] },
      ],
      allocations: [
        { ipamPoolAllocationId: "ipam-pool-alloc-custom", ipamPoolId: "ipam-pool-main", cidr: "10.0.1.0/24", resourceType: "Custom" },
        { ipamPoolAllocationId: "ipam-pool-alloc-legacy", ipamPoolId: "ipam-pool-main", cidr: "10.0.9.0/24", resourceType: "Custom" },
        { ipamPoolAllocationId: "ipam-pool-alloc-vpc", ipamPoolId: "ipam-pool-main", cidr: "10.0.2.0/24", resourceType: "VPC", resourceId: "vpc-web" },
        { ipamPoolAllocationId: "ipam-pool-alloc-vpcok", ipamPoolId: "ipam-pool-main", cidr: "10.0.5.0/24", resourceType: "VPC", resourceId: "vpc-old" },
        { ipamPoolAllocationId: "ipam-pool-alloc-vsix", ipamPoolId: "ipam-pool-vsix", cidr: "2408:4000:0:1::/64", resourceType: "VPC", resourceId: "vpc-six" },
        { ipamPoolAllocationId: "ipam-pool-alloc-sub", ipamPoolId: "ipam-pool-main", cidr: "10.0.3.0/24", resourceType: "IpamPool", resourceId: "ipam-pool-child" },
        { ipamPoolAllocationId: "ipam-pool-alloc-odd", ipamPoolId: "ipam-pool-main", cidr: "10.0.4.0/24", resourceType: "Ecs" },
        { ipamPoolAllocationId: "ipam-pool-alloc-shanghai", ipamPoolId: "ipam-pool-sh", cidr: "172.16.1.0/24", resourceType: "Custom" },
        { ipamPoolAllocationId: "ipam-pool-alloc-locked", ipamPoolId: "ipam-pool-main", cidr: "10.0.6.0/24", resourceType: "Custom", authorizedAccessKeyIds: ["someone-else"] },
        { ipamPoolAllocationId: "ipam-pool-alloc-orphan", ipamPoolId: "ipam-pool-doomed", cidr: "192.168.1.0/24", resourceType: "Custom" },
      ],
      removePools: ["ipam-pool-doomed"],
    },
    eipanycast: {
      eips: [
        { anycastId: "aeip-free" },
        { anycastId: "aeip-legacy" },
        { anycastId: "aeip-managed", serviceManaged: true, bindings: [{ bindInstanceId: "lb-svc", bindInstanceRegionId: REGION, bindInstanceType: "SlbInstance" }] },
        { anycastId: "aeip-bound", bindings: [{ bindInstanceId: "eni-outside", bindInstanceRegionId: REGION, bindInstanceType: "NetworkInterface" }] },
        { anycastId: "aeip-stack", bindings: [{ bindInstanceId: "lb-web", bindInstanceRegionId: REGION, bindInstanceType: "SlbInstance" }] },
        { anycastId: "aeip-nodep", bindings: [{ bindInstanceId: "lb-api", bindInstanceRegionId: REGION, bindInstanceType: "SlbInstance" }] },
        {
          anycastId: "aeip-mixed",
          bindings: [
            { bindInstanceId: "lb-mixed", bindInstanceRegionId: REGION, bindInstanceType: "SlbInstance" },
            { bindInstanceId: "eni-mixed", bindInstanceRegionId: REGION, bindInstanceType: "NetworkInterface" },
          ],
        },
        { anycastId: "aeip-detach", bindings: [{ bindInstanceId: "eni-detach", bindInstanceRegionId: REGION, bindInstanceType: "NetworkInterface" }] },
        { anycastId: "aeip-busy", status: "Modifying" },
      ],
    },
  });
}

/** One resource of each outcome. Names say what the preflight must find. */
function fullStack() {
  const eipStack = resource("AnycastEipAddress", "eip-stack-bound", "aeip-stack", eip("aeip-stack", { status: "Associated" }));
  const eipMixed = resource("AnycastEipAddress", "eip-mixed", "aeip-mixed", eip("aeip-mixed", { status: "Associated" }));
  return [
    resource("IpamPoolAllocation", "alloc-ok", "ipam-pool-alloc-custom", alloc("ipam-pool-alloc-custom", "10.0.1.0/24")),
    resource(
      "IpamPoolAllocation",
      "alloc-vpc-allowed",
      "ipam-pool-alloc-vpcok",
      alloc("ipam-pool-alloc-vpcok", "10.0.5.0/24", { resourceType: "VPC", resourceId: "vpc-old", adoptAllocationId: "ipam-pool-alloc-vpcok", allowVpcAllocationRelease: true }),
    ),
    resource("IpamPoolAllocation", "alloc-vpc", "ipam-pool-alloc-vpc", alloc("ipam-pool-alloc-vpc", "10.0.2.0/24", { resourceType: "VPC", adoptAllocationId: "ipam-pool-alloc-vpc" })),
    resource("IpamPoolAllocation", "alloc-ipv6-vpc", "ipam-pool-alloc-vsix", alloc("ipam-pool-alloc-vsix", "2408:4000:0:1::/64", { ipamPoolId: "ipam-pool-vsix", resourceType: "VPC" })),
    resource("IpamPoolAllocation", "alloc-subpool", "ipam-pool-alloc-sub", alloc("ipam-pool-alloc-sub", "10.0.3.0/24", { resourceType: "IpamPool" })),
    resource("IpamPoolAllocation", "alloc-odd-type", "ipam-pool-alloc-odd", alloc("ipam-pool-alloc-odd", "10.0.4.0/24")),
    // Stored in the wrong region (e.g. state edited by hand): the API refuses a release requested there.
    resource("IpamPoolAllocation", "alloc-wrong-region", "ipam-pool-alloc-shanghai", alloc("ipam-pool-alloc-shanghai", "172.16.1.0/24", { ipamPoolId: "ipam-pool-sh" })),
    resource("IpamPoolAllocation", "alloc-unauthorized", "ipam-pool-alloc-locked", alloc("ipam-pool-alloc-locked", "10.0.6.0/24")),
    resource("IpamPoolAllocation", "alloc-pool-deleted", "ipam-pool-alloc-orphan", alloc("ipam-pool-alloc-orphan", "192.168.1.0/24", { ipamPoolId: "ipam-pool-doomed" })),
    resource("IpamPoolAllocation", "alloc-gone", "ipam-pool-alloc-released", alloc("ipam-pool-alloc-released", "10.0.7.0/24")),
    resource("AnycastEipAddress", "eip-ok", "aeip-free", eip("aeip-free")),
    resource("AnycastEipAddress", "eip-managed", "aeip-managed", eip("aeip-managed", { serviceManaged: true })),
    resource("AnycastEipAddress", "eip-bound", "aeip-bound", eip("aeip-bound", { status: "Associated" })),
    eipStack,
    resource("AnycastEipAssociation", "assoc-web", assocId("aeip-stack", "lb-web"), assoc("aeip-stack", "lb-web"), {
      dependencies: [eipStack.urn],
      propertyDependencies: { anycastId: [eipStack.urn] },
    }),
    resource("AnycastEipAddress", "eip-nodep", "aeip-nodep", eip("aeip-nodep", { status: "Associated" })),
    // anycastId given as a literal: no dependency, so destroy does not order the detach before the release.
    resource("AnycastEipAssociation", "assoc-api", assocId("aeip-nodep", "lb-api"), assoc("aeip-nodep", "lb-api")),
    eipMixed,
    resource("AnycastEipAssociation", "assoc-mixed", assocId("aeip-mixed", "lb-mixed"), assoc("aeip-mixed", "lb-mixed"), { dependencies: [eipMixed.urn] }),
    resource("AnycastEipAddress", "eip-detach-on-delete", "aeip-detach", eip("aeip-detach", { status: "Associated", detachOnDelete: true })),
    resource("AnycastEipAddress", "eip-busy", "aeip-busy", eip("aeip-busy")),
    resource("AnycastEipAddress", "eip-gone", "aeip-released", eip("aeip-released")),
    resource("AnycastEipAssociation", "assoc-gone", assocId("aeip-free", "lb-old"), assoc("aeip-free", "lb-old")),
    resource("IpamPoolAllocation", "alloc-retained", "ipam-pool-alloc-kept", alloc("ipam-pool-alloc-kept", "10.0.8.0/24"), { retainOnDelete: true }),
  ];
}

// ------------------------------------------------------------------------------------ running it

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], env: Record<string, string | undefined> = emulatorEnv(emu)): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, cwd: dir };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

async function jsonRun(file: string, env?: Record<string, string | undefined>): Promise<{ run: Run; report: PreflightReport; by: Record<string, PreflightResult> }> {
  const run = await cli(["preflight", "--state", file, "--json"], env);
  const report = JSON.parse(run.stdout) as PreflightReport;
  return { run, report, by: Object.fromEntries(report.resources.map((r) => [r.name, r])) };
}

/** Every call the emulator saw is a read or a DryRun delete, and none changed anything. */
function expectReadOnly(): void {
  const calls = emu.control.calls();
  expect(calls.length).toBeGreaterThan(0);
  for (const c of calls) {
    expect(c.mutating).toBe(false);
    const read = /^(Get|Describe|List)/.test(c.action ?? "");
    const dryRunDelete = c.action === "DeleteIpamPoolAllocation" && c.params.DryRun === "true";
    if (!read && !dryRunDelete) throw new Error(`unexpected call ${c.action} ${JSON.stringify(c.params)}`);
  }
}

const UNAUTHORIZED = "The operation is denied because the user is not authorized.";
/** `(RequestId …)` as a pattern: the emulator's request ids are upper-case UUIDs. */
const REQUEST_ID = "\\(RequestId [0-9A-F-]{36}\\)";

describe("a stack with one of each outcome", () => {
  beforeEach(seedCloud);

  test("JSON: exact verdicts, reasons and fixes; exit 2; only reads and DryRun deletes", async () => {
    const file = writeExport(stackExport(fullStack()));
    emu.control.clearCalls();
    const { run, report, by } = await jsonRun(file);
    expect(run.code).toBe(2);
    expectReadOnly();
    // DryRun only for allocations the checks let through.
    const dryRuns = emu.control.calls().filter((c) => c.action === "DeleteIpamPoolAllocation").map((c) => c.params.IpamPoolAllocationId).sort();
    expect(dryRuns).toEqual(["ipam-pool-alloc-custom", "ipam-pool-alloc-locked", "ipam-pool-alloc-orphan", "ipam-pool-alloc-vpcok"]);

    expect(report).toMatchObject({ version: 1, stack: null, source: file, exitCode: 2 });
    expect(report.summary).toEqual({ total: 24, releasable: 9, gone: 3, refused: 11, retained: 1, error: 0 });
    expect(Object.fromEntries(report.resources.map((r) => [r.name, r.verdict]))).toEqual({
      "alloc-ok": "releasable",
      "alloc-vpc-allowed": "releasable",
      "alloc-vpc": "refused",
      "alloc-ipv6-vpc": "refused",
      "alloc-subpool": "refused",
      "alloc-odd-type": "refused",
      "alloc-wrong-region": "refused",
      "alloc-unauthorized": "refused",
      "alloc-pool-deleted": "refused",
      "alloc-gone": "gone",
      "eip-ok": "releasable",
      "eip-managed": "refused",
      "eip-bound": "refused",
      "eip-stack-bound": "releasable",
      "assoc-web": "releasable",
      "eip-nodep": "refused",
      "assoc-api": "releasable",
      "eip-mixed": "refused",
      "assoc-mixed": "releasable",
      "eip-detach-on-delete": "releasable",
      "eip-busy": "releasable",
      "eip-gone": "gone",
      "assoc-gone": "gone",
      "alloc-retained": "retained",
    });

    // Allocations: the checks' own reasons, and the service's answer to the DryRun.
    expect(by["alloc-ok"]).toEqual({
      urn: urnOf("IpamPoolAllocation", "alloc-ok"),
      name: "alloc-ok",
      type: "IpamPoolAllocation",
      id: "ipam-pool-alloc-custom",
      verdict: "releasable",
      reason: "Custom allocation 10.0.1.0/24; DeleteIpamPoolAllocation DryRun: would succeed (DryRunOperation)",
      fix: null,
      region: REGION,
      pendingDelete: false,
    });
    expect(by["alloc-vpc"]).toMatchObject({
      reason: "it is a VPC allocation owned by VPC vpc-web (CIDR 10.0.2.0/24); releasing it frees the live VPC's reservation",
      fix: `If that is intended, set allowVpcAllocationRelease: true and run \`pulumi up\` first; otherwise delete the VPC vpc-web (its allocation goes with it), or, to stop managing it without releasing it, \`pulumi state delete '${urnOf("IpamPoolAllocation", "alloc-vpc")}'\``,
    });
    expect(by["alloc-ipv6-vpc"].reason).toContain("IPv6 VPC allocations cannot be released through the API (OperationDenied.Ipv6VpcNotSupport)");
    expect(by["alloc-subpool"].reason).toBe("it is the CIDR 10.0.3.0/24 of sub-pool ipam-pool-child; only Custom allocations can be released (OperationDenied.ResourceTypeIsNotCustom)");
    expect(by["alloc-odd-type"].reason).toBe("it has resource type Ecs, which this provider does not release");
    expect(by["alloc-wrong-region"]).toMatchObject({
      reason: "its pool is in region cn-shanghai but the release would be requested in cn-hangzhou (the API refuses it with OperationDenied.RequestRegionInvalid)",
      // Changing regionId would replace the resource (and that delete is refused the same way): re-adopt instead.
      fix: expect.stringMatching(/^Take it out of the state without releasing it \(`pulumi state delete 'urn:pulumi:dev::shop::pulumi-nodejs:dynamic\/alicloud:IpamPoolAllocation::alloc-wrong-region'`\), then adopt it again with adoptAllocationId: "ipam-pool-alloc-[a-z0-9]+" and regionId: "cn-shanghai"/),
      region: REGION,
    });
    expect(by["alloc-unauthorized"]).toMatchObject({
      // every cloud error shown carries its request id
      reason: expect.stringMatching(new RegExp(`^the service rejects its release: DeleteIpamPoolAllocation \\(DryRun\\) answered OperationDenied\\.Unauthorized: ${UNAUTHORIZED.replace(/\./g, "\\.")} ${REQUEST_ID}$`)),
      fix: `Run destroy with the credentials of the account or RAM user that may release it, or, to stop managing it without releasing it, \`pulumi state delete '${urnOf("IpamPoolAllocation", "alloc-unauthorized")}'\``,
    });
    expect(by["alloc-pool-deleted"]).toMatchObject({
      reason: expect.stringMatching(new RegExp(`^the service rejects its release: DeleteIpamPoolAllocation \\(DryRun\\) answered ResourceNotFound\\.IpamPool: The dependent IPAM pool is not found\\. ${REQUEST_ID}$`)),
      fix: `Its IPAM pool no longer exists, so the allocation cannot be released through the API: drop it from the state with \`pulumi state delete '${urnOf("IpamPoolAllocation", "alloc-pool-deleted")}'\``,
    });
    expect(by["alloc-gone"]).toMatchObject({ reason: "IPAM pool allocation ipam-pool-alloc-released does not exist (already released)", fix: null });
    expect(by["alloc-retained"]).toMatchObject({ reason: "retainOnDelete is set: destroy drops it from the state without deleting it", region: null });

    // EIPs: bindings and how destroy deals with each.
    expect(by["eip-ok"]).toMatchObject({ reason: "Anycast EIP aeip-free (192.0.2.1) is Allocated with no bindings", bindings: [] });
    expect(by["eip-managed"].reason).toBe("it is managed by an Alibaba Cloud service (ServiceManaged=1), and a managed EIP cannot be released by its owner");
    expect(by["eip-managed"].fix).toMatch(/^Release it through the Alibaba Cloud service that manages it/);
    expect(by["eip-managed"].fix).toContain(`remove it from the state with \`pulumi state delete '${urnOf("AnycastEipAddress", "eip-managed")}'\`.`);
    expect(by["eip-bound"]).toMatchObject({
      reason: "it is still associated with 1 instance: eni-outside (NetworkInterface in cn-hangzhou)",
      bindings: [{ instanceId: "eni-outside", instanceType: "NetworkInterface", regionId: REGION, status: "BINDED", handling: "blocking", associationUrn: null, note: null }],
    });
    expect(by["eip-bound"].fix).toMatch(/^Either remove the AnycastEipAssociation resource\(s\)/);
    expect(by["eip-stack-bound"]).toMatchObject({
      verdict: "releasable",
      reason: expect.stringMatching(/^after this stack's AnycastEipAssociation detach lb-web: Anycast EIP aeip-stack \(.*\) is Allocated with no bindings$/),
      bindings: [{ instanceId: "lb-web", handling: "association", associationUrn: urnOf("AnycastEipAssociation", "assoc-web"), note: null }],
    });
    expect(by["assoc-web"]).toMatchObject({ reason: "lb-web (SlbInstance in cn-hangzhou) is bound (BINDED); delete detaches it", region: REGION });
    expect(by["eip-nodep"]).toMatchObject({
      reason:
        "it is still associated with 1 instance: lb-api (SlbInstance in cn-hangzhou) (AnycastEipAssociation assoc-api does not depend on this EIP, so destroy may release the EIP before (or while) it detaches: pass the EIP's anycastId output to the association, or add dependsOn)",
      bindings: [{ instanceId: "lb-api", handling: "blocking", associationUrn: urnOf("AnycastEipAssociation", "assoc-api") }],
    });
    // Only the binding nobody detaches is named.
    expect(by["eip-mixed"]).toMatchObject({
      reason: "it is still associated with 1 instance: eni-mixed (NetworkInterface in cn-hangzhou)",
      bindings: [
        { instanceId: "lb-mixed", handling: "association", associationUrn: urnOf("AnycastEipAssociation", "assoc-mixed") },
        { instanceId: "eni-mixed", handling: "blocking", associationUrn: null },
      ],
    });
    expect(by["eip-detach-on-delete"]).toMatchObject({
      reason: "detachOnDelete: detaching eni-detach (NetworkInterface in cn-hangzhou), then releasing",
      bindings: [{ instanceId: "eni-detach", handling: "detachOnDelete" }],
    });
    expect(by["eip-busy"].reason).toMatch(/^Anycast EIP aeip-busy \(.*\) is Modifying; delete waits for it to settle, then releases$/);
    expect(by["eip-gone"]).toMatchObject({ reason: "the EIP does not exist (already released)", bindings: [] });
    expect(by["assoc-gone"].bindings).toBeUndefined();
    expect(by["assoc-gone"].reason).toBe("lb-old is not bound to Anycast EIP aeip-free (the EIP lists no such binding)");
  });

  test("table: one row per resource, bindings under EIPs, verdict texts exact; exit 2", async () => {
    const file = writeExport(stackExport(fullStack()));
    const run = await cli(["preflight", "--state", file]);
    expect(run.code).toBe(2);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(`Destroy preflight (${file}): 24 resources`);
    // the export's provider entry holds no config (inputs {}), so everything comes from the environment
    expect(lines[1]).toBe("Settings from the state's stored provider config (last `pulumi up`), then environment variables — as `pulumi destroy` and `pulumi refresh` read them.");
    expect(lines[3]).toMatch(/^TYPE\s+NAME\s+ID\s+VERDICT$/);
    const row = (name: string) => {
      const found = lines.find((l) => new RegExp(`^\\S+\\s+${name.replace(/[-]/g, "\\-")}\\s`).test(l));
      if (!found) throw new Error(`no row for ${name}:\n${run.stdout}`);
      return found.replace(/\s{2,}/g, " | ");
    };
    expect(row("alloc-ok")).toBe("IpamPoolAllocation | alloc-ok | ipam-pool-alloc-custom | releasable");
    expect(row("alloc-gone")).toBe("IpamPoolAllocation | alloc-gone | ipam-pool-alloc-released | already gone");
    expect(row("alloc-subpool")).toBe(
      `IpamPoolAllocation | alloc-subpool | ipam-pool-alloc-sub | refused: it is the CIDR 10.0.3.0/24 of sub-pool ipam-pool-child; only Custom allocations can be released (OperationDenied.ResourceTypeIsNotCustom) — Delete the sub-pool ipam-pool-child or deprovision its CIDR, or, to stop managing it without releasing it, \`pulumi state delete '${urnOf("IpamPoolAllocation", "alloc-subpool")}'\``,
    );
    expect(row("alloc-unauthorized")).toMatch(
      new RegExp(
        `^IpamPoolAllocation \\| alloc-unauthorized \\| ipam-pool-alloc-locked \\| refused: the service rejects its release: DeleteIpamPoolAllocation \\(DryRun\\) answered OperationDenied\\.Unauthorized: ${UNAUTHORIZED.replace(/\./g, "\\.")} ${REQUEST_ID} — ` +
          "Run destroy with the credentials of the account or RAM user that may release it, or, to stop managing it without releasing it, " +
          `\`pulumi state delete '${urnOf("IpamPoolAllocation", "alloc-unauthorized").replace(/[.$|]/g, "\\$&")}'\`$`,
      ),
    );
    expect(row("alloc-retained")).toBe("IpamPoolAllocation | alloc-retained | ipam-pool-alloc-kept | retained: retainOnDelete is set: destroy drops it from the state without deleting it");
    expect(row("eip-bound")).toMatch(/^AnycastEipAddress \| eip-bound \| aeip-bound \| refused: it is still associated with 1 instance: eni-outside \(NetworkInterface in cn-hangzhou\) — Either remove/);
    expect(row("assoc-web")).toBe(`AnycastEipAssociation | assoc-web | ${assocId("aeip-stack", "lb-web")} | releasable`);
    expect(row("eip-gone")).toBe("AnycastEipAddress | eip-gone | aeip-released | already gone");

    const after = (name: string) => lines.slice(lines.indexOf(lines.find((l) => l.includes(` ${name} `))!) + 1);
    expect(after("eip-stack-bound")[0]).toBe("    bound: lb-web (SlbInstance in cn-hangzhou) — detached first by AnycastEipAssociation assoc-web");
    expect(after("eip-mixed").slice(0, 2)).toEqual([
      "    bound: lb-mixed (SlbInstance in cn-hangzhou) — detached first by AnycastEipAssociation assoc-mixed",
      "    bound: eni-mixed (NetworkInterface in cn-hangzhou) — blocks the release",
    ]);
    // The note on why the stack's association does not help is part of the reason.
    expect(row("eip-nodep")).toContain("(AnycastEipAssociation assoc-api does not depend on this EIP, so destroy may release the EIP before (or while) it detaches");
    expect(after("eip-nodep")[0]).toBe("    bound: lb-api (SlbInstance in cn-hangzhou) — blocks the release");
    expect(after("eip-nodep")[1]).toMatch(/^AnycastEipAssociation\s+assoc-api/);
    expect(after("eip-detach-on-delete")[0]).toBe("    bound: eni-detach (NetworkInterface in cn-hangzhou) — detached by detachOnDelete");
    expect(lines.slice(-3)).toEqual(["Summary: 9 releasable, 3 already gone, 11 refused, 1 retained.", "`pulumi destroy` would fail on 11 resources: apply the fixes above first.", ""]);
  });

  test("the delete hooks then do exactly what the preflight predicted", async () => {
    const resources = fullStack().filter((r) => !r.urn.endsWith("::alloc-retained"));
    const { by } = await jsonRun(writeExport(stackExport(resources)));
    const lifecycles: Record<Kind, Lifecycle> = {
      IpamPoolAllocation: ipamPoolAllocationLifecycle,
      AnycastEipAddress: anycastEipAddressLifecycle,
      AnycastEipAssociation: anycastEipAssociationLifecycle,
    };
    // eip-busy is held Modifying: let it settle once its delete says it is waiting.
    const ctx = emulatorContext(emu, {
      progress: (line) => {
        if (/^waiting for/.test(line)) emu.control.settle();
      },
    });
    // Pulumi's order: associations that depend on an EIP go first; the undepending one (assoc-api) may run
    // after its EIP, which is the refusal the preflight predicts for eip-nodep.
    const order = [...resources].sort((a, b) => rank(a) - rank(b));
    function rank(r: { urn: string; type: string }): number {
      if (r.urn.endsWith("::assoc-api")) return 2;
      return r.type.endsWith("AnycastEipAssociation") ? 0 : 1;
    }
    const outcome: Record<string, string> = {};
    for (const r of order) {
      const kind = r.type.split(":").pop() as Kind;
      const name = r.urn.split("::").pop()!;
      const { __provider: _p, ...props } = r.outputs;
      try {
        await lifecycles[kind].delete(ctx, r.id, props);
        outcome[name] = "deleted";
      } catch (err) {
        outcome[name] = err instanceof ReleaseRefusedError ? "refused" : `failed (${(err as Error).message.split(":")[0]})`;
      }
    }
    const expected = Object.fromEntries(Object.values(by).map((r) => [r.name, r.verdict === "refused" ? "refused" : "deleted"]));
    // The two refusals only the service knows (DryRun) come back from the real delete as cloud errors.
    expected["alloc-unauthorized"] = "failed (releasing IPAM pool allocation ipam-pool-alloc-locked)";
    expected["alloc-pool-deleted"] = "failed (releasing IPAM pool allocation ipam-pool-alloc-orphan)";
    expect(outcome).toEqual(expected);
  });
});

describe("exit 0 and exit 1", () => {
  beforeEach(seedCloud);

  test("everything releasable or gone: exit 0, and the table says destroy would go through", async () => {
    const file = writeExport(
      stackExport([
        resource("IpamPoolAllocation", "alloc-ok", "ipam-pool-alloc-custom", alloc("ipam-pool-alloc-custom", "10.0.1.0/24")),
        resource("AnycastEipAddress", "eip-ok", "aeip-free", eip("aeip-free")),
        resource("AnycastEipAddress", "eip-gone", "aeip-released", eip("aeip-released")),
      ]),
    );
    const run = await cli(["preflight", "--state", file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Summary: 2 releasable, 1 already gone, 0 refused.\n`pulumi destroy` would release every resource above.\n");
    const json = await jsonRun(file);
    expect(json.run.code).toBe(0);
    expect(json.report.exitCode).toBe(0);
  });

  test("a stack without our resources: exit 0", async () => {
    const run = await cli(["preflight", "--state", writeExport(stackExport([]))]);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/no IpamPoolAllocation, AnycastEipAddress or AnycastEipAssociation resources/);
  });

  test.each([
    ["not JSON", "{ nope", /is not JSON/],
    ["not an export", JSON.stringify({ resources: [] }), /is not a Pulumi stack export/],
    ["a newer format", JSON.stringify({ version: 4, deployment: { resources: [] } }), /is a version 4 stack export; this tool reads up to version 3/],
    ["a resource without urn", JSON.stringify({ version: 3, deployment: { resources: [{ type: "x" }] } }), /deployment\.resources\[0\] has no urn\/type/],
  ])("a bad state file (%s): exit 1 with the reason, JSON error object", async (_what, text, message) => {
    const file = writeExport(text);
    const run = await cli(["preflight", "--state", file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe("");
    const json = await cli(["preflight", "--state", file, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ version: 1, exitCode: 1, error: expect.stringMatching(message) });
  });

  test("a missing state file: exit 1", async () => {
    const run = await cli(["preflight", "--state", path.join(dir, "nope.json")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot read --state .*nope\.json: ENOENT/);
  });

  test("wrong credentials: every resource is an error, exit 1 (errors win over refusals)", async () => {
    const file = writeExport(stackExport(fullStack().slice(0, 3)));
    emu.control.clearCalls();
    const { run, report } = await jsonRun(file, emulatorEnv(emu, { ALIBABA_CLOUD_ACCESS_KEY_SECRET: "wrong-secret" }));
    expect(run.code).toBe(1);
    expect(report.summary).toMatchObject({ total: 3, error: 3 });
    expect(report.resources[0].reason).toMatch(/^reading IPAM pool allocation ipam-pool-alloc-custom: SignatureDoesNotMatch: /);
    expect(emu.control.calls().every((c) => !c.mutating)).toBe(true);
    const table = await cli(["preflight", "--state", file], emulatorEnv(emu, { ALIBABA_CLOUD_ACCESS_KEY_SECRET: "wrong-secret" }));
    expect(table.stdout).toMatch(/alloc-ok\s+ipam-pool-alloc-custom\s+error: reading IPAM pool allocation ipam-pool-alloc-custom: SignatureDoesNotMatch/);
    expect(table.stdout).toContain("Some resources could not be checked; fix the errors above and run the preflight again.");
  });

  test("--state: the provider config stored in the export comes before the environment, as destroy uses it", async () => {
    const doc = stackExport([resource("IpamPoolAllocation", "alloc-ok", "ipam-pool-alloc-custom", alloc("ipam-pool-alloc-custom", "10.0.1.0/24"))]) as {
      deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] };
    };
    const provider = doc.deployment.resources.find((r) => r.type === "pulumi:providers:pulumi-nodejs")!;
    const sig = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
    provider.inputs = { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": { ...sig, plaintext: JSON.stringify(emu.accessKeySecret) } };
    const wrongEnv = emulatorEnv(emu, { ALIBABA_CLOUD_ACCESS_KEY_SECRET: "wrong-secret" });
    const stored = await jsonRun(writeExport(doc), wrongEnv);
    expect(stored.run.code).toBe(0);
    expect(stored.report.settings).toMatchObject({ from: "state" });
    expect(stored.by["alloc-ok"].verdict).toBe("releasable");
    // exported without --show-secrets: the stored secret cannot be read, and the error says how to get it
    provider.inputs["alicloud:secretKey"] = { ...sig, ciphertext: "v1:abc" };
    const file = writeExport(doc);
    const encrypted = await jsonRun(file, wrongEnv);
    expect(encrypted.run.code).toBe(1);
    expect(encrypted.by["alloc-ok"]).toMatchObject({ verdict: "error", reason: expect.stringContaining(`alicloud:secretKey is a secret in the provider config stored in the state, and ${file} holds only its ciphertext`) });
  });

  test("an unreachable endpoint: exit 1 after 2 attempts (not the default 8), the endpoint and its setting named", async () => {
    const file = writeExport(stackExport([resource("AnycastEipAddress", "eip-ok", "aeip-free", eip("aeip-free"))]));
    const { run, report } = await jsonRun(file, emulatorEnv(emu, { ALIBABA_CLOUD_ENDPOINT_EIPANYCAST: "http://127.0.0.1:1" }));
    expect(run.code).toBe(1);
    expect(report.resources[0]).toMatchObject({ verdict: "error", reason: expect.stringMatching(/^describing Anycast EIP aeip-free: after 2 failed attempts over \d+(\.\d)? s: ECONNREFUSED: could not connect to http:\/\/127\.0\.0\.1:1 \(connection refused\) calling DescribeAnycastEipAddress; nothing was sent\. Check the Eipanycast endpoint \(from env ALIBABA_CLOUD_ENDPOINT_EIPANYCAST; set with Pulumi config alicloud:endpoints or env ALIBABA_CLOUD_ENDPOINT_EIPANYCAST\)$/) });
    expect(run.stderr).toMatch(/describing Anycast EIP aeip-free: attempt 1 failed \(ECONNREFUSED\); retrying/);
  });

  test("an invalid provider setting: exit 1 naming it, nothing called", async () => {
    const file = writeExport(stackExport([resource("AnycastEipAddress", "eip-ok", "aeip-free", eip("aeip-free"))]));
    emu.control.clearCalls();
    const run = await cli(["preflight", "--state", file, "--json"], emulatorEnv(emu, { ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS: "soon" }));
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ version: 1, exitCode: 1, error: 'env ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS is "soon"; expected a whole number of milliseconds ≥ 0' });
    expect(emu.control.calls()).toEqual([]);
  });

  test("no region anywhere and none stored: an error naming where to set it", async () => {
    const env = emulatorEnv(emu);
    delete env.ALIBABA_CLOUD_REGION;
    const file = writeExport(stackExport([resource("IpamPoolAllocation", "legacy", "ipam-pool-alloc-legacy", { allocationId: "ipam-pool-alloc-legacy" })]));
    const { run, report } = await jsonRun(file, env);
    expect(run.code).toBe(1);
    expect(report.resources[0]).toMatchObject({ verdict: "error", region: null, reason: expect.stringMatching(/^no region: .*pulumi config set alicloud:region/) });
  });
});

describe("state written by earlier provider versions", () => {
  beforeEach(seedCloud);

  test("missing fields are read from the cloud (regionId → provider region); unknown ones ignored; secrets unwrapped", async () => {
    const file = writeExport(
      stackExport([
        // Only the ID: no regionId, no resourceType, no cidr.
        resource("IpamPoolAllocation", "legacy-alloc", "ipam-pool-alloc-legacy", { someRemovedField: 1 }),
        resource("AnycastEipAddress", "legacy-eip", "aeip-legacy", { oldStatusField: "x" }),
        // An ID not in the 4-part form: the binding key comes from the stored properties.
        resource(
          "AnycastEipAssociation",
          "legacy-assoc",
          "assoc-1",
          { anycastId: "aeip-stack", bindInstanceId: "lb-web", bindInstanceRegionId: REGION, bindInstanceType: "SlbInstance" },
          { dependencies: [urnOf("AnycastEipAddress", "secret-eip")] },
        ),
        // detachOnDelete stored as a secret whose plaintext the export holds; regionId as an encrypted one (dropped).
        resource("AnycastEipAddress", "secret-eip", "aeip-stack", {
          anycastId: "aeip-stack",
          detachOnDelete: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: "false" },
          regionId: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" },
        }),
      ]),
    );
    emu.control.clearCalls();
    const { run, by } = await jsonRun(file);
    expect(run.code).toBe(0);
    expectReadOnly();
    expect(by["legacy-alloc"]).toMatchObject({ verdict: "releasable", region: REGION, reason: "Custom allocation 10.0.9.0/24; DeleteIpamPoolAllocation DryRun: would succeed (DryRunOperation)" });
    expect(by["legacy-eip"]).toMatchObject({ verdict: "releasable", region: REGION, bindings: [] });
    expect(by["legacy-assoc"]).toMatchObject({ verdict: "releasable", region: REGION });
    expect(by["secret-eip"]).toMatchObject({ verdict: "releasable", bindings: [{ instanceId: "lb-web", handling: "association", associationUrn: urnOf("AnycastEipAssociation", "legacy-assoc") }] });
    const dryRun = emu.control.calls().find((c) => c.action === "DeleteIpamPoolAllocation");
    expect(dryRun?.params).toMatchObject({ RegionId: REGION, IpamPoolAllocationId: "ipam-pool-alloc-legacy", DryRun: "true" });
  });
});

describe("--stack: the stack's state and config through the Automation API and the real pulumi CLI", () => {
  const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
  let project: string;
  let pulumiEnv: Record<string, string>;

  /** `pulumi <args>` in the project, failing the test on a non-zero exit. */
  async function pulumi(args: string[]): Promise<void> {
    const r = await runPulumi(args, { cwd: project, env: pulumiEnv });
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.output}`);
  }

  /** The environment of a shell with the CLI set up and no Alibaba Cloud settings: they come from the stack. */
  const shellEnv = (extra: Record<string, string> = {}): Record<string, string> => ({ ...pulumiEnv, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true", ...extra });

  // A project "shop" with stack dev: its state (imported) recorded a provider config that reaches the
  // emulator with the right credentials; its current stack config has a rotated (wrong) secret.
  beforeAll(async () => {
    project = path.join(dir, "shop");
    mkdirSync(project);
    writeFileSync(path.join(project, "Pulumi.yaml"), "name: shop\nruntime: nodejs\n");
    pulumiEnv = { ...offlinePulumiEnv(path.join(dir, "home"), "it-passphrase", pulumiBinDir()), HOME: path.join(dir, "home") };
    await pulumi(["stack", "init", "dev", "--non-interactive"]);
    await pulumi([
      "config", "set-all", "--stack", "dev",
      "--plaintext", `alicloud:region=${REGION}`,
      "--plaintext", `alicloud:endpoints=${JSON.stringify([{ vpcipam: emu.url, eipanycast: emu.url }])}`,
      "--plaintext", `alicloud:accessKey=${emu.accessKeyId}`,
      "--secret", "alicloud:secretKey=rotated-secret",
      "--plaintext", "alicloud-release:retryBaseDelayMs=0",
    ]);
    const exported = stackExport([
      resource("IpamPoolAllocation", "alloc-ok", "ipam-pool-alloc-custom", { allocationId: "ipam-pool-alloc-custom" }),
      resource("AnycastEipAddress", "eip-bound", "aeip-bound", { anycastId: "aeip-bound" }),
    ]) as { deployment: { secrets_providers: { state: { salt: string } }; resources: { type: string; inputs?: Record<string, unknown> }[] } };
    exported.deployment.resources.find((r) => r.type === "pulumi:providers:pulumi-nodejs")!.inputs = {
      "alicloud:region": REGION,
      "alicloud:endpoints": JSON.stringify([{ vpcipam: emu.url, eipanycast: emu.url }]),
      "alicloud:accessKey": emu.accessKeyId,
      "alicloud:secretKey": { ...SECRET, plaintext: JSON.stringify(emu.accessKeySecret) },
      "alicloud-release:retryBaseDelayMs": "0",
    };
    // The passphrase secrets provider of the state uses the stack's salt, so the import can encrypt the secret.
    exported.deployment.secrets_providers.state.salt = /encryptionsalt: (\S+)/.exec(readFileSync(path.join(project, "Pulumi.dev.yaml"), "utf8"))![1];
    // A hand-made export has no valid checksum (magic): --force.
    await pulumi(["stack", "import", "--force", "--file", writeExport(exported), "--stack", "dev"]);
  }, 120_000);
  beforeEach(seedCloud);

  test("settings from the provider config stored in the state, as destroy uses it; with --run-program from the current stack config", async () => {
    emu.control.clearCalls();
    const run = await cli(["preflight", "--stack", "dev", "--cwd", "shop", "--json"], shellEnv());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as PreflightReport;
    expect(report).toMatchObject({ stack: "dev", source: "pulumi stack export", settings: { from: "state" }, summary: { releasable: 1, refused: 1 } });
    expectReadOnly();

    const current = await cli(["preflight", "--stack", "dev", "--cwd", "shop", "--run-program"], shellEnv());
    expect(current.code).toBe(1);
    expect(current.stdout).toContain("Settings from the current stack config (--run-program), then environment variables — as `pulumi destroy --run-program` reads them.");
    expect(current.stdout).toMatch(/alloc-ok\s+ipam-pool-alloc-custom\s+error: reading IPAM pool allocation ipam-pool-alloc-custom: SignatureDoesNotMatch/);
  });

  test("without --stack the selected stack is used, and the table says where the settings came from", async () => {
    const run = await cli(["preflight", "--cwd", "shop"], shellEnv());
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("Destroy preflight (stack dev): 2 resources\nSettings from the state's stored provider config (last `pulumi up`), then environment variables — as `pulumi destroy` and `pulumi refresh` read them.\n");
  });

  test("pulumi failing (a wrong passphrase) is exit 1 with its message", async () => {
    const run = await cli(["preflight", "--stack", "dev", "--cwd", "shop", "--json"], shellEnv({ PULUMI_CONFIG_PASSPHRASE: "wrong" }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`\`pulumi stack export --show-secrets --stack dev\` (in ${project}) exited with 1: error: could not deserialize deployment: failed to decrypt: incorrect passphrase`);
    expect(run.stderr).toMatch(/passphrase/i);
    expect(JSON.parse(run.stdout)).toMatchObject({ version: 1, exitCode: 1 });
  });

  test("no pulumi on PATH: exit 1 saying so", async () => {
    const run = await cli(["preflight", "--stack", "dev", "--cwd", "shop"], { PATH: path.join(dir, "empty-bin") });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the pulumi CLI was not found on PATH/);
  });
});
