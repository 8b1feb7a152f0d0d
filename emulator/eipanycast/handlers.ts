/**
 * Eipanycast (2020-03-09) actions: for each, parse and validate the parameters, call the model, and
 * shape the success body (without RequestId: the core adds it).
 *
 * The HTTP core has already checked `required` (MissingParameter) and handled ClientToken replay; the
 * handlers still re-check required parameters so the model is safe to drive directly. Unknown extra
 * parameters (RegionId, which Terraform always sends) are ignored.
 */
import type { ActionDefinition, Params, RequestContext } from "../core/types";
import { boolParam, defineAction, indexedObjects, indexedValues, optionalParam, rawParam, requiredParam } from "../core/params";
import * as errors from "./errors";
import {
  AssociationMode,
  BANDWIDTH_MAX,
  BANDWIDTH_MIN,
  BID,
  BindInstanceType,
  Binding,
  DEFAULT_BANDWIDTH,
  Eip,
  EipanycastModel,
  ALI_UID,
  ListFilter,
  POP_LOCATIONS,
  SERVER_REGIONS,
  formatTime,
} from "./model";

// ---------------------------------------------------------------------------------------------------
// Parameter helpers (the generic ones are shared: core/params.ts)

const opt = rawParam;
const optNonEmpty = optionalParam;
const req = (p: Params, name: string): string => requiredParam(p, name, errors);

/** `Name.N` (scalars) in index order, empty values dropped. */
function scalarList(p: Params, prefix: string): string[] {
  return indexedValues(p, prefix)
    .map(([, v]) => v)
    .filter((v) => v !== "");
}

/** `Name.N.Field` (objects) in index order. */
function objectList(p: Params, prefix: string): Record<string, string>[] {
  return indexedObjects(p, prefix).map(([, o]) => o);
}

function bool(p: Params, name: string): boolean {
  return boolParam(p, name, errors, "Valid values: true, false.") ?? false;
}

function bandwidth(p: Params, name: string, fallback?: number): number {
  const v = optNonEmpty(p, name);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw errors.missingParameter(name);
  }
  const n = /^[1-9]\d*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < BANDWIDTH_MIN || n > BANDWIDTH_MAX) {
    throw errors.invalidParameter(name, `It must be an integer from ${BANDWIDTH_MIN} to ${BANDWIDTH_MAX} (Mbit/s).`);
  }
  return n;
}

/** 0–128 characters: letters, digits, `_`, `-`, starting with a letter (empty allowed). */
function name(p: Params): string | undefined {
  const v = opt(p, "Name");
  if (v === undefined || v === "") return v;
  if (v.length > 128 || !/^\p{L}[\p{L}0-9_-]*$/u.test(v)) {
    throw errors.invalidParameter(
      "Name",
      "It must be 1 to 128 characters, start with a letter, and contain only letters, digits, underscores (_) and hyphens (-).",
    );
  }
  return v;
}

/** 0–256 characters, not starting with http:// or https://. */
function description(p: Params): string | undefined {
  const v = opt(p, "Description");
  if (v === undefined || v === "") return v;
  if (v.length > 256 || /^https?:\/\//i.test(v)) {
    throw errors.invalidParameter("Description", "It must be up to 256 characters and cannot start with http:// or https://.");
  }
  return v;
}

function oneOf<T extends string>(p: Params, param: string, allowed: readonly T[]): T | undefined {
  const v = optNonEmpty(p, param);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw errors.invalidParameter(param, `Valid values: ${allowed.join(", ")}.`);
  }
  return v as T;
}

function serviceLocation(p: Params, required: boolean): string | undefined {
  if (required) req(p, "ServiceLocation");
  return oneOf(p, "ServiceLocation", ["international"] as const);
}

const BIND_TYPES: readonly BindInstanceType[] = ["SlbInstance", "NetworkInterface"];
const MODES: readonly AssociationMode[] = ["Default", "Normal"];

