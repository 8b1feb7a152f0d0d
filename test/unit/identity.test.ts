import { parseIdentity, resourceLineLabel, stateDeleteCommandLabel, urnOf } from "../../provider/identity";

const type = "pulumi-nodejs:dynamic/alicloud:AnycastEipAddress";

test("urnOf: top level, under the stack resource, under a component chain", () => {
  const id = { project: "net", stack: "prod", name: "edge-eip" };
  expect(urnOf(id, type)).toBe(`urn:pulumi:prod::net::${type}::edge-eip`);
  expect(urnOf({ ...id, parentUrn: "urn:pulumi:prod::net::pulumi:pulumi:Stack::net-prod" }, type)).toBe(`urn:pulumi:prod::net::${type}::edge-eip`);
  expect(urnOf({ ...id, parentUrn: "urn:pulumi:prod::net::a:b:Outer$a:b:Inner::inner" }, type)).toBe(`urn:pulumi:prod::net::a:b:Outer$a:b:Inner$${type}::edge-eip`);
  expect(urnOf({ ...id, parentUrn: "not-a-urn" }, type)).toBeUndefined();
});

test("parseIdentity takes only the shape the Resource classes write", () => {
  expect(parseIdentity({ project: "p", stack: "s", name: "n", parentUrn: "" })).toEqual({ project: "p", stack: "s", name: "n" });
  expect(parseIdentity({ project: "p", stack: "s", name: "" })).toBeUndefined();
  expect(parseIdentity({ project: "p", stack: "s", name: "n", parentUrn: 3 })).toBeUndefined();
  expect(parseIdentity("p/s/n")).toBeUndefined();
  expect(parseIdentity(undefined)).toBeUndefined();
});

describe("stateDeleteCommandLabel: the command a fix gives to take a resource out of the state", () => {
  test("with the URN: the exact command, single-quoted for the shell (a quote in a name survives)", () => {
    expect(stateDeleteCommandLabel({ urn: `urn:pulumi:prod::net::${type}::edge-eip`, id: "aeip-1" })).toBe(`\`pulumi state delete 'urn:pulumi:prod::net::${type}::edge-eip'\``);
    expect(stateDeleteCommandLabel({ urn: `urn:pulumi:prod::net::a:b:C$${type}::it's`, id: "aeip-1" })).toBe(`\`pulumi state delete 'urn:pulumi:prod::net::a:b:C$${type}::it'\\''s'\``);
  });

  test("without (state written before resourceIdentity): the placeholder, the cloud ID, and how to list URNs", () => {
    expect(stateDeleteCommandLabel({ id: "ipam-pool-alloc-1" })).toBe(
      "`pulumi state delete <urn>` with the URN of the resource whose ID is ipam-pool-alloc-1, which `pulumi stack --show-urns --show-ids` lists",
    );
  });
});

test("resourceLineLabel: a progress line names the Pulumi resource in front; unchanged when unknown", () => {
  const line = "releasing IPAM pool allocation ipam-pool-alloc-1: attempt 1 failed (SystemBusy, RequestId R); retrying in 0.2 s";
  expect(resourceLineLabel({ project: "net", stack: "prod", name: "web" }, line)).toBe(`"web": ${line}`);
  expect(resourceLineLabel(undefined, line)).toBe(line);
});
