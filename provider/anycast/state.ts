/**
 * The single definition of the two Anycast EIP resources: what a change of each input does (the property
 * tables), and how checked inputs and stored state — of this version or an earlier one — become typed
 * values. A new property is one row here plus its API mapping (request field, record field, output).
 */
import { isUnknown, Props } from "../lifecycle";
import { limitsOf, nonEmptyText, num, text, texts } from "../parse";
import { LIMIT_ROWS, PropertyTable, REGION_ROW, sameValue, valueChanged } from "../properties";
import {
  AnycastEipAddressInputs,
  AnycastEipAddressOutputs,
  AnycastEipAssociationInputs,
  AnycastEipAssociationOutputs,
  AnycastEipBinding,
  INSTANCE_CHARGE_TYPES,
  INTERNET_CHARGE_TYPES,
  SERVICE_LOCATIONS,
} from "./types";

// ------------------------------------------------------------------------------------ AnycastEipAddress

/** A tag map: string values only (anything else is dropped; `check` has refused it already). */
export function tagMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v as Props).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/**
 * The tag calls that take the EIP from its `cloud` tags to the `declared` ones, given the tags the program
 * declared before (`previous`): declared keys whose cloud value differs are tagged; keys the program
 * declared before and no longer does are untagged if the EIP still has them. Undeclared tags stay.
 */
export function tagChanges(previous: Record<string, string>, declared: Record<string, string>, cloud: Record<string, string>) {
  const tag = Object.entries(declared).filter(([k, v]) => cloud[k] !== v);
  const untag = Object.keys(previous).filter((k) => !(k in declared) && k in cloud);
  return { tag: Object.fromEntries(tag), untag };
}

/**
 * `tags` changed: a different declared set (stored even when the cloud already agrees, so that a later
 * removal knows the key was declared), or a declared tag the EIP does not have (drift shown by refresh).
 */
function tagsChanged(olds: Props, news: Props): boolean {
  // A map or a value not known yet (preview) may be anything: a change.
  if (isUnknown(news.tags) || (news.tags && typeof news.tags === "object" && Object.values(news.tags).some(isUnknown))) return true;
  const declared = tagMap(news.tags);
  const { tag, untag } = tagChanges(tagMap(olds.declaredTags), declared, tagMap(olds.tags));
  return !sameValue(tagMap(olds.declaredTags), declared) || Object.keys(tag).length > 0 || untag.length > 0;
}

/**
 * `replace`: a new address is allocated, then the old one released — there is no API that changes these in
 * place (the diff says a new public IP address is allocated). `cloud`: name/description
 * (ModifyAnycastEipAddressAttribute), bandwidth (ModifyAnycastEipAddressSpec), resourceGroupId
 * (ChangeResourceGroup), tags (TagResources / UntagResources). `local`: stored only.
 * Defaults are the only documented values; state from earlier versions lacking them is compared with them.
 * The rows are every argument, in the order AnycastEipAddressArgs declares them (check refuses any other).
 */
export const EIP_PROPERTIES: PropertyTable = [
  { property: "serviceLocation", onChange: "replace", default: SERVICE_LOCATIONS[0], required: true },
  { property: "bandwidth", onChange: "cloud" },
  { property: "internetChargeType", onChange: "replace", default: INTERNET_CHARGE_TYPES[0] },
  { property: "instanceChargeType", onChange: "replace", default: INSTANCE_CHARGE_TYPES[0] },
  { property: "name", onChange: "cloud" },
  { property: "description", onChange: "cloud" },
  // Unset means "the account's default group" for a new EIP, not a change for an existing one.
  { property: "resourceGroupId", onChange: "cloud" },
  { property: "tags", onChange: "cloud", changed: tagsChanged },
  REGION_ROW,
  { property: "detachOnDelete", onChange: "local", default: false, unset: "resets" },
  // adoptAnycastId names the EIP this resource should be: a different one replaces; unset keeps.
  { property: "adoptAnycastId", onChange: "replace", changed: (olds, news) => valueChanged(olds.anycastId, news.adoptAnycastId) },
  ...LIMIT_ROWS,
];

/** The inputs after `check`, typed (`""` for a required string `check` let through unset). */
export function eipInputs(props: Props): AnycastEipAddressInputs {
  return {
    serviceLocation: text(props.serviceLocation) ?? "",
    bandwidth: num(props.bandwidth),
    internetChargeType: text(props.internetChargeType) ?? "",
    instanceChargeType: text(props.instanceChargeType) ?? "",
    // `""` clears a name or description: kept apart from unset.
    name: text(props.name),
    description: text(props.description),
    resourceGroupId: nonEmptyText(props.resourceGroupId),
    tags: tagMap(props.tags),
    regionId: text(props.regionId) ?? "",
    detachOnDelete: props.detachOnDelete === true,
    adoptAnycastId: nonEmptyText(props.adoptAnycastId),
    ...limitsOf(props),
  };
}

function records(v: unknown): Props[] {
  return Array.isArray(v) ? v.filter((x): x is Props => !!x && typeof x === "object") : [];
}

