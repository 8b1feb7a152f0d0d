/**
 * The preflight's offline parts: reading a stack export, the argument parser, config conversion, the
 * verdict texts and exit codes, command dispatch — and the EIP/allocation checks' edge cases over a fake
 * transport (no HTTP).
 */
import { main } from "../../cli/main";
import { CliIo } from "../../cli/io";
import { flatConfig, parsePreflightArgs } from "../../cli/preflight";
import { CloudError } from "../../provider/cloud/errors";
import { envSource, SettingsError } from "../../provider/cloud/settings";
import { Transport } from "../../provider/cloud/transport";
import { formatReport, verdictText } from "../../provider/preflight/format";
import { runPreflight, summarize } from "../../provider/preflight/run";
import { destroySettings, runProgramSettings } from "../../provider/preflight/settings";
import { deletedBefore, kindOf, nameOfUrn, parseStackExport, parseStackState } from "../../provider/preflight/state";
import { PreflightResult, StateResource } from "../../provider/preflight/types";

const SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const T = (kind: string) => `pulumi-nodejs:dynamic/alicloud:${kind}`;
const urn = (kind: string, name: string) => `urn:pulumi:dev::p::${T(kind)}::${name}`;

function doc(resources: unknown[], version: unknown = 3): string {
  return JSON.stringify({ version, deployment: { resources } });
}

describe("parseStackExport", () => {
  test("reads what delete and ordering need; ignores the rest; unwraps secrets with plaintext, drops encrypted ones", () => {
    const [r] = parseStackExport(
      doc([
        {
          urn: urn("AnycastEipAddress", "e"),
          type: T("AnycastEipAddress"),
          id: "aeip-1",
          custom: true,
          outputs: {
            detachOnDelete: { ...SIG, plaintext: "true" },
            regionId: { ...SIG, ciphertext: "v1:zzz" },
            nested: { list: [1, { ...SIG, plaintext: '"a"' }, { ...SIG, ciphertext: "x" }], bad: { ...SIG, plaintext: "{nope" } },
            __provider: "exports.handler = …",
          },
          dependencies: ["urn:a", 7],
          propertyDependencies: { anycastId: ["urn:b"], bad: "x" },
          parent: "urn:stack",
          deletedWith: "urn:c",
          retainOnDelete: true,
          external: false,
          delete: true,
          somethingNew: { whatever: 1 },
        },
      ]),
      "f.json",
    );
    expect(r).toEqual({
      urn: urn("AnycastEipAddress", "e"),
      type: T("AnycastEipAddress"),
      id: "aeip-1",
      outputs: { detachOnDelete: true, nested: { list: [1, "a"] }, __provider: "exports.handler = …" },
      dependencies: ["urn:a"],
      propertyDependencies: { anycastId: ["urn:b"], bad: [] },
      parent: "urn:stack",
      deletedWith: "urn:c",
      retainOnDelete: true,
      external: false,
      pendingDelete: true,
    });
  });

  test("an export without resources (a new stack) or without version is fine", () => {
    expect(parseStackExport(JSON.stringify({ version: 3, deployment: { manifest: {} } }), "f")).toEqual([]);
    expect(parseStackExport(JSON.stringify({ deployment: { resources: null } }), "f")).toEqual([]);
    expect(parseStackExport(doc([{ urn: "u", type: "t" }], 1), "f")).toHaveLength(1);
  });

  test.each([
    ["[]", /f\.json is not a Pulumi stack export/],
    ["{ x", /f\.json is not JSON/],
    [doc([], 4), /version 4 stack export; this tool reads up to version 3/],
    [doc([], "3"), /"version" is "3"; expected a whole number/],
    [JSON.stringify({ version: 3, deployment: { resources: {} } }), /deployment\.resources is not a list/],
    [doc([{ urn: "u" }]), /deployment\.resources\[0\] has no urn\/type/],
  ])("%s is refused", (text, message) => {
    expect(() => parseStackExport(text, "f.json")).toThrow(message);
  });
});

