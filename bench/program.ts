/**
 * The benchmark's Pulumi program (run by the real CLI from dist/bench, see bench/pulumi.ts): `bench:allocations`
 * IPAM pool allocations (/24 by mask) from `bench:ipamPoolId`, `bench:eips` Anycast EIPs, and
 * `bench:associations` associations of the first EIPs with ENIs.
 */
import * as pulumi from "@pulumi/pulumi";
import { AnycastEipAddress, AnycastEipAssociation, IpamPoolAllocation } from "pulumi-alicloud-release";

const config = new pulumi.Config("bench");
const allocations = config.getNumber("allocations") ?? 0;
const eips = config.getNumber("eips") ?? 0;
const associations = Math.min(config.getNumber("associations") ?? 0, eips);
const ipamPoolId = allocations > 0 ? config.require("ipamPoolId") : "";

for (let i = 0; i < allocations; i++) {
  new IpamPoolAllocation(`alloc-${i}`, { ipamPoolId, cidrMask: 24, name: `bench-${i}` });
}
const made: AnycastEipAddress[] = [];
for (let i = 0; i < eips; i++) {
  made.push(new AnycastEipAddress(`eip-${i}`, { serviceLocation: "international", bandwidth: 200, name: `bench-${i}` }));
}
for (let i = 0; i < associations; i++) {
  new AnycastEipAssociation(`assoc-${i}`, {
    anycastId: made[i].anycastId,
    bindInstanceId: `eni-bench${i}`,
    bindInstanceRegionId: "cn-hangzhou",
    bindInstanceType: "NetworkInterface",
  });
}
