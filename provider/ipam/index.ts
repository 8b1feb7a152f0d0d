export { IpamPoolAllocation } from "./resource";
export type { IpamPoolAllocationArgs, IpamPoolAllocationInputs, IpamPoolAllocationOutputs, AllocationRecord } from "./types";
export { allocationVerdict, assertAllocationReleasable } from "./checks";
export type { AllocationVerdict, AllocationReleaseProps } from "./checks";
export { ipamPoolAllocationLifecycle } from "./lifecycle";