describe("names and kinds", () => {
  test("kindOf matches the three type tokens exactly", () => {
    expect(kindOf(T("IpamPoolAllocation"))).toBe("IpamPoolAllocation");
    expect(kindOf(T("AnycastEipAddress"))).toBe("AnycastEipAddress");
    expect(kindOf(T("AnycastEipAssociation"))).toBe("AnycastEipAssociation");
    expect(kindOf("pulumi-nodejs:dynamic:Resource")).toBeUndefined();
    expect(kindOf("alicloud:vpc/ipamIpamPoolAllocation:IpamIpamPoolAllocation")).toBeUndefined();
  });

  test("nameOfUrn takes the last segment, also under a parent type chain", () => {
    expect(nameOfUrn(urn("IpamPoolAllocation", "web"))).toBe("web");
    expect(nameOfUrn(`urn:pulumi:dev::p::my:index:Net$${T("AnycastEipAddress")}::edge-ip`)).toBe("edge-ip");
  });
});

function res(name: string, extra: Partial<StateResource> = {}): StateResource {
  return { urn: `u:${name}`, type: "t", outputs: {}, dependencies: [], propertyDependencies: {}, retainOnDelete: false, external: false, pendingDelete: false, ...extra };
}

test("deletedBefore follows dependencies, property dependencies and parents, transitively", () => {
  const eip = res("eip");
  const mid = res("mid", { propertyDependencies: { x: ["u:eip"] } });
  const viaMid = res("a", { dependencies: ["u:mid"] });
  const child = res("c", { parent: "u:eip" });
  const loose = res("l", { dependencies: ["u:mid2"] });
  const cyc1 = res("y1", { dependencies: ["u:y2"] });
  const cyc2 = res("y2", { dependencies: ["u:y1"] });
  const all = [eip, mid, viaMid, child, loose, cyc1, cyc2];
  expect(deletedBefore(all, mid, eip)).toBe(true);
  expect(deletedBefore(all, viaMid, eip)).toBe(true);
  expect(deletedBefore(all, child, eip)).toBe(true);
  expect(deletedBefore(all, loose, eip)).toBe(false);
  expect(deletedBefore(all, cyc1, eip)).toBe(false);
  expect(deletedBefore(all, eip, mid)).toBe(false);
});

describe("parsePreflightArgs", () => {
  test("flags in both forms", () => {
    expect(parsePreflightArgs([])).toEqual({ runProgram: false, json: false, help: false });
    expect(parsePreflightArgs(["--stack", "dev", "--cwd=infra", "--json"])).toEqual({ stack: "dev", cwd: "infra", runProgram: false, json: true, help: false });
    expect(parsePreflightArgs(["-s", "prod", "-C", "x", "--run-program"])).toMatchObject({ stack: "prod", cwd: "x", runProgram: true });
    expect(parsePreflightArgs(["--state=export.json", "-h"])).toEqual({ state: "export.json", runProgram: false, json: false, help: true });
  });

  test.each([
    [["--stak", "dev"], 'unknown option "--stak"'],
    [["dev"], 'unknown argument "dev"'],
    [["--stack"], "--stack needs a value"],
    [["--stack="], "--stack needs a value"],
    [["--json=yes"], "--json takes no value"],
    [["-s", "a", "--stack", "b"], "--stack given twice"],
    [["--state", "f.json", "--stack", "dev"], "--state reads a stack export file (with the provider config stored in it); it cannot be combined with --stack, --cwd or --run-program"],
    [["--cwd", "x", "--state", "f.json"], "cannot be combined"],
    [["--state", "f.json", "--run-program"], "cannot be combined"],
    [["--run-program=yes"], "--run-program takes no value"],
  ])("%j → %s", (argv, message) => {
    expect(() => parsePreflightArgs(argv)).toThrow(message);
  });
});

