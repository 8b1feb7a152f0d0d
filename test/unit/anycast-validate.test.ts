/**
 * Offline validation and `check` of the Anycast resources: per-property failures, defaults, UNKNOWN
 * values passing through. No HTTP.
 */
import { anycastEipAddressLifecycle as eip } from "../../provider/anycast/eip-lifecycle";
import { anycastEipAssociationLifecycle as assoc } from "../../provider/anycast/association-lifecycle";
import { validateAnycastEipAddress, validateAnycastEipAssociation } from "../../provider/anycast/validate";
import { createContext } from "../../provider/cloud/context";
import { envSource } from "../../provider/cloud/settings";
import { UNKNOWN } from "../../provider/lifecycle";

const withRegion = createContext(envSource({ ALIBABA_CLOUD_REGION: "cn-hangzhou" }));
const noRegion = createContext(envSource({}));
const props = (failures: { property: string }[]) => failures.map((f) => f.property).sort();

describe("validateAnycastEipAddress", () => {
  test("a minimal and a full valid input pass", () => {
    expect(validateAnycastEipAddress({ serviceLocation: "international" })).toEqual([]);
    expect(
      validateAnycastEipAddress({
        serviceLocation: "international",
        bandwidth: 200,
        internetChargeType: "PayByTraffic",
        instanceChargeType: "PostPaid",
        name: "web-eip_1",
        description: "front door",
        resourceGroupId: "rg-acfm123",
        regionId: "ap-southeast-1",
        detachOnDelete: true,
        adoptAnycastId: "aeip-bp1ix34fralt4ykf3",
        timeoutSeconds: 60,
        maxAttempts: 3,
      }),
    ).toEqual([]);
    expect(validateAnycastEipAddress({ serviceLocation: "international", name: "", description: "", bandwidth: 1000 })).toEqual([]);
    expect(validateAnycastEipAddress({ serviceLocation: "international", name: "名字-1" })).toEqual([]);
  });

  test("serviceLocation is required and only 'international' is accepted", () => {
    expect(validateAnycastEipAddress({})).toEqual([{ property: "serviceLocation", reason: "is required" }]);
    const [f] = validateAnycastEipAddress({ serviceLocation: "mainland" });
    expect(f.property).toBe("serviceLocation");
    expect(f.reason).toMatch(/"international".*got "mainland"/);
  });

  test("serviceLocation \"ChineseMainland\" (the official Terraform provider's example) is refused saying the API documents only \"international\"", () => {
    expect(validateAnycastEipAddress({ serviceLocation: "ChineseMainland" })).toEqual([
      {
        property: "serviceLocation",
        reason:
          'must be "international": the AllocateAnycastEipAddress API documents only this value (the areas outside the Chinese mainland); ' +
          '"ChineseMainland", which some examples use (the official Terraform provider\'s among them), is not a documented value; got "ChineseMainland"',
      },
    ]);
  });

  test.each([
    ["bandwidth", 199],
    ["bandwidth", 1001],
    ["bandwidth", 250.5],
    ["bandwidth", "500"],
    ["internetChargeType", "PayByBandwidth"],
    ["instanceChargeType", "PrePaid"],
    ["name", "1starts-with-digit"],
    ["name", "has space"],
    ["name", "a".repeat(129)],
    ["description", "https://example.com"],
    ["description", "http://x"],
    ["description", "d".repeat(257)],
    ["resourceGroupId", "group-1"],
    ["regionId", "Hangzhou"],
    ["detachOnDelete", "yes"],
    ["adoptAnycastId", "eip-123"],
    ["timeoutSeconds", 0],
    ["timeoutSeconds", -5],
    ["maxAttempts", 0],
    ["maxAttempts", 1.5],
  ])("%s = %p fails on that property only", (property, value) => {
    const failures = validateAnycastEipAddress({ serviceLocation: "international", [property]: value });
    expect(props(failures)).toEqual([property]);
    expect(failures[0].reason.length).toBeGreaterThan(10);
  });

  test("boundary values pass", () => {
    expect(validateAnycastEipAddress({ serviceLocation: "international", bandwidth: 200, name: "a".repeat(128), description: "d".repeat(256) })).toEqual([]);
  });

  test("every problem is reported at once", () => {
    const failures = validateAnycastEipAddress({ serviceLocation: "x", bandwidth: 5, name: "_", description: "https://", maxAttempts: 0 });
    expect(props(failures)).toEqual(["bandwidth", "description", "maxAttempts", "name", "serviceLocation"]);
  });

  test("UNKNOWN values pass (checked once known)", () => {
    const all = Object.fromEntries(
      ["serviceLocation", "bandwidth", "internetChargeType", "instanceChargeType", "name", "description", "resourceGroupId", "regionId", "detachOnDelete", "adoptAnycastId", "timeoutSeconds", "maxAttempts"].map((k) => [k, UNKNOWN]),
    );
    expect(validateAnycastEipAddress(all)).toEqual([]);
  });
});

