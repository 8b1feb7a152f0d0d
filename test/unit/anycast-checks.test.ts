/**
 * releaseVerdict / assertReleasable for every case, and the Describe → outputs mapping. Pure, no HTTP.
 */
import { AnycastEipRecord, BindingRecord, eipOutputsFromRecord, parseEipRecord } from "../../provider/anycast/api";
import { AnycastReleaseRefusedError, assertReleasable, releaseVerdict } from "../../provider/anycast/checks";
import { ReleaseRefusedError } from "../../provider/lifecycle";

function rec(over: Partial<AnycastEipRecord> = {}): AnycastEipRecord {
  return {
    anycastId: "aeip-1",
    ipAddress: "192.0.2.1",
    name: "web",
    description: "",
    status: "Allocated",
    businessStatus: "Normal",
    bandwidth: 1000,
    serviceLocation: "international",
    instanceChargeType: "PostPaid",
    internetChargeType: "PayByTraffic",
    createTime: "2026-01-01T00:00:00Z",
    resourceGroupId: "rg-1",
    tags: {},
    serviceManaged: false,
    bindings: [],
    ...over,
  };
}
function bind(id: string, status = "BINDED", over: Partial<BindingRecord> = {}): BindingRecord {
  return {
    instanceId: id,
    instanceType: id.startsWith("lb-") ? "SlbInstance" : "NetworkInterface",
    regionId: "us-west-1",
    status,
    associationMode: "Normal",
    privateIpAddress: "",
    popLocations: [],
    bindTime: "",
    ...over,
  };
}

describe("releaseVerdict", () => {
  test("gone: no record, or Released", () => {
    expect(releaseVerdict(undefined, {}).kind).toBe("gone");
    expect(releaseVerdict(rec({ status: "Released" }), {}).kind).toBe("gone");
  });

  test("releasable: Allocated with no bindings", () => {
    expect(releaseVerdict(rec(), {})).toEqual({ kind: "releasable", reason: expect.any(String), detach: [] });
  });

  test("refused: service-managed, naming who manages it and the way out — before any other rule", () => {
    for (const r of [rec({ serviceManaged: true }), rec({ serviceManaged: true, status: "Associated", bindings: [bind("eni-1")] }), rec({ serviceManaged: true, status: "Modifying" })]) {
      const v = releaseVerdict(r, { detachOnDelete: true });
      expect(v.kind).toBe("refused");
      if (v.kind !== "refused") return;
      expect(v.resource).toBe('Anycast EIP aeip-1 (192.0.2.1, "web")');
      expect(v.reason).toMatch(/managed by an Alibaba Cloud service/);
      expect(v.fix).toMatch(/through the Alibaba Cloud service that manages it/);
      expect(v.fix).toMatch(/pulumi state delete/);
    }
  });

  test("refused: service-managed, with the exact state-delete command when the URN is known, else the ID and how to find it", () => {
    const urn = "urn:pulumi:prod::net::pulumi-nodejs:dynamic/alicloud:AnycastEipAddress::edge";
    const known = releaseVerdict(rec({ serviceManaged: true }), { urn });
    expect(known).toMatchObject({ kind: "refused", fix: expect.stringContaining(`remove it from the state with \`pulumi state delete '${urn}'\`.`) });
    const unknown = releaseVerdict(rec({ serviceManaged: true }), {});
    expect(unknown).toMatchObject({ kind: "refused", fix: expect.stringContaining("`pulumi state delete <urn>` with the URN of the resource whose ID is aeip-1, which `pulumi stack --show-urns --show-ids` lists.") });
  });

  test("refused: associated, listing every bound instance and both ways out", () => {
    const r = rec({ status: "Associated", bindings: [bind("eni-1", "BINDED", { regionId: "us-west-1" }), bind("lb-2", "BINDED", { regionId: "eu-west-1" })] });
    const v = releaseVerdict(r, {});
    expect(v.kind).toBe("refused");
    if (v.kind !== "refused") return;
    expect(v.reason).toBe("it is still associated with 2 instances: eni-1 (NetworkInterface in us-west-1), lb-2 (SlbInstance in eu-west-1)");
    expect(v.fix).toMatch(/remove the AnycastEipAssociation/);
    expect(v.fix).toMatch(/detachOnDelete: true/);
    expect(v.bindings.map((b) => [b.instanceId, b.instanceType, b.regionId])).toEqual([
      ["eni-1", "NetworkInterface", "us-west-1"],
      ["lb-2", "SlbInstance", "eu-west-1"],
    ]);
  });

  test("refused even mid-association (a BINDING binding is a binding) and when only detachOnDelete is not exactly true", () => {
    expect(releaseVerdict(rec({ status: "Associating", bindings: [bind("eni-1", "BINDING")] }), {}).kind).toBe("refused");
    expect(releaseVerdict(rec({ status: "Associated", bindings: [bind("eni-1")] }), { detachOnDelete: "true" }).kind).toBe("refused");
  });

  test("detachOnDelete: releasable after detaching every active binding", () => {
    const v = releaseVerdict(rec({ status: "Associated", bindings: [bind("eni-1"), bind("lb-2")] }), { detachOnDelete: true });
    expect(v).toMatchObject({ kind: "releasable" });
    if (v.kind !== "releasable") return;
    expect(v.detach.map((b) => b.instanceId)).toEqual(["eni-1", "lb-2"]);
  });

  test("detachOnDelete: wait while the EIP or a binding is mid-transition", () => {
    expect(releaseVerdict(rec({ status: "Associating", bindings: [bind("eni-1", "BINDING")] }), { detachOnDelete: true })).toMatchObject({ kind: "wait", state: "binding eni-1 BINDING" });
    expect(releaseVerdict(rec({ status: "Modifying", bindings: [bind("eni-1")] }), { detachOnDelete: true })).toMatchObject({ kind: "wait", state: "Modifying" });
    expect(releaseVerdict(rec({ status: "Associated", bindings: [bind("eni-1", "MODIFYING")] }), { detachOnDelete: true })).toMatchObject({ kind: "wait" });
  });

  test.each(["Allocating", "Associating", "Unassociating", "Modifying", "Releasing"])("wait: %s with no active binding", (status) => {
    expect(releaseVerdict(rec({ status }), {})).toMatchObject({ kind: "wait", state: status });
  });

  test("wait: the last binding is UNBINDING (not counted as associated); Associated with no binding listed", () => {
    expect(releaseVerdict(rec({ status: "Unassociating", bindings: [bind("eni-1", "UNBINDING")] }), {})).toMatchObject({ kind: "wait", state: "Unassociating" });
    expect(releaseVerdict(rec({ status: "Allocated", bindings: [bind("eni-1", "UNBINDING")] }), {})).toMatchObject({ kind: "wait", state: "binding eni-1 UNBINDING" });
    expect(releaseVerdict(rec({ status: "Associated" }), {})).toMatchObject({ kind: "wait", state: "Associated" });
  });

  test("DELETED bindings are ignored", () => {
    expect(releaseVerdict(rec({ bindings: [bind("eni-1", "DELETED")] }), {}).kind).toBe("releasable");
  });
});

