/**
 * The kill-point run's Pulumi program (run by the real CLI from dist/bench/killpoints, see
 * bench/kill-points.ts): every resource of this package once, made one after another (dependsOn) so the
 * API calls of a command come in the same order every run — an allocation by prefix length, one by
 * explicit CIDR (`killpoints:cidr`; another block replaces it), an Anycast EIP with a tag, and its
 * association with an ENI. `killpoints:version` 2 is the same program with every in-place change: names,
 * bandwidth, a tag, the binding's pop locations.
 */
import * as pulumi from "@pulumi/pulumi";
import { AnycastEipAddress, AnycastEipAssociation, IpamPoolAllocation } from "pulumi-alicloud-release";

const config = new pulumi.Config("killpoints");
const ipamPoolId = config.require("ipamPoolId");
const v2 = config.getNumber("version") === 2;

const byMask = new IpamPoolAllocation("alloc-mask", { ipamPoolId, cidrMask: 24, name: v2 ? "kp-mask-2" : "kp-mask" });
const byCidr = new IpamPoolAllocation("alloc-cidr", { ipamPoolId, cidr: config.require("cidr"), name: v2 ? "kp-cidr-2" : "kp-cidr" }, { dependsOn: [byMask] });
const eip = new AnycastEipAddress(
  "eip",
  { serviceLocation: "international", bandwidth: v2 ? 300 : 200, name: v2 ? "kp-eip-2" : "kp-eip", tags: v2 ? { env: "kp", tier: "2" } : { env: "kp" } },
  { dependsOn: [byCidr] },
);
new AnycastEipAssociation("assoc", {
  anycastId: eip.anycastId,
  bindInstanceId: config.require("eni"),
  bindInstanceRegionId: "cn-hangzhou",
  bindInstanceType: "NetworkInterface",
  popLocations: v2 ? ["us-west-1-pop", "eu-west-1-pop"] : undefined,
});