describe("AnycastEipAddress tags (TagResources limits, checked offline)", () => {
  const v = (tags: unknown) => validateAnycastEipAddress({ serviceLocation: "international", tags });

  test("valid tags pass: 20 of them, a 128-character key and value, an empty value", () => {
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, `v${i}`]));
    expect(v(twenty)).toEqual([]);
    expect(v({ ["k".repeat(128)]: "v".repeat(128), empty: "" })).toEqual([]);
    expect(v({ env: UNKNOWN })).toEqual([]);
    expect(v(UNKNOWN)).toEqual([]);
  });

  test.each([
    [{ "acs:x": "1" }, 'tags["acs:x"]', 'the tag key must not start with "aliyun" or "acs:" (reserved); got "acs:x"'],
    [{ aliyunTeam: "1" }, 'tags["aliyunTeam"]', 'the tag key must not start with "aliyun" or "acs:" (reserved); got "aliyunTeam"'],
    [{ env: "acs:prod" }, 'tags["env"]', 'the tag value must not start with "aliyun" or "acs:" (reserved); got "acs:prod"'],
    [{ site: "see https://example.com" }, 'tags["site"]', 'the tag value must not contain "http://" or "https://"; got "see https://example.com"'],
    [{ "": "x" }, 'tags[""]', "a tag key must not be empty"],
    [{ ["k".repeat(129)]: "x" }, `tags["${"k".repeat(129)}"]`, "the tag key must be at most 128 characters; got 129"],
    [{ env: "v".repeat(129) }, 'tags["env"]', "the tag value must be at most 128 characters; got 129"],
    [{ env: 5 }, 'tags["env"]', "the tag value must be a string; got 5"],
    ["env=prod", "tags", 'must be a map of tag keys to string values, like { env: "prod" }; got "env=prod"'],
  ])("%j is refused: %s %s", (tags, property, reason) => {
    expect(v(tags)).toEqual([{ property, reason }]);
  });

  test("more than 20 tags are refused", () => {
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, "v"]));
    expect(v(many)).toEqual([{ property: "tags", reason: "must have at most 20 tags; got 21" }]);
  });

  test("check refuses bad tags with no API call", async () => {
    const calls: string[] = [];
    const ctx = createContext(envSource({ ALIBABA_CLOUD_REGION: "cn-hangzhou" }), { transport: { call: async (_p, a) => (calls.push(a), {}) } });
    const r = await eip.check(ctx, {}, { serviceLocation: "international", tags: { "acs:x": "1" } });
    expect(props(r.failures ?? [])).toEqual(['tags["acs:x"]']);
    expect(calls).toEqual([]);
  });
});

