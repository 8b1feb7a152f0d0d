import type * as pulumi from "@pulumi/pulumi";

/** Arguments of `new IpamPoolAllocation(name, args, opts)`. */
export interface IpamPoolAllocationArgs {
  /** The IPAM pool to allocate from (`ipam-pool-…`). Changing it replaces the allocation. */
  ipamPoolId: pulumi.Input<string>;
  /** An explicit CIDR inside the pool (e.g. `10.0.1.0/24`). Exactly one of `cidr` and `cidrMask` unless adopting. */
  cidr?: pulumi.Input<string>;
  /** A prefix length; the service takes the first free block of that size (0–32 for IPv4, 0–128 for IPv6). */
  cidrMask?: pulumi.Input<number>;
  /** 1–128 characters, not starting with `http://` or `https://`. Updated in place. */
  name?: pulumi.Input<string>;
  /** 1–256 characters, starting with a letter, not `http://`/`https://`. Updated in place. */
  description?: pulumi.Input<string>;
  /** The region the calls are made in — must be the pool's region. Default: `alicloud:region`. */
  regionId?: pulumi.Input<string>;
  /**
   * Take an existing allocation (`ipam-pool-alloc-…`) under management instead of creating one
   * (dynamic resources cannot use `pulumi import`). It must belong to `ipamPoolId`.
   */
  adoptAllocationId?: pulumi.Input<string>;
  /**
   * Let `pulumi destroy` release an adopted IPv4 **VPC** allocation (the API allows it; releasing a live
   * VPC's reservation is rarely what a destroy means, so it is refused unless this is true).
   */
  allowVpcAllocationRelease?: pulumi.Input<boolean>;
  /** Budget in seconds for each create/update/delete including retries and waits. Default 300. */
  timeoutSeconds?: pulumi.Input<number>;
  /** Attempts per cloud call for retryable errors (throttling, 5xx, busy). Default 8. */
  maxAttempts?: pulumi.Input<number>;
}

/** The arguments as the provider receives them (resolved, plain JSON). */
export interface IpamPoolAllocationInputs {
  ipamPoolId: string;
  cidr?: string;
  cidrMask?: number;
  name?: string;
  description?: string;
  regionId?: string;
  adoptAllocationId?: string;
  allowVpcAllocationRelease?: boolean;
  timeoutSeconds?: number;
  maxAttempts?: number;
}

/** What is stored in state: everything delete needs, plain JSON. */
export interface IpamPoolAllocationOutputs {
  allocationId: string;
  ipamPoolId: string;
  /** The allocated block (for a mask-based allocation, the block the service chose). */
  cidr: string;
  /** The pool CIDR the block came from. */
  sourceCidr?: string;
  /** `Custom`, `VPC` or `IpamPool`. */
  resourceType: string;
  /** The owning resource for VPC/IpamPool allocations (`vpc-…`, `ipam-pool-…`). */
  resourceId?: string;
  status: string;
  /** The region calls are made in. */
  regionId: string;
  /** The pool's region as the service reports it. */
  poolRegionId?: string;
  name?: string;
  description?: string;
  /** When the allocation was made (GetIpamPoolAllocation `CreationTime`), named as on AnycastEipAddress. */
  createTime?: string;
  /** @deprecated The same value as `createTime`, kept for programs and state of earlier versions. */
  creationTime?: string;
  /** The requested prefix length, when allocated by mask. */
  cidrMask?: number;
  adoptAllocationId?: string;
  allowVpcAllocationRelease?: boolean;
  timeoutSeconds?: number;
  maxAttempts?: number;
  /**
   * Set by an adoption: a mark of the provider process (one `pulumi up`) that adopted it, so that a delete
   * of another resource holding the same object in that run leaves it alone while this one's still releases.
   */
  adoptedInRun?: string;
}

/** GetIpamPoolAllocation's record, as far as we use it. */
export interface AllocationRecord {
  IpamPoolAllocationId: string;
  IpamPoolId?: string;
  IpamPoolAllocationName?: string;
  IpamPoolAllocationDescription?: string;
  Cidr?: string;
  SourceCidr?: string;
  ResourceType?: string;
  ResourceId?: string;
  ResourceRegionId?: string;
  RegionId?: string;
  Status?: string;
  CreationTime?: string;
}
