/**
 * The resource classes under Pulumi's mocks: type tokens, every output registered, inputs passed through,
 * and a serialized provider that is only the shim (no implementation, no credentials).
 */
import * as pulumi from "@pulumi/pulumi";
import { AnycastEipAddress, AnycastEipAssociation } from "../../provider/anycast";
import { IpamPoolAllocation } from "../../provider/ipam";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

beforeAll(() => {
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const outs: Record<string, unknown> = { ...args.inputs };
        if (args.type.endsWith(":AnycastEipAddress")) Object.assign(outs, { anycastId: "aeip-mock", ipAddress: "192.0.2.9", status: "Allocated", bindings: [] });
        return { id: args.type.endsWith(":AnycastEipAddress") ? "aeip-mock" : "aeip-mock:eni-1:us-west-1:NetworkInterface", state: outs };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    true,
  );
});

const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => resolve(v)));

test("AnycastEipAddress and AnycastEipAssociation register with their type tokens and outputs", async () => {
  const eip = new AnycastEipAddress("eip", { serviceLocation: "international", bandwidth: 300 });
  const assoc = new AnycastEipAssociation("assoc", {
    anycastId: eip.anycastId,
    bindInstanceId: "eni-1",
    bindInstanceRegionId: "us-west-1",
    bindInstanceType: "NetworkInterface",
  });
  expect(await value(eip.urn)).toMatch(/pulumi-nodejs:dynamic\/alicloud:AnycastEipAddress::eip$/);
  expect(await value(assoc.urn)).toMatch(/pulumi-nodejs:dynamic\/alicloud:AnycastEipAssociation::assoc$/);
  expect(await value(eip.anycastId)).toBe("aeip-mock");
  expect(await value(eip.ipAddress)).toBe("192.0.2.9");
  expect(await value(eip.bandwidth)).toBe(300);
  // Outputs declared but not given as inputs are still registered (an Output, not undefined).
  for (const k of ["status", "businessStatus", "serviceManaged", "bindings", "createTime", "name", "regionId", "detachOnDelete"] as const) {
    expect(pulumi.Output.isInstance(eip[k])).toBe(true);
  }
  for (const k of ["status", "bindTime", "popLocations", "associationMode", "privateIpAddress", "regionId"] as const) {
    expect(pulumi.Output.isInstance(assoc[k])).toBe(true);
  }
  expect(await value(assoc.anycastId)).toBe("aeip-mock");

  const eipReg = registered.find((r) => r.name === "eip")!;
  expect(eipReg.inputs).toMatchObject({ serviceLocation: "international", bandwidth: 300 });
  const provider = String(eipReg.inputs.__provider);
  expect(provider).toMatch(/pulumi-alicloud-release\/runtime/);
  expect(provider).toMatch(/AnycastEipAddress/);
  expect(provider).not.toMatch(/ReleaseAnycastEipAddress|accessKey/i);
  expect(provider.length).toBeLessThan(5000);
});

test("IpamPoolAllocation registers createTime (the EIP's name for it) and keeps creationTime as its alias", async () => {
  const alloc = new IpamPoolAllocation("alloc", { ipamPoolId: "ipam-pool-a", cidrMask: 24 });
  expect(await value(alloc.urn)).toMatch(/pulumi-nodejs:dynamic\/alicloud:IpamPoolAllocation::alloc$/);
  for (const k of ["createTime", "creationTime", "status", "resourceType"] as const) {
    expect(pulumi.Output.isInstance(alloc[k])).toBe(true);
  }
  expect(registered.find((r) => r.name === "alloc")!.inputs).toMatchObject({ ipamPoolId: "ipam-pool-a", cidrMask: 24 });
});
