/**
 * The shapes of the two Anycast EIP resources: what a program passes (every field a `pulumi.Input`), what
 * the lifecycle receives after `check` (plain values, possibly the preview UNKNOWN sentinel), and what it
 * stores as outputs (plain JSON only: no `undefined`, no class instances).
 */
import type * as pulumi from "@pulumi/pulumi";

/** The only documented `ServiceLocation`. */
export const SERVICE_LOCATIONS = ["international"] as const;
/** The only documented `InternetChargeType`. */
export const INTERNET_CHARGE_TYPES = ["PayByTraffic"] as const;
/** The only documented `InstanceChargeType`. */
export const INSTANCE_CHARGE_TYPES = ["PostPaid"] as const;
/** The instance types an Anycast EIP can be associated with. */
export const BIND_INSTANCE_TYPES = ["SlbInstance", "NetworkInterface"] as const;
/** `Default`: the EIP's first binding, serving every pop location; `Normal`: further bindings, serving the pop locations listed. */
export const ASSOCIATION_MODES = ["Default", "Normal"] as const;

/** The least bandwidth, Mbit/s, the API documents. */
export const MIN_BANDWIDTH = 200;
/** The most bandwidth, Mbit/s, the API documents. */
export const MAX_BANDWIDTH = 1000;
/** The API's default bandwidth, Mbit/s, used when a new EIP declares none. */
export const DEFAULT_BANDWIDTH = 1000;

/** One of {@link BIND_INSTANCE_TYPES}. */
export type BindInstanceType = (typeof BIND_INSTANCE_TYPES)[number];
/** One of {@link ASSOCIATION_MODES}. */
export type AssociationMode = (typeof ASSOCIATION_MODES)[number];

// ---------------------------------------------------------------------------------------------------
// AnycastEipAddress
// ---------------------------------------------------------------------------------------------------

/** Arguments of an {@link AnycastEipAddress}. */
export interface AnycastEipAddressArgs {
  /** Access area of the EIP. Only `international` is documented. Changing it replaces the EIP: a new public IP address (no API changes it in place). */
  serviceLocation: pulumi.Input<string>;
  /**
   * Peak bandwidth in Mbit/s, a whole number from 200 to 1000. Default 1000 for a new EIP; when adopting
   * (`adoptAnycastId`), unset keeps the adopted EIP's bandwidth. Changed in place
   * (`ModifyAnycastEipAddressSpec`).
   */
  bandwidth?: pulumi.Input<number>;
  /** Metering method: `PayByTraffic` (the only documented value, and the default). Changing it replaces the EIP: a new public IP address. */
  internetChargeType?: pulumi.Input<string>;
  /** Billing method: `PostPaid` (the only documented value, and the default). Changing it replaces the EIP: a new public IP address. */
  instanceChargeType?: pulumi.Input<string>;
  /**
   * Name: 0–128 characters, letters, digits, `_` and `-`, starting with a letter. Changed in place
   * (`ModifyAnycastEipAddressAttribute`). Unset leaves the EIP's name alone; set `""` to clear it.
   */
  name?: pulumi.Input<string>;
  /**
   * Description: 0–256 characters, must not start with `http://` or `https://`. Changed in place.
   * Unset leaves the EIP's description alone; set `""` to clear it.
   */
  description?: pulumi.Input<string>;
  /**
   * Resource group (`rg-…`). Unset uses the account's default group for a new EIP and leaves an existing
   * EIP's group alone. Changed in place (`ChangeResourceGroup`): same EIP, same IP address.
   */
  resourceGroupId?: pulumi.Input<string>;
  /**
   * Tags: at most 20; a key 1–128 characters, a value 0–128; neither may start with `aliyun` or `acs:`
   * nor contain `http://` / `https://`. Applied after the allocation and changed in place
   * (`TagResources` / `UntagResources`). Only declared keys are managed: tags the EIP has that the program
   * never declared are left alone; a key removed from the program is removed from the EIP.
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Region whose Eipanycast endpoint is called. Default: the provider's region (`alicloud:region`, or env
   * `ALIBABA_CLOUD_REGION` / `ALICLOUD_REGION`). Changing it replaces the EIP: a new public IP address.
   */
  regionId?: pulumi.Input<string>;
  /**
   * When the EIP is deleted while still associated: `false` (default) refuses the release and lists the
   * bindings; `true` detaches every binding (`UnassociateAnycastEipAddress`) and then releases. Takes
   * effect on delete only after a `pulumi up` has stored it.
   */
  detachOnDelete?: pulumi.Input<boolean>;
  /**
   * Take an existing Anycast EIP (`aeip-…`) under management instead of allocating one. Its
   * serviceLocation and charge types must match; a declared name, description or bandwidth is applied.
   * Deleting the resource then releases the adopted EIP. Changing it replaces the resource.
   */
  adoptAnycastId?: pulumi.Input<string>;
  /** Overall time limit, in seconds, of one create/update/delete including its waits. Default 300. */
  timeoutSeconds?: pulumi.Input<number>;
  /** Attempts per cloud call for retryable errors (throttling, busy, transient), the first included. Default 8. */
  maxAttempts?: pulumi.Input<number>;
}

/** {@link AnycastEipAddressArgs} after `check`: plain values with defaults filled. */
export interface AnycastEipAddressInputs {
  serviceLocation: string;
  bandwidth?: number;
  internetChargeType: string;
  instanceChargeType: string;
  name?: string;
  description?: string;
  resourceGroupId?: string;
  /** The declared tags (`{}` when the program declares none). */
  tags: Record<string, string>;
  regionId: string;
  detachOnDelete: boolean;
  adoptAnycastId?: string;
  timeoutSeconds?: number;
  maxAttempts?: number;
}

