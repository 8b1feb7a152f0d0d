import * as pulumi from "@pulumi/pulumi";
import { AnycastEipAddress, AnycastEipAssociation, IpamPoolAllocation } from "pulumi-alicloud-release";

const config = new pulumi.Config();

const eip = new AnycastEipAddress("edge", {
  serviceLocation: "international",
  bandwidth: config.getNumber("bandwidth") ?? 200,
  name: "edge",
  // true: destroy also detaches instances bound outside this program before it releases the EIP.
  detachOnDelete: config.getBoolean("detachOnDelete") ?? false,
});

// Because the association depends on the EIP, `pulumi destroy` detaches it before it releases the EIP.
const association = new AnycastEipAssociation("edge-slb", {
  anycastId: eip.anycastId,
  bindInstanceId: config.require("slbId"),
  bindInstanceRegionId: config.get("slbRegion") ?? "cn-hangzhou",
  bindInstanceType: "SlbInstance",
});

// An allocation that already exists (e.g. the one a VPC holds), taken under management by id —
// dynamic resources cannot use `pulumi import`. Destroy refuses to release a VPC allocation unless
// allowVpcAllocationRelease is true; Custom allocations are released.
const adoptId = config.get("adoptAllocationId");
const adopted = adoptId
  ? new IpamPoolAllocation("adopted", {
      ipamPoolId: config.require("ipamPoolId"),
      adoptAllocationId: adoptId,
      allowVpcAllocationRelease: config.getBoolean("allowVpcAllocationRelease") ?? false,
    })
  : undefined;

export const anycastId = eip.anycastId;
export const ipAddress = eip.ipAddress;
export const bindings = association.id;
export const adoptedCidr = adopted?.cidr;
export const adoptedType = adopted?.resourceType;
