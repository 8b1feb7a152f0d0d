/**
 * pulumi-alicloud-release: Pulumi dynamic resources for Alibaba Cloud IPAM pool allocations and Anycast
 * EIPs whose delete checks before it releases.
 */
export * from "./ipam";
export * from "./anycast";
export * as cloud from "./cloud";
export { ReleaseRefusedError, PartialCreateError } from "./lifecycle";
export type { Lifecycle } from "./lifecycle";
export type { ResourceIdentity } from "./identity";
export type { Operation } from "./operation";
