/**
 * Every resource of this package, listed once. The shim, the runtime, the Resource classes and preflight
 * read this table, so a new resource is one entry here plus its module.
 *
 * The heavy parts (lifecycle, preflight check) are loaded on first use: the dynamic-provider process
 * loads only the resource kinds it runs, and the Resource classes (in the user's program) never load
 * the implementation.
 */
import type { CloudContext } from "./cloud/context";
import type { Lifecycle } from "./lifecycle";
import type { Finding } from "./preflight/inspect";
import type { StateResource } from "./preflight/types";

/** The kinds, in the order reports list them. */
export const RESOURCE_KINDS = ["IpamPoolAllocation", "AnycastEipAddress", "AnycastEipAssociation"] as const;

export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/**
 * The module part of every type token. `pulumi.dynamic.Resource` makes the token
 * `pulumi-nodejs:dynamic/<module>:<kind>`; state written by every version holds these tokens, so they
 * never change.
 */
export const TYPE_MODULE = "alicloud";

/** `pulumi-nodejs:dynamic/alicloud:IpamPoolAllocation`, … */
export function typeTokenOf(kind: ResourceKind): string {
  return `pulumi-nodejs:dynamic/${TYPE_MODULE}:${kind}`;
}

/** The kind of one of our type tokens, or undefined for any other type. */
export function kindOfTypeToken(token: string): ResourceKind | undefined {
  return RESOURCE_KINDS.find((kind) => typeTokenOf(kind) === token);
}

/** What preflight runs for one resource of a stack: the delete's own read-only checks. */
export type PreflightCheck = (ctx: CloudContext, res: StateResource, stack: readonly StateResource[]) => Promise<Finding>;

export interface ResourceEntry {
  kind: ResourceKind;
  /**
   * The provider module under dist/provider/providers/ whose whole export is this kind's shim. Stored in
   * state as `require("pulumi-alicloud-release/dist/provider/providers/<module>")`: part of the state
   * contract, never renamed.
   */
  providerModule: string;
  loadLifecycle(): Lifecycle;
  loadPreflightCheck(): PreflightCheck;
}

// `require` (not `import`) keeps each module unloaded until a call needs it.
export const REGISTRY: { readonly [K in ResourceKind]: ResourceEntry } = {
  IpamPoolAllocation: {
    kind: "IpamPoolAllocation",
    providerModule: "ipam-pool-allocation",
    loadLifecycle: () => require("./ipam/lifecycle").ipamPoolAllocationLifecycle,
    loadPreflightCheck: () => require("./preflight/inspect").checkAllocation,
  },
  AnycastEipAddress: {
    kind: "AnycastEipAddress",
    providerModule: "anycast-eip-address",
    loadLifecycle: () => require("./anycast/eip-lifecycle").anycastEipAddressLifecycle,
    loadPreflightCheck: () => require("./preflight/inspect").checkEip,
  },
  AnycastEipAssociation: {
    kind: "AnycastEipAssociation",
    providerModule: "anycast-eip-association",
    loadLifecycle: () => require("./anycast/association-lifecycle").anycastEipAssociationLifecycle,
    loadPreflightCheck: () => require("./preflight/inspect").checkAssociation,
  },
};

/** The entry of a kind named in stored state; an unknown one means state written by a newer version. */
export function entryOf(kind: string): ResourceEntry {
  const entry = (REGISTRY as Record<string, ResourceEntry | undefined>)[kind];
  if (!entry) {
    throw new Error(`unknown resource kind ${kind}: the installed pulumi-alicloud-release is older than the one that wrote this state; install the newer version`);
  }
  return entry;
}
