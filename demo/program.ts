/**
 * The demo program (the root Pulumi.yaml runs it): two allocations from an IPAM pool, one by CIDR and
 * one by mask, and an Anycast EIP associated with an internal SLB instance.
 *
 * Config: `demo:ipamPoolId` (required), `demo:slbId` (the instance to associate, default `lb-demo…`),
 * `demo:detachOnDelete` (default false).
 */
import * as pulumi from "@pulumi/pulumi";
import { AnycastEipAddress, AnycastEipAssociation, IpamPoolAllocation } from "pulumi-alicloud-release";

const config = new pulumi.Config("demo");
const ipamPoolId = config.require("ipamPoolId");

const web = new IpamPoolAllocation("web", { ipamPoolId, cidr: "10.0.1.0/24", name: "web", description: "Web tier" });
const batch = new IpamPoolAllocation("batch", { ipamPoolId, cidrMask: 26, name: "batch" });

const edge = new AnycastEipAddress("edge", {
  serviceLocation: "international",
  bandwidth: 200,
  name: "edge",
  detachOnDelete: config.getBoolean("detachOnDelete") ?? false,
});
const slb = new AnycastEipAssociation("edge-slb", {
  anycastId: edge.anycastId,
  bindInstanceId: config.get("slbId") ?? "lb-demo0123456789abcd",
  bindInstanceRegionId: "cn-hangzhou",
  bindInstanceType: "SlbInstance",
});

export const webCidr = web.cidr;
export const batchCidr = batch.cidr;
export const anycastId = edge.anycastId;
export const anycastIp = edge.ipAddress;
export const association = slb.id;
