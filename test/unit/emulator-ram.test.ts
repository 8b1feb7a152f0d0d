/**
 * The emulator's RAM evaluation (emulator/core/ram.ts): the action table, wildcards, explicit Deny, and
 * policy documents it refuses to load rather than half-apply.
 */
import { EMULATOR_ACCOUNT_ID, parseRamPolicy, ramRequestOf } from "../../emulator";
import { evaluateRamPolicy, RAM_ACTIONS } from "../../emulator/core/ram";
import { createEipanycastModel } from "../../emulator/eipanycast";
import { createVpcIpamModel } from "../../emulator/vpcipam";

const allow = (Action: string | string[], Resource: string | string[] = "*") => ({ Effect: "Allow", Action, Resource });
const deny = (Action: string | string[], Resource: string | string[] = "*") => ({ Effect: "Deny", Action, Resource });
const policy = (...Statement: unknown[]) => parseRamPolicy({ Version: "1", Statement });

const release = ramRequestOf("Eipanycast", "ReleaseAnycastEipAddress", { AnycastId: "aeip-1" })!;
const arn = (id: string) => `acs:eipanycast:cn-hangzhou:${EMULATOR_ACCOUNT_ID}:anycast/${id}`;

test("every action the models serve has a RAM action of the product's RAM code", () => {
  for (const [model, code] of [
    [createVpcIpamModel(), "vpc"],
    [createEipanycastModel(), "eipanycast"],
  ] as const) {
    expect(Object.keys(RAM_ACTIONS[model.product]).sort()).toEqual(Object.keys(model.actions).sort());
    for (const [action, entry] of Object.entries(RAM_ACTIONS[model.product])) expect(entry.ramAction).toBe(`${code}:${action}`);
  }
});

test("each call is checked on the ARN of what it acts on (documented forms), or on * where the action is not resource-level", () => {
  expect(release).toEqual({ ramAction: "eipanycast:ReleaseAnycastEipAddress", resources: [arn("aeip-1")] });
  expect(ramRequestOf("Eipanycast", "AllocateAnycastEipAddress", { ServiceLocation: "international" })?.resources).toEqual([arn("*")]);
  expect(ramRequestOf("Eipanycast", "TagResources", { ResourceType: "ANYCASTEIPADDRESS", "ResourceId.1": "aeip-1", "ResourceId.2": "aeip-2" })?.resources).toEqual([arn("aeip-1"), arn("aeip-2")]);
  expect(ramRequestOf("Eipanycast", "ChangeResourceGroup", { ResourceId: "aeip-9", RegionId: "us-west-1" })?.resources).toEqual([`acs:eipanycast:us-west-1:${EMULATOR_ACCOUNT_ID}:anycast/aeip-9`]);
  expect(ramRequestOf("VpcIpam", "DeleteIpamPoolAllocation", { RegionId: "cn-hangzhou", IpamPoolAllocationId: "ipam-pool-alloc-1" })).toEqual({ ramAction: "vpc:DeleteIpamPoolAllocation", resources: ["*"] });
  expect(ramRequestOf("VpcIpam", "NoSuchAction", {})).toBeUndefined();
});

test.each([
  ["an exact Allow", policy(allow("eipanycast:ReleaseAnycastEipAddress", arn("aeip-1"))), true],
  ["Action wildcard, any case", policy(allow("EIPANYCAST:Release*", "acs:eipanycast:*:*:anycast/*")), true],
  ["Resource `*` spans ':' and '/'", policy(allow("eipanycast:*", "acs:*")), true],
  ["`?` is one character", policy(allow("eipanycast:ReleaseAnycastEipAddress", "acs:eipanycast:*:*:anycast/aeip-?")), true],
  ["another EIP's ARN", policy(allow("eipanycast:ReleaseAnycastEipAddress", arn("aeip-2"))), false],
  ["resources compare case-sensitively", policy(allow("eipanycast:ReleaseAnycastEipAddress", arn("AEIP-1"))), false],
  ["another action", policy(allow("eipanycast:DescribeAnycastEipAddress")), false],
  ["an empty policy", policy(), false],
  ["an explicit Deny beats an Allow", policy(allow("*"), deny("eipanycast:ReleaseAnycastEipAddress")), false],
  ["a Deny of something else leaves the Allow", policy(allow("*"), deny("vpc:*")), true],
])("%s → allowed %s", (_what, p, allowed) => {
  expect(evaluateRamPolicy(p, release).allowed).toBe(allowed);
});

test("an explicit Deny is reported as one, an unmatched call as an implicit deny", () => {
  expect(evaluateRamPolicy(policy(allow("*"), deny("eipanycast:Release*")), release)).toEqual({ allowed: false, resource: arn("aeip-1"), explicit: true });
  expect(evaluateRamPolicy(policy(), release)).toEqual({ allowed: false, resource: arn("aeip-1"), explicit: false });
});

test("a call on several resources needs every one of them allowed", () => {
  const tag = ramRequestOf("Eipanycast", "TagResources", { "ResourceId.1": "aeip-1", "ResourceId.2": "aeip-2" })!;
  expect(evaluateRamPolicy(policy(allow("eipanycast:TagResources", arn("aeip-1"))), tag)).toEqual({ allowed: false, resource: arn("aeip-2"), explicit: false });
});

test.each([
  [null, "a RAM policy must be a JSON object"],
  [{ Version: "2", Statement: [] }, 'RAM policy Version must be "1"'],
  [{ Version: "1" }, "RAM policy Statement must be a list"],
  [{ Version: "1", Statement: [{ Effect: "allow", Action: "*", Resource: "*" }] }, 'Statement[0].Effect must be "Allow" or "Deny"'],
  [{ Version: "1", Statement: [{ Effect: "Allow", Resource: "*" }] }, "Statement[0].Action must be a non-empty string"],
  [{ Version: "1", Statement: [{ Effect: "Allow", Action: [], Resource: "*" }] }, "Statement[0].Action must be a non-empty string"],
  [{ Version: "1", Statement: [{ Effect: "Allow", Action: "ReleaseAnycastEipAddress", Resource: "*" }] }, 'is not "<ramcode>:<Action>"'],
  [{ Version: "1", Statement: [allow("*"), { ...allow("*"), Condition: { IpAddress: { "acs:SourceIp": ["1.2.3.4"] } } }] }, "Statement[1].Condition is not evaluated by the emulator"],
  [{ Version: "1", Statement: [{ Effect: "Allow", NotAction: "vpc:*", Resource: "*" }] }, "Statement[0].NotAction is not evaluated"],
  [{ Version: "1", Statement: [{ ...allow("*"), Resources: "*" }] }, "Statement[0] has unknown field(s) Resources"],
])("refused when loaded: %j", (doc, message) => {
  expect(() => parseRamPolicy(doc)).toThrow(message);
});