test("flatConfig: strings as they are, objects as JSON, secrets shown", () => {
  expect(
    flatConfig({
      "alicloud:region": { value: "cn-hangzhou", secret: false },
      "alicloud:secretKey": { value: "s3cr3t", secret: true },
      "alicloud:endpoints": { value: '[{"vpcipam":"http://x:1"}]', objectValue: [{ vpcipam: "http://x:1" }], secret: false },
      "alicloud:objOnly": { objectValue: [{ eipanycast: "http://y" }] },
      "app:n": { value: 3 },
      "app:none": {},
      "app:odd": "x",
    }),
  ).toEqual({
    "alicloud:region": "cn-hangzhou",
    "alicloud:secretKey": "s3cr3t",
    "alicloud:endpoints": '[{"vpcipam":"http://x:1"}]',
    "alicloud:objOnly": '[{"eipanycast":"http://y"}]',
    "app:n": "3",
  });
  expect(() => flatConfig([])).toThrow(/no object/);
});

describe("settings as `pulumi destroy` resolves them: each resource's stored provider config, then the environment", () => {
  const PROVIDER_URN = "urn:pulumi:dev::p::pulumi:providers:pulumi-nodejs::default";
  const text = doc([
    {
      urn: PROVIDER_URN,
      type: "pulumi:providers:pulumi-nodejs",
      id: "p1",
      custom: true,
      inputs: {
        "alicloud:region": "cn-shanghai",
        "alicloud:accessKey": "AKID",
        "alicloud:secretKey": { ...SIG, plaintext: '"SECRET"' },
        "alicloud:securityToken": { ...SIG, ciphertext: "v1:zzz" },
        "alicloud:endpoints": '[{"vpcipam":"http://127.0.0.1:1"}]',
        "app:n": 3,
      },
      outputs: { "alicloud:region": "ignored-outputs" },
    },
    { urn: `${PROVIDER_URN}-old`, type: "pulumi:providers:pulumi-nodejs", id: "p0", inputs: { "alicloud:region": "cn-beijing" } },
    { urn: urn("IpamPoolAllocation", "a"), type: T("IpamPoolAllocation"), id: "ipam-pool-alloc-1", provider: `${PROVIDER_URN}::p1` },
    { urn: urn("IpamPoolAllocation", "old"), type: T("IpamPoolAllocation"), id: "ipam-pool-alloc-0", provider: `${PROVIDER_URN}-old::p0`, delete: true },
    { urn: urn("IpamPoolAllocation", "loose"), type: T("IpamPoolAllocation"), id: "ipam-pool-alloc-2" },
  ]);

  test("the export's provider entries are read from their inputs; secrets unwrapped, encrypted ones named", () => {
    const state = parseStackState(text, "f.json");
    expect(state.resources.map((r) => r.provider)).toEqual([undefined, undefined, `${PROVIDER_URN}::p1`, `${PROVIDER_URN}-old::p0`, undefined]);
    expect(state.providerConfigs.get(`${PROVIDER_URN}::p1`)).toEqual({
      values: { "alicloud:region": "cn-shanghai", "alicloud:accessKey": "AKID", "alicloud:secretKey": "SECRET", "alicloud:endpoints": '[{"vpcipam":"http://127.0.0.1:1"}]', "app:n": "3" },
      encrypted: ["alicloud:securityToken"],
    });
  });

  test("each resource reads its own provider's config, then the environment; one without a provider, the environment only", () => {
    const state = parseStackState(text, "f.json");
    const env = { ALIBABA_CLOUD_REGION: "ap-southeast-1", ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS: "0" };
    const plan = destroySettings(state, env, "f.json");
    expect(plan.settings).toEqual({ from: "state", label: expect.stringContaining("the state's stored provider config (last `pulumi up`)") });
    const [, , a, old, loose] = state.resources;
    expect(plan.settingsFor(a).config("alicloud:region")).toBe("cn-shanghai");
    expect(plan.settingsFor(old).config("alicloud:region")).toBe("cn-beijing");
    expect(plan.settingsFor(loose).config("alicloud:region")).toBeUndefined();
    expect(plan.settingsFor(loose).env).toBe(env);
    expect(plan.settingsFor(a)).toBe(plan.settingsFor(state.resources[2]));
    // a secret the export holds only as ciphertext cannot be read: saying how to get its plaintext
    expect(() => plan.settingsFor(a).config("alicloud:securityToken")).toThrow(SettingsError);
    expect(() => plan.settingsFor(a).config("alicloud:securityToken")).toThrow(
      "alicloud:securityToken is a secret in the provider config stored in the state, and f.json holds only its ciphertext: export the stack with `pulumi stack export --show-secrets`, or run preflight with --stack",
    );
  });

  test("no stored provider config for our resources: the environment, and the report says so; --run-program: the stack config", () => {
    const state = parseStackState(doc([{ urn: urn("IpamPoolAllocation", "a"), type: T("IpamPoolAllocation"), id: "x" }]), "f.json");
    expect(destroySettings(state, {}, "f.json").settings.from).toBe("environment");
    const plan = runProgramSettings({ "alicloud:region": "eu-central-1" }, {});
    expect(plan.settings).toEqual({ from: "stack-config", label: expect.stringContaining("the current stack config (--run-program)") });
    expect(plan.settingsFor(state.resources[0]).config("alicloud:region")).toBe("eu-central-1");
  });

  test("runPreflight checks each resource with its provider's settings and reports where they came from", async () => {
    const state = parseStackState(text, "f.json");
    const plan = destroySettings(state, { ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS: "0" }, "f.json");
    const regions: string[] = [];
    const transport: Transport = {
      async call(_product, _action, params) {
        regions.push(String(params.RegionId));
        return { RequestId: "r", IpamPoolAllocations: [] };
      },
    };
    const report = await runPreflight(state.resources, { settings: plan.settingsFor, settingsFrom: plan.settings, source: "f.json", progress: () => undefined, context: { transport } });
    expect(report.settings).toEqual(plan.settings);
    expect(Object.fromEntries(report.resources.map((r) => [r.name, [r.verdict, r.region]]))).toEqual({
      a: ["gone", "cn-shanghai"],
      old: ["gone", "cn-beijing"],
      loose: ["error", null],
    });
    expect(report.resources.find((r) => r.name === "loose")!.reason).toMatch(/no region/);
    expect(regions.sort()).toEqual(["cn-beijing", "cn-shanghai"]);
    expect(formatReport(report)).toContain("Settings from the state's stored provider config (last `pulumi up`), then environment variables — as `pulumi destroy` and `pulumi refresh` read them.\n");
  });
});