/** One association of an Anycast EIP with a backend instance, as the EIP reports it. */
export interface AnycastEipBinding {
  /** The bound instance: an internal CLB (`lb-…`) or an ENI (`eni-…`). */
  instanceId: string;
  /** `SlbInstance` or `NetworkInterface`. */
  instanceType: string;
  /** Region of the bound instance. */
  regionId: string;
  /** `BINDING`, `BINDED`, `UNBINDING`, `MODIFYING` or `DELETED`. */
  status: string;
  /** `Default` or `Normal`; `""` when not reported. */
  associationMode: string;
  /** The ENI's private IP address the EIP maps to; `""` when not reported. */
  privateIpAddress: string;
}

/** Outputs of an {@link AnycastEipAddress} (plain JSON). */
export interface AnycastEipAddressOutputs {
  /** The EIP's ID (`aeip-…`), also the resource ID. */
  anycastId: string;
  /** The allocated public IP address. */
  ipAddress: string;
  /** `Allocated`, `Associating`, `Associated`, `Unassociating`, `Modifying`, `Releasing` or `Released`. */
  status: string;
  /** `Normal`, `FinancialLocked` or `RiskExpired`. */
  businessStatus: string;
  /** True when an Alibaba Cloud service manages the EIP; such an EIP cannot be released by its owner. */
  serviceManaged: boolean;
  /** Peak bandwidth in Mbit/s as the EIP reports it. */
  bandwidth: number;
  /** Every current association. */
  bindings: AnycastEipBinding[];
  /** Creation time, `yyyy-MM-ddTHH:mm:ssZ` (UTC). */
  createTime: string;
  serviceLocation: string;
  internetChargeType: string;
  instanceChargeType: string;
  /** The EIP's name as reported (may be `""`). */
  name: string;
  /** The EIP's description as reported (may be `""`). */
  description: string;
  /** The EIP's resource group as reported (may be `""`). */
  resourceGroupId: string;
  /** Every tag of the EIP as reported, declared or not (so `pulumi refresh` shows a change made elsewhere). */
  tags: Record<string, string>;
  /**
   * The tags the program declared when last applied: a key dropped from the program is removed from the
   * EIP only if it is here (state from earlier versions has none: nothing declared).
   */
  declaredTags: Record<string, string>;
  regionId: string;
  detachOnDelete: boolean;
  adoptAnycastId?: string;
  timeoutSeconds?: number;
  maxAttempts?: number;
  /**
   * Set by an adoption: a mark of the provider process (one `pulumi up`) that adopted it, so that a delete
   * of another resource holding the same object in that run leaves it alone while this one's still releases.
   */
  adoptedInRun?: string;
}

// ---------------------------------------------------------------------------------------------------
// AnycastEipAssociation
// ---------------------------------------------------------------------------------------------------

/** Arguments of an {@link AnycastEipAssociation}. */
export interface AnycastEipAssociationArgs {
  /** The Anycast EIP to associate, normally `eip.anycastId` (so destroy detaches before it releases). */
  anycastId: pulumi.Input<string>;
  /** The backend instance: an internal CLB in a VPC (`lb-…`) or an ENI (`eni-…`). */
  bindInstanceId: pulumi.Input<string>;
  /** Region of the backend instance (one of the Anycast server regions). */
  bindInstanceRegionId: pulumi.Input<string>;
  /** `SlbInstance` or `NetworkInterface`. */
  bindInstanceType: pulumi.Input<string>;
  /** For `NetworkInterface` only: the ENI's private IP to map to (default: its primary IP). */
  privateIpAddress?: pulumi.Input<string>;
  /**
   * `Default` (the EIP's default origin; the first association must be `Default`) or `Normal`. Unset
   * lets the service choose.
   */
  associationMode?: pulumi.Input<string>;
  /**
   * Access points (pop locations) that route to this instance, for `Normal` associations. Changed in
   * place (`UpdateAnycastEipAddressAssociations`). Unset leaves them as the service sets them.
   */
  popLocations?: pulumi.Input<pulumi.Input<string>[]>;
  /** Region whose Eipanycast endpoint is called. Default: the provider's region. Changing it replaces the association. */
  regionId?: pulumi.Input<string>;
  /** Overall time limit, in seconds, of one create/update/delete including its waits. Default 300. */
  timeoutSeconds?: pulumi.Input<number>;
  /** Attempts per cloud call for retryable errors, the first included. Default 8. */
  maxAttempts?: pulumi.Input<number>;
}

/** {@link AnycastEipAssociationArgs} after `check`. */
export interface AnycastEipAssociationInputs {
  anycastId: string;
  bindInstanceId: string;
  bindInstanceRegionId: string;
  bindInstanceType: string;
  privateIpAddress?: string;
  associationMode?: string;
  popLocations?: string[];
  regionId: string;
  timeoutSeconds?: number;
  maxAttempts?: number;
}

/** Outputs of an {@link AnycastEipAssociation} (plain JSON). ID: `anycastId:bindInstanceId:bindInstanceRegionId:bindInstanceType`. */
export interface AnycastEipAssociationOutputs {
  anycastId: string;
  bindInstanceId: string;
  bindInstanceRegionId: string;
  bindInstanceType: string;
  /** The mapped private IP as reported (`""` when none). */
  privateIpAddress: string;
  /** The association mode as reported. */
  associationMode: string;
  /** Pop locations of the association as reported. */
  popLocations: string[];
  /** Binding status as reported: `BINDED` once the association is complete. */
  status: string;
  /** When the association was made, as reported (`""` when not reported). */
  bindTime: string;
  regionId: string;
  timeoutSeconds?: number;
  maxAttempts?: number;
}