describe("assertReleasable", () => {
  test("throws a ReleaseRefusedError naming the EIP, the reason and the fix; bindings attached", () => {
    const r = rec({ status: "Associated", bindings: [bind("eni-1")] });
    let thrown: unknown;
    try {
      assertReleasable(r, {});
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ReleaseRefusedError);
    expect(thrown).toBeInstanceOf(AnycastReleaseRefusedError);
    const e = thrown as AnycastReleaseRefusedError;
    expect(e.message).toMatch(/^refusing to release Anycast EIP aeip-1 \(192\.0\.2\.1, "web"\): it is still associated with 1 instance: eni-1 \(NetworkInterface in us-west-1\)\. Either remove/);
    expect(e.bindings).toHaveLength(1);
  });

  test("returns the other verdicts", () => {
    expect(assertReleasable(undefined, {}).kind).toBe("gone");
    expect(assertReleasable(rec(), {}).kind).toBe("releasable");
    expect(assertReleasable(rec({ status: "Modifying" }), {}).kind).toBe("wait");
  });
});

describe("Describe record → outputs", () => {
  const body = {
    RequestId: "R",
    AnycastId: "aeip-1",
    IpAddress: "192.0.2.7",
    Name: "web",
    Description: "d",
    Status: "Associated",
    BusinessStatus: "Normal",
    Bandwidth: 500,
    ServiceLocation: "international",
    InstanceChargeType: "PostPaid",
    InternetChargeType: "PayByTraffic",
    CreateTime: "2026-01-01T00:00:00Z",
    ResourceGroupId: "rg-1",
    Tags: [{ Key: "env", Value: "prod" }, { Key: "note", Value: "" }],
    ServiceManaged: 1,
    AnycastEipBindInfoList: [
      { BindInstanceId: "eni-1", BindInstanceRegionId: "us-west-1", BindInstanceType: "NetworkInterface", Status: "BINDED", AssociationMode: "Default", PrivateIpAddress: "10.0.0.5", BindTime: "t", PopLocations: [{ PopLocation: "a" }, { PopLocation: "b" }] },
      { BindInstanceId: "lb-2", BindInstanceRegionId: "us-west-1", BindInstanceType: "SlbInstance", Status: "DELETED" },
    ],
  };

  test("parses types the API uses (ServiceManaged int, Bandwidth number or string)", () => {
    const r = parseEipRecord(body);
    expect(r.serviceManaged).toBe(true);
    expect(r.bandwidth).toBe(500);
    expect(parseEipRecord({ ...body, Bandwidth: "300", ServiceManaged: 0 })).toMatchObject({ bandwidth: 300, serviceManaged: false });
    expect(r.bindings[0]).toMatchObject({ instanceId: "eni-1", popLocations: ["a", "b"], privateIpAddress: "10.0.0.5" });
  });

  test("outputs are plain JSON with the settings as applied; DELETED bindings dropped", () => {
    const outs = eipOutputsFromRecord(parseEipRecord(body), { regionId: "cn-hangzhou", detachOnDelete: true, timeoutSeconds: 60, declaredTags: { env: "prod" } });
    expect(outs).toEqual({
      anycastId: "aeip-1",
      ipAddress: "192.0.2.7",
      status: "Associated",
      businessStatus: "Normal",
      serviceManaged: true,
      bandwidth: 500,
      bindings: [{ instanceId: "eni-1", instanceType: "NetworkInterface", regionId: "us-west-1", status: "BINDED", associationMode: "Default", privateIpAddress: "10.0.0.5" }],
      createTime: "2026-01-01T00:00:00Z",
      serviceLocation: "international",
      internetChargeType: "PayByTraffic",
      instanceChargeType: "PostPaid",
      name: "web",
      description: "d",
      resourceGroupId: "rg-1",
      // Every tag the EIP reports (Describe `Tags`), and apart from them the ones the program declared.
      tags: { env: "prod", note: "" },
      declaredTags: { env: "prod" },
      regionId: "cn-hangzhou",
      detachOnDelete: true,
      timeoutSeconds: 60,
    });
    expect(JSON.parse(JSON.stringify(outs))).toEqual(outs);
  });
});
