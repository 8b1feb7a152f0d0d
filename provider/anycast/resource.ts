/**
 * The two Pulumi resources. Each is a `pulumi.dynamic.Resource` whose provider is the tiny shim (only the
 * resource kind is serialized into state); the implementation runs from the installed package.
 */
import * as pulumi from "@pulumi/pulumi";
import anycastEipAddressProvider = require("../providers/anycast-eip-address");
import anycastEipAssociationProvider = require("../providers/anycast-eip-association");
import { REGISTRY, TYPE_MODULE } from "../registry";
import { identityInputOf } from "../identity";
import { AnycastEipAddressArgs, AnycastEipAssociationArgs, AnycastEipBinding } from "./types";

/**
 * An Alibaba Cloud Anycast EIP. Deleting it releases the EIP — unless it is managed by an Alibaba Cloud
 * service or still associated (then the delete is refused with the reason and the fix, and no release
 * call is made; `detachOnDelete: true` detaches it first instead).
 *
 * Type token: `pulumi-nodejs:dynamic/alicloud:AnycastEipAddress`.
 */
export class AnycastEipAddress extends pulumi.dynamic.Resource {
  /** The EIP's ID (`aeip-…`), also the resource ID. */
  declare readonly anycastId: pulumi.Output<string>;
  /** The allocated public IP address. */
  declare readonly ipAddress: pulumi.Output<string>;
  /** `Allocated`, `Associating`, `Associated`, `Unassociating`, `Modifying`, `Releasing` or `Released`. */
  declare readonly status: pulumi.Output<string>;
  /** `Normal`, `FinancialLocked` or `RiskExpired`. */
  declare readonly businessStatus: pulumi.Output<string>;
  /** True when an Alibaba Cloud service manages the EIP (it then cannot be released here). */
  declare readonly serviceManaged: pulumi.Output<boolean>;
  /** Peak bandwidth in Mbit/s. */
  declare readonly bandwidth: pulumi.Output<number>;
  /** Every current association. */
  declare readonly bindings: pulumi.Output<AnycastEipBinding[]>;
  /** Creation time (UTC, `yyyy-MM-ddTHH:mm:ssZ`). */
  declare readonly createTime: pulumi.Output<string>;
  declare readonly serviceLocation: pulumi.Output<string>;
  declare readonly internetChargeType: pulumi.Output<string>;
  declare readonly instanceChargeType: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string>;
  declare readonly resourceGroupId: pulumi.Output<string>;
  /** Every tag the EIP has, declared here or not (`pulumi refresh` shows tags changed elsewhere). */
  declare readonly tags: pulumi.Output<Record<string, string>>;
  /** The tags this program declared when last applied (only these keys are managed). */
  declare readonly declaredTags: pulumi.Output<Record<string, string>>;
  /** The region whose endpoint manages the EIP. */
  declare readonly regionId: pulumi.Output<string>;
  declare readonly detachOnDelete: pulumi.Output<boolean>;
  declare readonly adoptAnycastId: pulumi.Output<string | undefined>;
  declare readonly timeoutSeconds: pulumi.Output<number | undefined>;
  declare readonly maxAttempts: pulumi.Output<number | undefined>;

  constructor(name: string, args: AnycastEipAddressArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      anycastEipAddressProvider,
      name,
      {
        // Inputs that are also outputs: registered even when not given.
        bandwidth: undefined,
        internetChargeType: undefined,
        instanceChargeType: undefined,
        name: undefined,
        description: undefined,
        resourceGroupId: undefined,
        tags: undefined,
        regionId: undefined,
        detachOnDelete: undefined,
        adoptAnycastId: undefined,
        timeoutSeconds: undefined,
        maxAttempts: undefined,
        ...args,
        // Which Pulumi resource this is, for messages and recovery; never a diff (provider/identity.ts).
        resourceIdentity: identityInputOf(name, opts, pulumi),
        // Outputs only.
        anycastId: undefined,
        ipAddress: undefined,
        status: undefined,
        businessStatus: undefined,
        serviceManaged: undefined,
        bindings: undefined,
        createTime: undefined,
        declaredTags: undefined,
      },
      opts,
      TYPE_MODULE,
      REGISTRY.AnycastEipAddress.kind,
    );
    // anycastId is the resource ID. The ID stays known while an in-place update is previewed, but the
    // other outputs of a dynamic resource do not (the dynamic-provider host cannot preview an update, so the
    // engine hands back the new inputs as the state): an association taking `eip.anycastId` would be
    // planned as a replacement whenever the EIP's bandwidth, name or detachOnDelete changes.
    (this as unknown as { anycastId: pulumi.Output<string> }).anycastId = this.id;
  }
}

/**
 * An association of an Anycast EIP with an internal CLB or an ENI. Pass `eip.anycastId` as `anycastId`
 * so that `pulumi destroy` detaches before it releases the EIP.
 *
 * ID: `anycastId:bindInstanceId:bindInstanceRegionId:bindInstanceType`. Type token:
 * `pulumi-nodejs:dynamic/alicloud:AnycastEipAssociation`.
 */
export class AnycastEipAssociation extends pulumi.dynamic.Resource {
  declare readonly anycastId: pulumi.Output<string>;
  declare readonly bindInstanceId: pulumi.Output<string>;
  declare readonly bindInstanceRegionId: pulumi.Output<string>;
  declare readonly bindInstanceType: pulumi.Output<string>;
  /** The mapped private IP as reported (`""` when none). */
  declare readonly privateIpAddress: pulumi.Output<string>;
  /** `Default` or `Normal`, as reported. */
  declare readonly associationMode: pulumi.Output<string>;
  /** Pop locations of the association, as reported. */
  declare readonly popLocations: pulumi.Output<string[]>;
  /** Binding status (`BINDED` once complete). */
  declare readonly status: pulumi.Output<string>;
  declare readonly bindTime: pulumi.Output<string>;
  declare readonly regionId: pulumi.Output<string>;
  declare readonly timeoutSeconds: pulumi.Output<number | undefined>;
  declare readonly maxAttempts: pulumi.Output<number | undefined>;

  constructor(name: string, args: AnycastEipAssociationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      anycastEipAssociationProvider,
      name,
      {
        privateIpAddress: undefined,
        associationMode: undefined,
        popLocations: undefined,
        regionId: undefined,
        timeoutSeconds: undefined,
        maxAttempts: undefined,
        ...args,
        // Which Pulumi resource this is, for messages and recovery; never a diff (provider/identity.ts).
        resourceIdentity: identityInputOf(name, opts, pulumi),
        status: undefined,
        bindTime: undefined,
      },
      opts,
      TYPE_MODULE,
      REGISTRY.AnycastEipAssociation.kind,
    );
  }
}
