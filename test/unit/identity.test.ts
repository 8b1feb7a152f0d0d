import { parseIdentity, urnOf } from "../../provider/identity";

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