describe("validateAnycastEipAssociation", () => {
  const ok = { anycastId: "aeip-abc123", bindInstanceId: "eni-1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" };

  test("valid inputs pass", () => {
    expect(validateAnycastEipAssociation(ok)).toEqual([]);
    expect(validateAnycastEipAssociation({ ...ok, privateIpAddress: "10.0.0.5", associationMode: "Normal", popLocations: ["us-west-1-pop"], regionId: "cn-hangzhou" })).toEqual([]);
    expect(validateAnycastEipAssociation({ ...ok, bindInstanceType: "SlbInstance", bindInstanceId: "lb-1" })).toEqual([]);
  });

  test("required fields", () => {
    expect(props(validateAnycastEipAssociation({}))).toEqual(["anycastId", "bindInstanceId", "bindInstanceRegionId", "bindInstanceType"]);
  });

  test.each([
    ["anycastId", "eip-1"],
    ["bindInstanceId", ""],
    ["bindInstanceRegionId", "US West"],
    ["bindInstanceType", "EcsInstance"],
    ["privateIpAddress", "10.0.0.300"],
    ["associationMode", "Primary"],
    ["popLocations", "us-west-1-pop"],
    ["popLocations", ["a", "a"]],
    ["popLocations", [""]],
    ["regionId", "x"],
    ["timeoutSeconds", "10"],
    ["maxAttempts", 101],
  ])("%s = %p fails on that property only", (property, value) => {
    expect(props(validateAnycastEipAssociation({ ...ok, [property]: value }))).toEqual([property]);
  });

  test("privateIpAddress only for NetworkInterface", () => {
    const failures = validateAnycastEipAssociation({ ...ok, bindInstanceType: "SlbInstance", privateIpAddress: "10.0.0.5" });
    expect(failures).toEqual([{ property: "privateIpAddress", reason: expect.stringMatching(/NetworkInterface/) }]);
    expect(validateAnycastEipAssociation({ ...ok, bindInstanceType: UNKNOWN, privateIpAddress: "10.0.0.5" })).toEqual([]);
  });

  test("UNKNOWN values (and unknown list items) pass", () => {
    expect(validateAnycastEipAssociation({ ...ok, anycastId: UNKNOWN, popLocations: [UNKNOWN, "x"] })).toEqual([]);
    expect(validateAnycastEipAssociation({ ...ok, popLocations: UNKNOWN })).toEqual([]);
  });
});

describe("check", () => {
  test("AnycastEipAddress fills defaults (regionId from the provider), drops __provider/undefined, adds a create token", async () => {
    const r = await eip.check(withRegion, {}, { serviceLocation: "international", name: undefined, __provider: "x" });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toEqual({
      serviceLocation: "international",
      bandwidth: 1000,
      internetChargeType: "PayByTraffic",
      instanceChargeType: "PostPaid",
      detachOnDelete: false,
      regionId: "cn-hangzhou",
      createToken: expect.stringMatching(/^pcr1-[0-9a-z]+-[0-9a-f]{32}$/),
    });
  });

  test("explicit values win; an adopted EIP gets no bandwidth default", async () => {
    const r = await eip.check(withRegion, {}, { serviceLocation: "international", regionId: "us-east-1", bandwidth: 300, detachOnDelete: true });
    expect(r.inputs).toMatchObject({ regionId: "us-east-1", bandwidth: 300, detachOnDelete: true });
    const adopted = await eip.check(withRegion, {}, { serviceLocation: "international", adoptAnycastId: "aeip-abc" });
    expect(adopted.inputs).not.toHaveProperty("bandwidth");
  });

  test("no region anywhere: a failure on regionId saying how to set it", async () => {
    const r = await eip.check(noRegion, {}, { serviceLocation: "international" });
    expect(r.failures).toEqual([{ property: "regionId", reason: expect.stringMatching(/alicloud:region.*ALIBABA_CLOUD_REGION/) }]);
    const a = await assoc.check(noRegion, {}, { anycastId: "aeip-1", bindInstanceId: "eni-1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" });
    expect(a.failures).toEqual([{ property: "regionId", reason: expect.stringMatching(/alicloud:region/) }]);
  });

  test("UNKNOWN inputs are kept as they are, with no failures (preview)", async () => {
    const r = await eip.check(noRegion, {}, { serviceLocation: UNKNOWN, bandwidth: UNKNOWN, regionId: UNKNOWN, name: UNKNOWN });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toMatchObject({ serviceLocation: UNKNOWN, bandwidth: UNKNOWN, regionId: UNKNOWN, name: UNKNOWN });
    const a = await assoc.check(withRegion, {}, { anycastId: UNKNOWN, bindInstanceId: "eni-1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" });
    expect(a.failures).toEqual([]);
    expect(a.inputs).toMatchObject({ anycastId: UNKNOWN, regionId: "cn-hangzhou" });
  });

  test("check makes no API call (a context without credentials or endpoint is enough)", async () => {
    const calls: string[] = [];
    const ctx = createContext(envSource({ ALIBABA_CLOUD_REGION: "cn-hangzhou" }), { transport: { call: async (_p, a) => (calls.push(a), {}) } });
    await eip.check(ctx, {}, { serviceLocation: "international" });
    await eip.diff(ctx, "aeip-1", { serviceLocation: "international" }, { serviceLocation: "international" });
    await assoc.check(ctx, {}, { anycastId: "aeip-1" });
    expect(calls).toEqual([]);
  });
});

