import * as pulumi from "@pulumi/pulumi";
import ipamPoolAllocationProvider = require("../providers/ipam-pool-allocation");
import { REGISTRY, TYPE_MODULE } from "../registry";
import { identityInputOf } from "../identity";
import { IpamPoolAllocationArgs } from "./types";

/**
 * A CIDR block allocated from an Alibaba Cloud IPAM pool (VpcIpam `CreateIpamPoolAllocation`), released by
 * `pulumi destroy` with `DeleteIpamPoolAllocation` — after checking that it is a Custom allocation in the
 * pool's region. VPC and sub-pool allocations are refused with what to do instead.
 *
 * Type token: `pulumi-nodejs:dynamic/alicloud:IpamPoolAllocation`.
 */
export class IpamPoolAllocation extends pulumi.dynamic.Resource {
  declare readonly allocationId: pulumi.Output<string>;
  declare readonly ipamPoolId: pulumi.Output<string>;
  declare readonly cidr: pulumi.Output<string>;
  declare readonly sourceCidr: pulumi.Output<string | undefined>;
  declare readonly resourceType: pulumi.Output<string>;
  declare readonly resourceId: pulumi.Output<string | undefined>;
  declare readonly status: pulumi.Output<string>;
  declare readonly regionId: pulumi.Output<string>;
  declare readonly poolRegionId: pulumi.Output<string | undefined>;
  declare readonly name: pulumi.Output<string | undefined>;
  declare readonly description: pulumi.Output<string | undefined>;
  /** When the allocation was made (ISO 8601, UTC), as `AnycastEipAddress.createTime`. */
  declare readonly createTime: pulumi.Output<string | undefined>;
  /** @deprecated Use `createTime` (the same value); kept for programs written against earlier versions. */
  declare readonly creationTime: pulumi.Output<string | undefined>;

  constructor(name: string, args: IpamPoolAllocationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      ipamPoolAllocationProvider,
      name,
      {
        ...args,
        // Which Pulumi resource this is, for messages and recovery; never a diff (provider/identity.ts).
        resourceIdentity: identityInputOf(name, opts, pulumi),
        allocationId: undefined,
        sourceCidr: undefined,
        resourceType: undefined,
        resourceId: undefined,
        status: undefined,
        poolRegionId: undefined,
        createTime: undefined,
        creationTime: undefined,
        // Echoed inputs are outputs too; seeding keeps them registered when the user leaves them unset.
        cidr: args.cidr,
        name: args.name,
        description: args.description,
        regionId: args.regionId,
      },
      opts,
      TYPE_MODULE,
      REGISTRY.IpamPoolAllocation.kind,
    );
    // The id *is* the allocation id. While an in-place update is previewed, a dynamic resource's other
    // outputs are unknown (the engine previews with the new inputs as state), so resources taking
    // `allocationId` would be planned as replacements; the id stays known.
    (this as unknown as { allocationId: pulumi.Output<string> }).allocationId = this.id;
  }
}