function bindTarget(p: Params): {
  anycastId: string;
  bindInstanceId: string;
  bindInstanceRegionId: string;
  bindInstanceType: BindInstanceType;
  privateIpAddress?: string;
} {
  const anycastId = req(p, "AnycastId");
  const bindInstanceId = req(p, "BindInstanceId");
  const bindInstanceRegionId = req(p, "BindInstanceRegionId");
  req(p, "BindInstanceType");
  const bindInstanceType = oneOf(p, "BindInstanceType", BIND_TYPES) as BindInstanceType;
  // ASSUMPTION: any well-formed id is accepted (no SLB/ENI inventory): lb-… for SlbInstance, eni-… for ENIs.
  const shape = bindInstanceType === "SlbInstance" ? /^lb-[a-z0-9]+$/ : /^eni-[a-z0-9]+$/;
  if (!shape.test(bindInstanceId)) {
    throw errors.invalidParameter(
      "BindInstanceId",
      bindInstanceType === "SlbInstance" ? "A CLB instance id looks like lb-xxxx." : "An ENI id looks like eni-xxxx.",
    );
  }
  const privateIpAddress = optNonEmpty(p, "PrivateIpAddress");
  if (privateIpAddress !== undefined) {
    if (bindInstanceType !== "NetworkInterface") {
      throw errors.invalidParameter("PrivateIpAddress", "It applies only when BindInstanceType is NetworkInterface.");
    }
    const parts = privateIpAddress.split(".");
    const ok = parts.length === 4 && parts.every((x) => /^(0|[1-9]\d{0,2})$/.test(x) && Number(x) <= 255);
    if (!ok) throw errors.invalidParameter("PrivateIpAddress", "It must be an IPv4 address.");
  }
  return { anycastId, bindInstanceId, bindInstanceRegionId, bindInstanceType, privateIpAddress };
}

function popList(p: Params, prefix: string): string[] {
  return objectList(p, prefix)
    .map((o) => o.PopLocation)
    .filter((v): v is string => v !== undefined && v !== "");
}

// ---------------------------------------------------------------------------------------------------
// Response shapes

function describeBinding(b: Binding): Record<string, unknown> {
  return {
    BindInstanceId: b.bindInstanceId,
    BindInstanceRegionId: b.bindInstanceRegionId,
    BindInstanceType: b.bindInstanceType,
    BindTime: formatTime(b.bindTime),
    Status: b.status,
    AssociationMode: b.associationMode,
    ...(b.privateIpAddress !== undefined ? { PrivateIpAddress: b.privateIpAddress } : {}),
    PopLocations: b.popLocations.map((pop) => ({ PopLocation: pop })),
  };
}

/** Fields common to Describe and List items. */
function eipFields(e: Readonly<Eip>): Record<string, unknown> {
  return {
    AnycastId: e.anycastId,
    IpAddress: e.ipAddress,
    Name: e.name,
    Description: e.description,
    Status: e.status,
    BusinessStatus: e.businessStatus,
    Bandwidth: e.bandwidth,
    ServiceLocation: e.serviceLocation,
    InstanceChargeType: e.instanceChargeType,
    InternetChargeType: e.internetChargeType,
    CreateTime: formatTime(e.createTime),
    AliUid: ALI_UID,
    ResourceGroupId: e.resourceGroupId,
    ServiceManaged: e.serviceManaged ? 1 : 0,
    Tags: e.tags.map((t) => ({ Key: t.key, Value: t.value })),
  };
}

export function describeBody(e: Readonly<Eip>): Record<string, unknown> {
  return { ...eipFields(e), Bid: BID, AnycastEipBindInfoList: e.bindings.map(describeBinding) };
}

export function listItem(e: Readonly<Eip>): Record<string, unknown> {
  return {
    ...eipFields(e),
    AnycastEipBindInfoList: e.bindings.map((b) => ({
      BindInstanceId: b.bindInstanceId,
      BindInstanceRegionId: b.bindInstanceRegionId,
      BindInstanceType: b.bindInstanceType,
      BindTime: formatTime(b.bindTime),
    })),
  };
}

// ---------------------------------------------------------------------------------------------------
// Paging: NextToken is opaque to clients; it encodes the creation sequence number of the last EIP
// returned, so deleting EIPs between pages neither skips nor repeats the others (ASSUMPTION: the real
// token is also opaque; the filters are not bound to the token).

const encodeToken = (seq: number): string => Buffer.from(`after:${seq}`, "utf8").toString("base64url");

function decodeToken(token: string): number {
  const m = /^after:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!m) throw errors.invalidParameter("NextToken", "Use the NextToken of the previous response.");
  return Number(m[1]);
}

// ---------------------------------------------------------------------------------------------------
// Actions: one handler per action, then the table.

type Handler = (model: EipanycastModel, p: Params, ctx: RequestContext) => Record<string, unknown>;

