/**
 * Diff decisions of both Anycast resources: replace vs in-place vs none, UNKNOWN values, older state
 * with fields missing, `__provider` ignored. Pure, no HTTP.
 */
import { diffAnycastEipAddress, replacementLabel } from "../../provider/anycast/eip-lifecycle";
import { tagChanges } from "../../provider/anycast/state";
import { diffAnycastEipAssociation, associationId, parseAssociationId } from "../../provider/anycast/association-lifecycle";
import { UNKNOWN } from "../../provider/lifecycle";

const stored = {
  anycastId: "aeip-1",
  ipAddress: "192.0.2.1",
  status: "Allocated",
  businessStatus: "Normal",
  serviceManaged: false,
  bandwidth: 1000,
  bindings: [],
  createTime: "2026-01-01T00:00:00Z",
  serviceLocation: "international",
  internetChargeType: "PayByTraffic",
  instanceChargeType: "PostPaid",
  name: "web",
  description: "",
  resourceGroupId: "rg-default",
  regionId: "cn-hangzhou",
  detachOnDelete: false,
  __provider: "old provider text",
};
const news = {
  serviceLocation: "international",
  bandwidth: 1000,
  internetChargeType: "PayByTraffic",
  instanceChargeType: "PostPaid",
  name: "web",
  regionId: "cn-hangzhou",
  detachOnDelete: false,
  __provider: "new provider text",
};
const d = (n: Record<string, unknown>, o: Record<string, unknown> = stored, region?: string) => diffAnycastEipAddress("aeip-1", o, n, region);