describe("verdicts, summary and exit codes", () => {
  const r = (verdict: PreflightResult["verdict"], reason = "why", fix: string | null = null): PreflightResult => ({
    urn: urn("IpamPoolAllocation", verdict),
    name: verdict,
    type: "IpamPoolAllocation",
    id: `id-${verdict}`,
    verdict,
    reason,
    fix,
    region: "cn-hangzhou",
    pendingDelete: false,
  });

  test("verdict texts", () => {
    expect(verdictText(r("releasable"))).toBe("releasable");
    expect(verdictText(r("gone"))).toBe("already gone");
    expect(verdictText(r("refused", "it is a VPC allocation", "Delete the VPC"))).toBe("refused: it is a VPC allocation — Delete the VPC");
    expect(verdictText(r("retained", "retainOnDelete is set"))).toBe("retained: retainOnDelete is set");
    expect(verdictText(r("error", "no region"))).toBe("error: no region");
  });

  test.each([
    [[], 0],
    [["releasable", "gone", "retained"], 0],
    [["releasable", "refused"], 2],
    [["refused", "error"], 1],
    [["error"], 1],
  ] as [PreflightResult["verdict"][], number][])("%j → exit %d", (verdicts, code) => {
    const { summary, exitCode } = summarize(verdicts.map((v) => r(v)));
    expect(exitCode).toBe(code);
    expect(summary.total).toBe(verdicts.length);
  });

  test("a pending-delete resource is marked in the table", () => {
    const report = { version: 1 as const, stack: "dev", source: "pulumi stack export", exitCode: 0 as const, summary: summarize([]).summary, resources: [{ ...r("releasable"), pendingDelete: true }] };
    expect(formatReport(report)).toMatch(/IpamPoolAllocation\s+releasable \(pending delete\)\s+id-releasable\s+releasable/);
  });
});