const allocate: Handler = (model, p, ctx) => {
  const loc = serviceLocation(p, true) as string;
  const bw = bandwidth(p, "Bandwidth", DEFAULT_BANDWIDTH);
  const ict = oneOf(p, "InstanceChargeType", ["PostPaid"] as const) ?? "PostPaid";
  const nct = oneOf(p, "InternetChargeType", ["PayByTraffic"] as const) ?? "PayByTraffic";
  const n = name(p) ?? "";
  const d = description(p) ?? "";
  const rg = optNonEmpty(p, "ResourceGroupId");
  if (rg !== undefined && !/^rg-[A-Za-z0-9]+$/.test(rg)) {
    throw errors.invalidParameter("ResourceGroupId", "A resource group id looks like rg-xxxx.");
  }
  const r = model.allocate(
    { serviceLocation: loc, bandwidth: bw, instanceChargeType: ict, internetChargeType: nct, name: n, description: d, resourceGroupId: rg },
    ctx.now,
  );
  return { AnycastId: r.anycastId, OrderId: r.orderId };
};

const describe: Handler = (model, p, ctx) => {
  const anycastId = optNonEmpty(p, "AnycastId");
  const ip = optNonEmpty(p, "Ip");
  const bindInstanceId = optNonEmpty(p, "BindInstanceId");
  // ASSUMPTION: at least one of the three (the docs say AnycastId or Ip must be given).
  if (anycastId === undefined && ip === undefined && bindInstanceId === undefined) {
    throw errors.missingParameter("AnycastId");
  }
  return describeBody(model.find({ anycastId, ip, bindInstanceId }, ctx.now));
};

function listFilter(p: Params): ListFilter {
  const anycastIds = scalarList(p, "AnycastIds");
  if (anycastIds.length > 50) throw errors.invalidParameter("AnycastIds", "At most 50 ids.");
  const bindInstanceIds = scalarList(p, "BindInstanceIds");
  if (bindInstanceIds.length > 100) throw errors.invalidParameter("BindInstanceIds", "At most 100 ids.");
  const rawTags = objectList(p, "Tags");
  if (rawTags.length > 20) throw errors.invalidParameter("Tags", "At most 20 tags.");
  const tags = rawTags.map((t, i) => {
    if (t.Key === undefined || t.Key === "") throw errors.missingParameter(`Tags.${i + 1}.Key`);
    return { key: t.Key, value: t.Value === "" ? undefined : t.Value };
  });
  return {
    anycastId: optNonEmpty(p, "AnycastId"),
    anycastIds,
    ipAddress: optNonEmpty(p, "AnycastEipAddress"),
    bindInstanceIds,
    businessStatus: optNonEmpty(p, "BusinessStatus"),
    instanceChargeType: optNonEmpty(p, "InstanceChargeType"),
    internetChargeType: optNonEmpty(p, "InternetChargeType"),
    name: optNonEmpty(p, "Name"),
    serviceLocation: optNonEmpty(p, "ServiceLocation"),
    status: optNonEmpty(p, "Status"),
    resourceGroupId: optNonEmpty(p, "ResourceGroupId"),
    tags,
  };
}

function listMaxResults(p: Params): number {
  const mr = optNonEmpty(p, "MaxResults");
  if (mr === undefined) return 50;
  const maxResults = /^\d+$/.test(mr) ? Number(mr) : NaN;
  if (!Number.isInteger(maxResults) || maxResults < 20 || maxResults > 100) {
    throw errors.invalidParameter("MaxResults", "It must be an integer from 20 to 100.");
  }
  return maxResults;
}

const list: Handler = (model, p, ctx) => {
  const filter = listFilter(p);
  const maxResults = listMaxResults(p);
  const token = optNonEmpty(p, "NextToken");
  const after = token === undefined ? 0 : decodeToken(token);
  const all = model.list(filter, ctx.now);
  const rest = all.filter((e) => e.seq > after);
  const page = rest.slice(0, maxResults);
  const more = rest.length > page.length;
  return {
    AnycastList: page.map(listItem),
    NextToken: more ? encodeToken(page[page.length - 1].seq) : "",
    TotalCount: all.length,
  };
};

const modifyAttribute: Handler = (model, p, ctx) => {
  model.modifyAttribute(req(p, "AnycastId"), { name: name(p), description: description(p) }, ctx.now);
  return {};
};