describe("AnycastEipAddress diff", () => {
  test("nothing differs → changes: false (a changed __provider alone is not a change)", () => {
    expect(d(news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  test.each([
    ["serviceLocation", "elsewhere"],
    ["internetChargeType", "PayByBandwidth"],
    ["instanceChargeType", "PrePaid"],
    ["regionId", "us-east-1"],
    ["adoptAnycastId", "aeip-2"],
  ])("%s changed → replace", (key, value) => {
    expect(d({ ...news, [key]: value })).toEqual({ changes: true, replaces: [key], deleteBeforeReplace: false });
  });

  test.each([
    ["name", "renamed"],
    ["name", ""],
    ["description", "now described"],
    ["bandwidth", 500],
    // ChangeResourceGroup moves it: same EIP, same public IP (it used to replace the EIP).
    ["resourceGroupId", "rg-other"],
    ["tags", { env: "prod" }],
    ["detachOnDelete", true],
    ["timeoutSeconds", 900],
    ["maxAttempts", 3],
  ])("%s changed → in-place update", (key, value) => {
    expect(d({ ...news, [key]: value })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  test("unset name/description/bandwidth/resourceGroupId leave the EIP alone", () => {
    const { name: _n, bandwidth: _b, ...rest } = news;
    expect(d(rest).changes).toBe(false);
  });

  test("removing timeoutSeconds/maxAttempts is a change (back to defaults)", () => {
    expect(d(news, { ...stored, timeoutSeconds: 60, maxAttempts: 2 })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  test("adoptAnycastId naming this EIP, or removed after adoption, is no change", () => {
    expect(d({ ...news, adoptAnycastId: "aeip-1" }).changes).toBe(false);
    expect(d(news, { ...stored, adoptAnycastId: "aeip-1" }).changes).toBe(false);
  });

  test("UNKNOWN values count as changes; replace when the property forces it", () => {
    expect(d({ ...news, name: UNKNOWN })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(d({ ...news, bandwidth: UNKNOWN, regionId: UNKNOWN, serviceLocation: UNKNOWN })).toEqual({
      changes: true,
      replaces: ["serviceLocation", "regionId"],
      deleteBeforeReplace: false,
    });
    expect(d({ ...news, adoptAnycastId: UNKNOWN }).replaces).toEqual(["adoptAnycastId"]);
  });

  test("every replacement is said to allocate a new public IP address", () => {
    expect(replacementLabel(stored, ["regionId"])).toBe(
      "changing regionId replaces Anycast EIP aeip-1: a new public IP address is allocated and the current one (192.0.2.1) is released; no API changes it in place",
    );
  });

  test("state from an earlier version (no regionId, charge types, detachOnDelete) is compared with the defaults", () => {
    const old = { anycastId: "aeip-1", name: "web", bandwidth: 1000 };
    expect(d(news, old, "cn-hangzhou")).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(d(news, old, "us-east-1").replaces).toEqual(["regionId"]);
    // No default region known: a missing stored regionId is not a reason to replace.
    expect(d(news, old, undefined).replaces).toEqual([]);
  });
});

describe("AnycastEipAssociation diff", () => {
  const old = {
    anycastId: "aeip-1",
    bindInstanceId: "eni-1",
    bindInstanceRegionId: "us-west-1",
    bindInstanceType: "NetworkInterface",
    privateIpAddress: "10.0.0.5",
    associationMode: "Normal",
    popLocations: ["us-west-1-pop", "eu-west-1-pop"],
    status: "BINDED",
    bindTime: "2026-01-01T00:00:00Z",
    regionId: "cn-hangzhou",
    __provider: "p",
  };
  const n = {
    anycastId: "aeip-1",
    bindInstanceId: "eni-1",
    bindInstanceRegionId: "us-west-1",
    bindInstanceType: "NetworkInterface",
    popLocations: ["eu-west-1-pop", "us-west-1-pop"],
    regionId: "cn-hangzhou",
    __provider: "q",
  };

  test("nothing differs (pop locations compared as a set; unset mode/IP keep the reported ones)", () => {
    expect(diffAnycastEipAssociation(old, n)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  test.each([
    ["anycastId", "aeip-2"],
    ["bindInstanceId", "eni-2"],
    ["bindInstanceRegionId", "us-east-1"],
    ["bindInstanceType", "SlbInstance"],
    ["privateIpAddress", "10.0.0.6"],
    ["associationMode", "Default"],
    ["regionId", "cn-shanghai"],
  ])("%s changed → replace, detaching first", (key, value) => {
    expect(diffAnycastEipAssociation(old, { ...n, [key]: value })).toEqual({ changes: true, replaces: [key], deleteBeforeReplace: true });
  });

  test("popLocations and limits change in place", () => {
    expect(diffAnycastEipAssociation(old, { ...n, popLocations: ["us-west-1-pop"] })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(diffAnycastEipAssociation(old, { ...n, timeoutSeconds: 30 })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const { popLocations: _p, ...unset } = n;
    expect(diffAnycastEipAssociation(old, unset).changes).toBe(false);
  });

  test("state without the reported mode/IP (older versions) is no reason to replace", () => {
    const { privateIpAddress: _i, associationMode: _m, ...older } = old;
    expect(diffAnycastEipAssociation(older, { ...n, privateIpAddress: "10.0.0.5", associationMode: "Normal" }).changes).toBe(false);
  });

  test("UNKNOWN: the EIP being replaced (anycastId unknown) replaces the association; unknown pop locations update", () => {
    expect(diffAnycastEipAssociation(old, { ...n, anycastId: UNKNOWN })).toEqual({ changes: true, replaces: ["anycastId"], deleteBeforeReplace: true });
    expect(diffAnycastEipAssociation(old, { ...n, popLocations: UNKNOWN }).replaces).toEqual([]);
    expect(diffAnycastEipAssociation(old, { ...n, popLocations: [UNKNOWN] }).changes).toBe(true);
  });
});

describe("association IDs", () => {
  test("Terraform's form, and back; older state without a parsable ID falls back to the properties", () => {
    const key = { anycastId: "aeip-1", bindInstanceId: "lb-9", bindInstanceRegionId: "us-west-1", bindInstanceType: "SlbInstance" };
    expect(associationId(key)).toBe("aeip-1:lb-9:us-west-1:SlbInstance");
    expect(parseAssociationId("aeip-1:lb-9:us-west-1:SlbInstance")).toEqual(key);
    expect(parseAssociationId("legacy-id", key)).toEqual(key);
    expect(() => parseAssociationId("legacy-id", {})).toThrow(/anycastId:bindInstanceId/);
  });
});

describe("AnycastEipAddress tags", () => {
  const tagged = { ...stored, tags: { env: "prod", owner: "ops" }, declaredTags: { env: "prod" } };

  test.each([
    ["the same declared tags", { env: "prod" }, false],
    ["a changed value", { env: "dev" }, true],
    ["a new key", { env: "prod", team: "net" }, true],
    ["a declared key removed", {}, true],
    // Already on the EIP with that value: no API call, but stored as declared so a later removal untags it.
    ["an undeclared cloud tag now declared with its value", { env: "prod", owner: "ops" }, true],
  ])("%s (%j) → changes: %s, never a replacement", (_label, tags, changes) => {
    expect(d({ ...news, tags }, tagged)).toEqual({ changes, replaces: [], deleteBeforeReplace: false });
  });

  test("a tag added or removed elsewhere on an undeclared key is no change; a declared one drifted is", () => {
    expect(d({ ...news, tags: { env: "prod" } }, { ...tagged, tags: { env: "prod", other: "x" } }).changes).toBe(false);
    expect(d({ ...news, tags: { env: "prod" } }, { ...tagged, tags: { env: "staging", owner: "ops" } }).changes).toBe(true);
    expect(d({ ...news, tags: { env: "prod" } }, { ...tagged, tags: { owner: "ops" } }).changes).toBe(true);
  });

  test("state from an earlier version (no tags, no declaredTags) means nothing declared", () => {
    expect(d(news, stored).changes).toBe(false);
    expect(d({ ...news, tags: {} }, stored).changes).toBe(false);
    expect(d({ ...news, tags: { env: "prod" } }, stored).changes).toBe(true);
  });

  test("UNKNOWN tags or an UNKNOWN value count as a change (in place)", () => {
    expect(d({ ...news, tags: UNKNOWN }, tagged)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(d({ ...news, tags: { env: UNKNOWN } }, tagged)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  test("tagChanges: declared values that differ are tagged; only keys declared before are untagged", () => {
    expect(tagChanges({ env: "prod", gone: "1" }, { env: "dev", team: "net" }, { env: "prod", gone: "1", owner: "ops" })).toEqual({
      tag: { env: "dev", team: "net" },
      untag: ["gone"],
    });
    // A key declared before but already removed elsewhere is not untagged again; undeclared ones stay.
    expect(tagChanges({ gone: "1" }, {}, { owner: "ops" })).toEqual({ tag: {}, untag: [] });
  });
});