describe("command dispatch", () => {
  async function run(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd: "/" };
    return { code: await main(argv, io), stdout, stderr };
  }

  test("--help, help and no command", async () => {
    expect(await run(["--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining("Usage: pulumi-alicloud-release <command>") });
    expect(await run(["help"])).toMatchObject({ code: 0 });
    expect(await run([])).toMatchObject({ code: 1, stderr: expect.stringContaining("preflight") });
  });

  test("unknown command and bad options: exit 1 with usage", async () => {
    expect(await run(["prefligth"])).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown command "prefligth"') });
    const bad = await run(["preflight", "--nope"]);
    expect(bad).toMatchObject({ code: 1, stdout: "" });
    expect(bad.stderr).toContain('unknown option "--nope"');
    expect(bad.stderr).toContain("Usage: pulumi-alicloud-release preflight");
  });

  test("preflight --help documents options, verdicts and exit codes", async () => {
    const help = await run(["preflight", "--help"]);
    expect(help.code).toBe(0);
    for (const s of ["--stack NAME", "--cwd DIR", "--run-program", "--state FILE", "--json", "provider config the state recorded at the last `pulumi up`", "pulumi stack export --show-secrets", "0  every resource", "2  at least one would be refused", "1  error"]) {
      expect(help.stdout).toContain(s);
    }
  });
});

// ------------------------------------------------------------------- checks over a fake transport

interface FakeBinding {
  id: string;
  type?: string;
  status?: string;
}
function eipBody(id: string, status: string, bindings: FakeBinding[], serviceManaged = 0) {
  return {
    AnycastId: id,
    IpAddress: "192.0.2.9",
    Status: status,
    ServiceManaged: serviceManaged,
    AnycastEipBindInfoList: bindings.map((b) => ({ BindInstanceId: b.id, BindInstanceType: b.type ?? "SlbInstance", BindInstanceRegionId: "cn-hangzhou", Status: b.status ?? "BINDED" })),
  };
}

function fake(answers: Record<string, (params: Record<string, unknown>) => Record<string, unknown>>): { transport: Transport; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    transport: {
      async call(_product, action, params) {
        calls.push(`${action}${params.DryRun ? " DryRun" : ""}`);
        const answer = answers[action];
        if (!answer) throw new Error(`unexpected ${action}`);
        return answer(params);
      },
    },
  };
}

const eipRes = (name: string, id: string, outputs: Record<string, unknown> = {}, extra: Partial<StateResource> = {}): StateResource =>
  res(name, { urn: urn("AnycastEipAddress", name), type: T("AnycastEipAddress"), id, outputs: { anycastId: id, regionId: "cn-hangzhou", ...outputs }, ...extra });
const assocRes = (name: string, anycastId: string, instance: string, extra: Partial<StateResource> = {}): StateResource =>
  res(name, { urn: urn("AnycastEipAssociation", name), type: T("AnycastEipAssociation"), id: `${anycastId}:${instance}:cn-hangzhou:SlbInstance`, outputs: { regionId: "cn-hangzhou" }, ...extra });

async function preflight(resources: StateResource[], transport: Transport) {
  const report = await runPreflight(resources, {
    // The verdicts, one Describe per EIP; batched reads have their own tests against the emulator.
    settings: envSource({ ALIBABA_CLOUD_REGION: "cn-hangzhou", ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS: "0", ALICLOUD_RELEASE_BATCH_READS: "false" }),
    source: "test",
    progress: () => undefined,
    context: { transport, retry: { maxAttempts: 2 } },
  });
  return Object.fromEntries(report.resources.map((r) => [r.name, r]));
}

describe("EIP checks: which of the stack's associations detach first", () => {
  const describe2 = (body: Record<string, unknown>) => fake({ DescribeAnycastEipAddress: () => body });

  test("retainOnDelete, deletedWith and a missing dependency do not help; a transitive dependency does", async () => {
    const eip = eipRes("eip", "aeip-1", { status: "Associated" });
    const mid = res("mid", { urn: "urn:mid", dependencies: [eip.urn] });
    const { transport } = describe2(eipBody("aeip-1", "Associated", [{ id: "lb-keep" }, { id: "lb-with" }, { id: "lb-loose" }, { id: "lb-far" }]));
    const by = await preflight(
      [
        eip,
        mid,
        assocRes("keep", "aeip-1", "lb-keep", { retainOnDelete: true, dependencies: [eip.urn] }),
        assocRes("with", "aeip-1", "lb-with", { deletedWith: eip.urn, dependencies: [eip.urn] }),
        assocRes("loose", "aeip-1", "lb-loose"),
        assocRes("far", "aeip-1", "lb-far", { dependencies: ["urn:mid"] }),
      ],
      transport,
    );
    expect(by.eip.verdict).toBe("refused");
    expect(by.eip.bindings!.map((b) => [b.instanceId, b.handling, b.note?.split(",")[0] ?? null])).toEqual([
      ["lb-keep", "blocking", "AnycastEipAssociation keep is not deleted by destroy (retainOnDelete)"],
      ["lb-with", "blocking", "AnycastEipAssociation with has deletedWith"],
      ["lb-loose", "blocking", "AnycastEipAssociation loose does not depend on this EIP"],
      ["lb-far", "association", null],
    ]);
    expect(by.eip.reason).toMatch(/^it is still associated with 3 instances: lb-keep .*, lb-with .*, lb-loose .* \(AnycastEipAssociation keep is not deleted/);
    expect(by.keep).toMatchObject({ verdict: "retained" });
  });

  test("an association of another EIP does not count", async () => {
    const eip = eipRes("eip", "aeip-1");
    const { transport } = describe2(eipBody("aeip-1", "Associated", [{ id: "lb-1" }]));
    const by = await preflight([eip, assocRes("other", "aeip-2", "lb-1", { dependencies: [eip.urn] })], transport);
    expect(by.eip).toMatchObject({ verdict: "refused", bindings: [{ instanceId: "lb-1", handling: "blocking", associationUrn: null }] });
  });

  test("stack associations and detachOnDelete together: releasable; a binding already UNBINDING is left to finish", async () => {
    const eip = eipRes("eip", "aeip-1", { detachOnDelete: true });
    const { transport } = describe2(eipBody("aeip-1", "Associated", [{ id: "lb-1" }, { id: "eni-1", type: "NetworkInterface" }, { id: "lb-2", status: "UNBINDING" }]));
    const by = await preflight([eip, assocRes("a", "aeip-1", "lb-1", { dependencies: [eip.urn] })], transport);
    expect(by.eip.verdict).toBe("releasable");
    expect(by.eip.bindings!.map((b) => b.handling)).toEqual(["association", "detachOnDelete", "leaving"]);
    expect(by.eip.reason).toBe("after this stack's AnycastEipAssociation detach lb-1: detachOnDelete: detaching eni-1 (NetworkInterface in cn-hangzhou), then releasing");
  });

  test("an association still BINDING (EIP Associating) that the stack detaches: releasable", async () => {
    const eip = eipRes("eip", "aeip-1");
    const { transport } = describe2(eipBody("aeip-1", "Associating", [{ id: "lb-1", status: "BINDING" }]));
    const by = await preflight([eip, assocRes("a", "aeip-1", "lb-1", { dependencies: [eip.urn] })], transport);
    expect(by.eip).toMatchObject({ verdict: "releasable", reason: expect.stringMatching(/is Allocated with no bindings$/) });
    expect(by.a).toMatchObject({ verdict: "releasable", reason: "lb-1 (SlbInstance in cn-hangzhou, BINDING) is bound (BINDING); delete detaches it" });
  });

  test("a service-managed EIP is refused even when the stack detaches its bindings", async () => {
    const eip = eipRes("eip", "aeip-1");
    const { transport } = describe2(eipBody("aeip-1", "Associated", [{ id: "lb-1" }], 1));
    const by = await preflight([eip, assocRes("a", "aeip-1", "lb-1", { dependencies: [eip.urn] })], transport);
    expect(by.eip).toMatchObject({ verdict: "refused", reason: expect.stringMatching(/ServiceManaged=1/) });
  });

  test("an EIP Released or Releasing: gone / releasable after the wait; an association whose ID cannot be parsed: error", async () => {
    const { transport } = fake({
      DescribeAnycastEipAddress: (p) => (p.AnycastId === "aeip-1" ? eipBody("aeip-1", "Released", []) : eipBody(String(p.AnycastId), "Releasing", [])),
    });
    const by = await preflight([eipRes("e1", "aeip-1"), eipRes("e2", "aeip-2"), assocRes("bad", "x", "y", { id: "not-an-id", outputs: {} })], transport);
    expect(by.e1).toMatchObject({ verdict: "gone", reason: "aeip-1 is already Released" });
    expect(by.e2.verdict).toBe("releasable");
    expect(by.bad).toMatchObject({ verdict: "error", reason: expect.stringMatching(/^AnycastEipAssociation ID "not-an-id" is not anycastId:bindInstanceId/) });
  });
});

describe("allocation checks: the DryRun answer", () => {
  const alloc = (id: string, outputs: Record<string, unknown> = {}) =>
    res(id, { urn: urn("IpamPoolAllocation", id), type: T("IpamPoolAllocation"), id, outputs: { regionId: "cn-hangzhou", ...outputs } });
  const record = (id: string) => ({ IpamPoolAllocationId: id, Cidr: "10.0.0.0/24", ResourceType: "Custom", RegionId: "cn-hangzhou", Status: "Created" });
  const cloudError = (code: string, status: number | undefined, message = "m") => new CloudError({ code, status, message, requestId: status ? "RID" : undefined });

  test.each([
    ["Forbidden.RAM", 403, "refused", /^Grant the caller vpc:DeleteIpamPoolAllocation/],
    ["InvalidParameter", 400, "refused", /^Resolve what the service reports/],
    ["SignatureDoesNotMatch", 400, "error", null],
    ["ServiceUnavailable", 503, "error", null],
    ["ECONNRESET", undefined, "error", null],
  ])("DryRun answering %s (%s) → %s", async (code, status, verdict, fix) => {
    const { transport, calls } = fake({
      GetIpamPoolAllocation: (p) => record(String(p.IpamPoolAllocationId)),
      DeleteIpamPoolAllocation: () => {
        throw cloudError(code, status);
      },
    });
    const by = await preflight([alloc("ipam-pool-alloc-a")], transport);
    expect(by["ipam-pool-alloc-a"].verdict).toBe(verdict);
    if (fix) expect(by["ipam-pool-alloc-a"].fix).toMatch(fix);
    expect(calls.every((c) => c === "GetIpamPoolAllocation" || c === "DeleteIpamPoolAllocation DryRun")).toBe(true);
  });

  test("not found on the DryRun (released in between): gone; a plain success answer: releasable", async () => {
    const { transport } = fake({
      GetIpamPoolAllocation: (p) => record(String(p.IpamPoolAllocationId)),
      DeleteIpamPoolAllocation: (p) => {
        if (p.IpamPoolAllocationId === "ipam-pool-alloc-a") throw cloudError("ResourceNotFound.IpamPoolAllocation", 404);
        return { RequestId: "x" };
      },
    });
    const by = await preflight([alloc("ipam-pool-alloc-a"), alloc("ipam-pool-alloc-b")], transport);
    expect(by["ipam-pool-alloc-a"].verdict).toBe("gone");
    expect(by["ipam-pool-alloc-b"].verdict).toBe("releasable");
  });

  test("a refusal by the checks sends no DryRun; an external resource and one without ID are not called at all", async () => {
    const { transport, calls } = fake({ GetIpamPoolAllocation: (p) => ({ ...record(String(p.IpamPoolAllocationId)), ResourceType: "IpamPool" }) });
    const by = await preflight([alloc("ipam-pool-alloc-a"), { ...alloc("ext"), external: true }, { ...alloc("noid"), id: undefined }], transport);
    expect(by["ipam-pool-alloc-a"].verdict).toBe("refused");
    expect(by.ext).toMatchObject({ verdict: "retained", reason: "read with .get() (external): destroy does not delete it" });
    expect(by.noid).toMatchObject({ verdict: "error", reason: "the state holds no ID for it", id: "" });
    expect(calls).toEqual(["GetIpamPoolAllocation"]);
  });
});