const modifySpec: Handler = (model, p, ctx) => {
  const anycastId = req(p, "AnycastId");
  model.modifySpec(anycastId, bandwidth(p, "Bandwidth"), ctx.now);
  return {};
};

const associate: Handler = (model, p, ctx) => {
  const target = bindTarget(p);
  model.associate(
    { ...target, associationMode: oneOf(p, "AssociationMode", MODES), popLocations: popList(p, "PopLocations"), dryRun: bool(p, "DryRun") },
    ctx.now,
  );
  return {};
};

const unassociate: Handler = (model, p, ctx) => {
  const target = bindTarget(p);
  // DryRun is typed string in this action's SDK model ("true"/"false"); parsed the same way.
  model.unassociate({ ...target, dryRun: bool(p, "DryRun") }, ctx.now);
  return {};
};

const updateAssociations: Handler = (model, p, ctx) => {
  const anycastId = req(p, "AnycastId");
  const bindInstanceId = req(p, "BindInstanceId");
  const popLocationAdd = popList(p, "PopLocationAddList");
  const popLocationDelete = popList(p, "PopLocationDeleteList");
  // ASSUMPTION: a call that changes nothing is refused.
  if (popLocationAdd.length === 0 && popLocationDelete.length === 0) {
    throw errors.missingParameter("PopLocationAddList.1.PopLocation");
  }
  const associationMode = oneOf(p, "AssociationMode", MODES);
  model.updateAssociations({ anycastId, bindInstanceId, associationMode, popLocationAdd, popLocationDelete, dryRun: bool(p, "DryRun") }, ctx.now);
  return {};
};

const release: Handler = (model, p, ctx) => {
  model.release(req(p, "AnycastId"), ctx.now);
  return {};
};

/** The answer of the two geography actions: `Count` (a string, api-facts.md §7.7) and the list. */
function regionList(listName: string, items: readonly { regionId: string; regionName: string }[]): Record<string, unknown> {
  return { Count: String(items.length), [listName]: items.map((r) => ({ RegionId: r.regionId, RegionName: r.regionName })) };
}

const serverRegions: Handler = (model, p, ctx) => {
  serviceLocation(p, true);
  model.advance(ctx.now);
  return regionList("AnycastServerRegionList", SERVER_REGIONS);
};

// ServiceLocation is optional here (per the API page), but when given must be `international`.
const popLocations: Handler = (model, p, ctx) => {
  serviceLocation(p, false);
  model.advance(ctx.now);
  return regionList("AnycastPopLocationList", POP_LOCATIONS);
};

const READ = { mutating: false, idempotent: false } as const;
const BIND_REQUIRED = ["AnycastId", "BindInstanceId", "BindInstanceRegionId", "BindInstanceType"];

export function createActions(model: EipanycastModel): Record<string, ActionDefinition> {
  const def = (meta: Omit<ActionDefinition, "handle">, handler: Handler): ActionDefinition =>
    defineAction(meta, (p, ctx) => handler(model, p, ctx));
  return {
    AllocateAnycastEipAddress: def({ mutating: true, idempotent: true, required: ["ServiceLocation"] }, allocate),
    DescribeAnycastEipAddress: def({ ...READ, required: [] }, describe),
    ListAnycastEipAddresses: def({ ...READ, required: [] }, list),
    ModifyAnycastEipAddressAttribute: def({ mutating: true, idempotent: false, required: ["AnycastId"] }, modifyAttribute),
    ModifyAnycastEipAddressSpec: def({ mutating: true, idempotent: false, required: ["AnycastId", "Bandwidth"] }, modifySpec),
    AssociateAnycastEipAddress: def({ mutating: true, idempotent: true, required: BIND_REQUIRED }, associate),
    UnassociateAnycastEipAddress: def({ mutating: true, idempotent: true, required: BIND_REQUIRED }, unassociate),
    UpdateAnycastEipAddressAssociations: def({ mutating: true, idempotent: true, required: ["AnycastId", "BindInstanceId"] }, updateAssociations),
    ReleaseAnycastEipAddress: def({ mutating: true, idempotent: true, required: ["AnycastId"] }, release),
    DescribeAnycastServerRegions: def({ ...READ, required: ["ServiceLocation"] }, serverRegions),
    DescribeAnycastPopLocations: def({ ...READ, required: [] }, popLocations),
  };
}
