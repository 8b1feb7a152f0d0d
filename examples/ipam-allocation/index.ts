import * as pulumi from "@pulumi/pulumi";
import { IpamPoolAllocation } from "pulumi-alicloud-release";

const config = new pulumi.Config();
// An IPAM pool in the stack's region (alicloud:region), e.g. ipam-pool-6rg7z…
const ipamPoolId = config.require("ipamPoolId");

// An exact block: must lie inside the pool and not overlap another allocation.
const web = new IpamPoolAllocation("web", {
  ipamPoolId,
  cidr: config.get("webCidr") ?? "10.0.1.0/24",
  name: "web",
  description: "Web tier subnets",
});

// The first free block of a given size.
const batch = new IpamPoolAllocation("batch", {
  ipamPoolId,
  cidrMask: config.getNumber("batchMask") ?? 26,
  name: "batch",
});

export const webCidr = web.cidr;
export const batchCidr = batch.cidr;
export const allocationIds = [web.allocationId, batch.allocationId];