describe("what reaches the wire is bounded: unknown properties, lengths, character sets, limits", () => {
  const association = { anycastId: "aeip-1", bindInstanceId: "eni-1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" };

  test("a misspelt property is refused, naming the closest valid one", async () => {
    const r = await eip.check(withRegion, {}, { serviceLocation: "international", timeoutSecond: 5 });
    expect(r.failures).toEqual([{ property: "timeoutSecond", reason: 'AnycastEipAddress has no property "timeoutSecond"; did you mean "timeoutSeconds"?' }]);
    const a = await assoc.check(withRegion, {}, { ...association, popLocation: ["us-west-1-pop"] });
    expect(a.failures).toEqual([{ property: "popLocation", reason: 'AnycastEipAssociation has no property "popLocation"; did you mean "popLocations"?' }]);
  });

  test("a property nothing like a valid one lists the valid ones", () => {
    const [f] = validateAnycastEipAddress({ serviceLocation: "international", colour: "blue" });
    expect(f).toEqual({ property: "colour", reason: expect.stringContaining('AnycastEipAddress has no property "colour"; valid properties are serviceLocation, bandwidth,') });
  });

  test.each([
    [{ timeoutSeconds: 1e9 }, "timeoutSeconds", "must be a number of seconds between 1 and 86400; got 1000000000"],
    [{ description: "line one\nline two" }, "description", "must not contain control characters such as a newline or a tab"],
    [{ name: "web\neip" }, "name", 'must start with a letter and contain only letters, digits, "_" and "-"; got "web\\neip"'],
    [{ resourceGroupId: `rg-${"a".repeat(100)}` }, "resourceGroupId", 'must be at most 64 characters (a resource group ID like "rg-acfm…"); got 103'],
    [{ adoptAnycastId: `aeip-${"a".repeat(100)}` }, "adoptAnycastId", "must be at most 64 characters"],
  ])("AnycastEipAddress %j: %s %s", (extra, property, reason) => {
    expect(validateAnycastEipAddress({ serviceLocation: "international", ...extra })).toEqual([{ property, reason: expect.stringContaining(reason) }]);
  });

  test.each([
    [{ bindInstanceId: "x".repeat(10_000) }, "bindInstanceId", "must be at most 64 characters"],
    [{ bindInstanceId: "eni 1" }, "bindInstanceId", 'must be an instance ID like "lb-d7oxbixhxv1uupnon" or "eni-bp1…"'],
    [{ timeoutSeconds: 86401 }, "timeoutSeconds", "between 1 and 86400"],
    [{ popLocations: ["us-west-1-pop\n"] }, "popLocations", 'item 0 must be a pop location name like "us-west-1-pop"'],
    [{ popLocations: ["p".repeat(65)] }, "popLocations", "at most 64 characters"],
    [{ popLocations: Array.from({ length: 101 }, (_, i) => `pop-${i}`) }, "popLocations", "must list at most 100 pop locations; got 101"],
    [{ bindInstanceRegionId: `us-${"w".repeat(70)}` }, "bindInstanceRegionId", "must be at most 64 characters"],
  ])("AnycastEipAssociation %j: %s %s", (extra, property, reason) => {
    expect(validateAnycastEipAssociation({ ...association, ...extra })).toEqual([{ property, reason: expect.stringContaining(reason) }]);
  });

  test("a rejected long value is quoted cut short, not echoed whole", () => {
    const [f] = validateAnycastEipAssociation({ ...association, bindInstanceId: "eni-1 " + "x".repeat(10_000) });
    expect(f.reason.length).toBeLessThan(300);
  });
});
