/**
 * IpamPoolAllocation's single definition: what a change of each input does (the property table), and how
 * checked inputs and stored state — of this version or an earlier one — become typed values.
 */
import { isUnknown, Props } from "../lifecycle";
import { LIMIT_ROWS, PropertyTable, REGION_ROW, valueChanged } from "../properties";
import { bool, limitsOf, nonEmptyText, num, text } from "../parse";
import { IpamPoolAllocationInputs, IpamPoolAllocationOutputs } from "./types";
import { cidrPrefix } from "../cidr";

/**
 * `cidr` in the outputs is the allocated block. A mask-based allocation has no cidr input; switching
 * between an explicit CIDR and the same-sized mask of the block we hold is not a change.
 */
function cidrMaskChanged(olds: Props, news: Props): boolean {
  const mask = news.cidrMask;
  if (news.cidr !== undefined || mask === undefined) return false;
  if (isUnknown(mask)) return true;
  if (olds.cidrMask !== undefined) return olds.cidrMask !== mask;
  const held = typeof olds.cidr === "string" && olds.cidr !== "" ? cidrPrefix(olds.cidr) : undefined;
  return held !== mask;
}

export const ALLOCATION_PROPERTIES: PropertyTable = [
  { property: "ipamPoolId", onChange: "replace", required: true, unset: "resets" },
  REGION_ROW,
  // Dropping adoptAllocationId after adopting keeps the allocation (it is managed now); naming another one
  // replaces; naming the allocation this resource already holds is not a change either.
  {
    property: "adoptAllocationId",
    onChange: "replace",
    changed: (olds, news) => news.adoptAllocationId !== undefined && news.adoptAllocationId !== olds.allocationId && valueChanged(olds.adoptAllocationId, news.adoptAllocationId),
  },
  { property: "cidr", onChange: "replace", changed: (olds, news) => news.cidr !== undefined && valueChanged(olds.cidr, news.cidr) },
  { property: "cidrMask", onChange: "replace", changed: cidrMaskChanged },
  // UpdateIpamPoolAllocation. Unset leaves the cloud's value alone (the API cannot clear them, and an
  // adopted allocation keeps its own name).
  { property: "name", onChange: "cloud" },
  { property: "description", onChange: "cloud" },
  { property: "allowVpcAllocationRelease", onChange: "local", unset: "resets" },
  ...LIMIT_ROWS,
];

/** The inputs after `check`, typed. */
export function allocationInputs(props: Props): IpamPoolAllocationInputs {
  return {
    ipamPoolId: text(props.ipamPoolId) ?? "",
    cidr: nonEmptyText(props.cidr),
    cidrMask: num(props.cidrMask),
    name: text(props.name),
    description: text(props.description),
    regionId: nonEmptyText(props.regionId),
    adoptAllocationId: nonEmptyText(props.adoptAllocationId),
    allowVpcAllocationRelease: bool(props.allowVpcAllocationRelease),
    ...limitsOf(props),
  };
}

/**
 * Stored state of any version, typed. Earlier versions may lack `regionId` (the provider's region then;
 * `""` when none is set: the operation then needs one) and the settings added since (unset).
 */
export function allocationFromState(props: Props, id: string, providerRegion?: string): IpamPoolAllocationOutputs {
  return {
    allocationId: nonEmptyText(props.allocationId) ?? id,
    ipamPoolId: text(props.ipamPoolId) ?? "",
    cidr: text(props.cidr) ?? "",
    sourceCidr: text(props.sourceCidr),
    resourceType: text(props.resourceType) ?? "Custom",
    resourceId: text(props.resourceId),
    status: text(props.status) ?? "",
    regionId: nonEmptyText(props.regionId) ?? providerRegion ?? "",
    poolRegionId: text(props.poolRegionId),
    name: text(props.name),
    description: text(props.description),
    // State written before createTime existed has creationTime only: either name gives both.
    createTime: text(props.createTime) ?? text(props.creationTime),
    creationTime: text(props.creationTime) ?? text(props.createTime),
    cidrMask: num(props.cidrMask),
    adoptAllocationId: nonEmptyText(props.adoptAllocationId),
    allowVpcAllocationRelease: bool(props.allowVpcAllocationRelease),
    ...limitsOf(props),
    adoptedInRun: nonEmptyText(props.adoptedInRun),
  };
}
