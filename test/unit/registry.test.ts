import { existsSync } from "node:fs";
import path from "node:path";
import { REGISTRY, RESOURCE_KINDS, entryOf, kindOfTypeToken, typeTokenOf } from "../../provider/registry";

describe("the resource registry", () => {
  test.each(RESOURCE_KINDS)("%s: its provider module, lifecycle and preflight check load", (kind) => {
    const entry = REGISTRY[kind];
    expect(entry.kind).toBe(kind);
    // The provider module path is part of the state contract: it must exist under providers/.
    expect(existsSync(path.join(__dirname, "../../provider/providers", `${entry.providerModule}.ts`))).toBe(true);
    const lifecycle = entry.loadLifecycle();
    for (const method of ["check", "diff", "create", "read", "update", "delete"] as const) expect(typeof lifecycle[method]).toBe("function");
    expect(typeof entry.loadPreflightCheck()).toBe("function");
  });

  test("type tokens are the ones stored in state by every version, and map back to their kind", () => {
    expect(RESOURCE_KINDS.map(typeTokenOf)).toEqual([
      "pulumi-nodejs:dynamic/alicloud:IpamPoolAllocation",
      "pulumi-nodejs:dynamic/alicloud:AnycastEipAddress",
      "pulumi-nodejs:dynamic/alicloud:AnycastEipAssociation",
    ]);
    for (const kind of RESOURCE_KINDS) expect(kindOfTypeToken(typeTokenOf(kind))).toBe(kind);
    expect(kindOfTypeToken("alicloud:vpc/ipamIpamPoolAllocation:IpamIpamPoolAllocation")).toBeUndefined();
  });

  test("a kind this version does not know says the installed package is older than the state", () => {
    expect(() => entryOf("AnycastEipFuture")).toThrow(/unknown resource kind AnycastEipFuture: the installed pulumi-alicloud-release is older/);
  });
});