function bindingFromState(b: Props): AnycastEipBinding {
  return {
    instanceId: text(b.instanceId) ?? "",
    instanceType: text(b.instanceType) ?? "",
    regionId: text(b.regionId) ?? "",
    status: text(b.status) ?? "",
    associationMode: text(b.associationMode) ?? "",
    privateIpAddress: text(b.privateIpAddress) ?? "",
  };
}

/**
 * Stored state of any version, typed. Earlier versions may lack the charge types and service location
 * (their only documented values then), `regionId` (the provider's region then; `""` when none is set),
 * `detachOnDelete` (false), `anycastId` (the resource ID) and the tags (none reported, none declared).
 */
export function eipFromState(props: Props, id: string, providerRegion?: string): AnycastEipAddressOutputs {
  return {
    anycastId: nonEmptyText(props.anycastId) ?? id,
    ipAddress: text(props.ipAddress) ?? "",
    status: text(props.status) ?? "",
    businessStatus: text(props.businessStatus) ?? "",
    serviceManaged: props.serviceManaged === true,
    bandwidth: num(props.bandwidth) ?? 0,
    bindings: records(props.bindings).map(bindingFromState),
    createTime: text(props.createTime) ?? "",
    serviceLocation: text(props.serviceLocation) ?? SERVICE_LOCATIONS[0],
    internetChargeType: text(props.internetChargeType) ?? INTERNET_CHARGE_TYPES[0],
    instanceChargeType: text(props.instanceChargeType) ?? INSTANCE_CHARGE_TYPES[0],
    name: text(props.name) ?? "",
    description: text(props.description) ?? "",
    resourceGroupId: text(props.resourceGroupId) ?? "",
    tags: tagMap(props.tags),
    declaredTags: tagMap(props.declaredTags),
    regionId: nonEmptyText(props.regionId) ?? providerRegion ?? "",
    detachOnDelete: props.detachOnDelete === true,
    adoptAnycastId: nonEmptyText(props.adoptAnycastId),
    ...limitsOf(props),
    adoptedInRun: nonEmptyText(props.adoptedInRun),
  };
}

// -------------------------------------------------------------------------------- AnycastEipAssociation

/** A value the service reports: state without it (earlier versions) gives no reason to replace. */
function reportedChanged(property: "privateIpAddress" | "associationMode") {
  return (olds: Props, news: Props): boolean => (olds[property] !== undefined || isUnknown(news[property])) && valueChanged(olds[property], news[property]);
}

function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** Pop locations are a set; unset leaves them as the service sets them. */
export function popLocationsChanged(olds: { popLocations?: unknown }, news: { popLocations?: unknown }): boolean {
  const pops = news.popLocations;
  if (isUnknown(pops)) return true;
  if (!Array.isArray(pops)) return false;
  return pops.some(isUnknown) || !sameSet(pops, Array.isArray(olds.popLocations) ? olds.popLocations : []);
}

/** Every change but pop locations (in place) and the limits replaces the association: detach first, then attach. */
export const ASSOCIATION_PROPERTIES: PropertyTable = [
  { property: "anycastId", onChange: "replace", required: true, unset: "resets" },
  { property: "bindInstanceId", onChange: "replace", required: true, unset: "resets" },
  { property: "bindInstanceRegionId", onChange: "replace", required: true, unset: "resets" },
  { property: "bindInstanceType", onChange: "replace", required: true, unset: "resets" },
  { property: "privateIpAddress", onChange: "replace", changed: reportedChanged("privateIpAddress") },
  { property: "associationMode", onChange: "replace", changed: reportedChanged("associationMode") },
  { property: "popLocations", onChange: "cloud", changed: popLocationsChanged },
  REGION_ROW,
  ...LIMIT_ROWS,
];

/** The inputs after `check`, typed: the stored shape without what only the service reports. */
export function associationInputs(props: Props): AnycastEipAssociationInputs {
  const { status: _status, bindTime: _bindTime, ...inputs } = associationFromState(props);
  return { ...inputs, privateIpAddress: inputs.privateIpAddress || undefined, associationMode: inputs.associationMode || undefined };
}

/**
 * Stored state as earlier versions may have left it: the binding's key may be only in the ID, and the
 * values the service reports (private IP, mode, pop locations, status, bind time) may be missing —
 * they stay missing here, since "not stored" and "reported empty" mean different things to diff and update.
 */
export type StoredAssociation = Omit<AnycastEipAssociationOutputs, "privateIpAddress" | "associationMode" | "popLocations" | "status" | "bindTime"> &
  Partial<Pick<AnycastEipAssociationOutputs, "privateIpAddress" | "associationMode" | "popLocations" | "status" | "bindTime">>;

/** Stored state of any version, typed (see {@link StoredAssociation}). */
export function associationFromState(props: Props, _id?: string, providerRegion?: string): StoredAssociation {
  return {
    anycastId: text(props.anycastId) ?? "",
    bindInstanceId: text(props.bindInstanceId) ?? "",
    bindInstanceRegionId: text(props.bindInstanceRegionId) ?? "",
    bindInstanceType: text(props.bindInstanceType) ?? "",
    privateIpAddress: text(props.privateIpAddress),
    associationMode: text(props.associationMode),
    popLocations: texts(props.popLocations),
    status: text(props.status),
    bindTime: text(props.bindTime),
    regionId: nonEmptyText(props.regionId) ?? providerRegion ?? "",
    ...limitsOf(props),
  };
}

