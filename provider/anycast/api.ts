/**
 * Thin typed calls over `invoke` for the Eipanycast actions the two resources use, and the mapping from a
 * DescribeAnycastEipAddress record to resource outputs. Every mutating call that takes a ClientToken gets
 * exactly one, made before `invoke`'s retry loop, so every attempt of that operation sends the same token.
 */
import { CloudError } from "../cloud/errors";
import { pollUntil, ProbeResult } from "../cloud/poll";
import { BatchReader, ReadCall } from "../cloud/coalesce";
import { callIn, Operation, readIn, roundRider } from "../operation";
import { AnycastEipAddressOutputs, AnycastEipBinding } from "./types";

const PRODUCT = "Eipanycast" as const;

/** A binding as DescribeAnycastEipAddress reports it. */
export interface BindingRecord extends AnycastEipBinding {
  popLocations: string[];
  bindTime: string;
}

/** DescribeAnycastEipAddress, typed. */
export interface AnycastEipRecord {
  anycastId: string;
  ipAddress: string;
  name: string;
  description: string;
  status: string;
  businessStatus: string;
  bandwidth: number | undefined;
  serviceLocation: string;
  instanceChargeType: string;
  internetChargeType: string;
  createTime: string;
  resourceGroupId: string;
  /** `Tags[]` of `Key` / `Value`, as a map. */
  tags: Record<string, string>;
  serviceManaged: boolean;
  bindings: BindingRecord[];
}

/** The code that means "no such Anycast EIP" (Terraform's not-found signal). */
export const EIP_NOT_FOUND = "ResourceNotFound.AnycastInstance";
/**
 * The code the service answers while the EIP's status does not allow the call. For a release it is retried
 * by the delete's own rounds (after the checks run again), not by the retry policy.
 */
export const EIP_BUSY = "IncorrectStatus.Anycast";
/** The code Unassociate / UpdateAnycastEipAddressAssociations answer for a binding the EIP does not have. */
export const BINDING_NOT_FOUND = "ResourceNotFound.BindInstance";

export function isCode(err: unknown, ...codes: string[]): err is CloudError {
  return err instanceof CloudError && codes.includes(err.code);
}

/** A text field of an answer: `""` when missing (a number is taken as its decimal text). */
function answerText(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
}

/** A numeric field of an answer, which RPC answers may send as a numeric string. */
function answerNumber(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** `ServiceManaged` is an int (0/1) in the API; tolerate booleans and strings. */
function flag(v: unknown): boolean {
  return v === true || v === 1 || v === "1" || v === "true";
}

function list(v: unknown): Record<string, unknown>[] {
  // Some RPC responses wrap lists as { Item: [...] }; accept both.
  const arr = Array.isArray(v) ? v : v && typeof v === "object" && Array.isArray((v as Record<string, unknown>).Item) ? (v as { Item: unknown[] }).Item : [];
  return arr.filter((x): x is Record<string, unknown> => !!x && typeof x === "object");
}

export function parseBinding(b: Record<string, unknown>): BindingRecord {
  return {
    instanceId: answerText(b.BindInstanceId),
    instanceType: answerText(b.BindInstanceType),
    regionId: answerText(b.BindInstanceRegionId),
    status: answerText(b.Status),
    associationMode: answerText(b.AssociationMode),
    privateIpAddress: answerText(b.PrivateIpAddress),
    popLocations: list(b.PopLocations).map((p) => answerText(p.PopLocation)).filter((p) => p !== ""),
    bindTime: answerText(b.BindTime),
  };
}

/** DescribeAnycastEipAddress's answer, typed: a field of another type than the model's reads as empty. */
export function parseEipRecord(body: Record<string, unknown>): AnycastEipRecord {
  return {
    anycastId: answerText(body.AnycastId),
    ipAddress: answerText(body.IpAddress),
    name: answerText(body.Name),
    description: answerText(body.Description),
    status: answerText(body.Status),
    businessStatus: answerText(body.BusinessStatus),
    bandwidth: answerNumber(body.Bandwidth),
    serviceLocation: answerText(body.ServiceLocation),
    instanceChargeType: answerText(body.InstanceChargeType),
    internetChargeType: answerText(body.InternetChargeType),
    createTime: answerText(body.CreateTime),
    resourceGroupId: answerText(body.ResourceGroupId),
    tags: Object.fromEntries(list(body.Tags).map((t) => [answerText(t.Key), answerText(t.Value)]).filter(([k]) => k !== "")),
    serviceManaged: flag(body.ServiceManaged),
    bindings: list(body.AnycastEipBindInfoList).map(parseBinding),
  };
}

/** The record of a DescribeAnycastEipAddress answer for `anycastId`. */
function describedRecord(anycastId: string, body: Record<string, unknown>): AnycastEipRecord {
  const record = parseEipRecord(body);
  // An answer for a different EIP would be a service bug; never act on it as if it were ours.
  if (record.anycastId !== "" && record.anycastId !== anycastId) {
    throw new CloudError({
      code: "UnexpectedResponse",
      message: `DescribeAnycastEipAddress for ${anycastId} answered with ${record.anycastId}`,
      kind: "permanent",
      operation: `describing Anycast EIP ${anycastId}`,
    });
  }
  return { ...record, anycastId };
}

/** The EIP, or undefined when the service says it does not exist. Always its own DescribeAnycastEipAddress call. */
export async function describeAnycastEip(op: Operation, anycastId: string): Promise<AnycastEipRecord | undefined> {
  try {
    const body = await callIn(op, {
      operation: `describing Anycast EIP ${anycastId}`,
      product: PRODUCT,
      action: "DescribeAnycastEipAddress",
      params: { AnycastId: anycastId },
    });
    return describedRecord(anycastId, body);
  } catch (err) {
    if (isCode(err, EIP_NOT_FOUND)) return undefined;
    throw err;
  }
}

/** Most `AnycastIds.N` one ListAnycastEipAddresses call takes (SDK request model: at most 50). */
export const LIST_EIPS_MAX_IDS = 50;
/** `MaxResults` of each ListAnycastEipAddresses page (the model allows 20–100): one page holds a full batch. */
const LIST_EIPS_PAGE_SIZE = 50;

/**
 * ListAnycastEipAddresses for `ids`, following NextToken: the records listed, parsed as Describe's. More
 * pages than the ids can fill is an answer that makes no sense (a permanent error: the reads fall back to
 * Describe).
 */
async function listAnycastEips({ scope, timeoutMs }: ReadCall, ids: readonly string[]): Promise<Map<string, AnycastEipRecord>> {
  const wanted = new Set(ids);
  const found = new Map<string, AnycastEipRecord>();
  const maxPages = Math.ceil(ids.length / LIST_EIPS_PAGE_SIZE) + 1;
  let nextToken: string | undefined;
  for (let page = 1; ; page++) {
    const body = await scope.transport.call(
      PRODUCT,
      "ListAnycastEipAddresses",
      { AnycastIds: [...ids], MaxResults: LIST_EIPS_PAGE_SIZE, NextToken: nextToken },
      { region: scope.region, timeoutMs },
    );
    for (const item of list(body.AnycastList)) {
      const record = parseEipRecord(item);
      if (wanted.has(record.anycastId) && !found.has(record.anycastId)) found.set(record.anycastId, record);
    }
    nextToken = answerText(body.NextToken) || undefined;
    if (nextToken === undefined || found.size === wanted.size) return found;
    if (page >= maxPages) {
      throw new CloudError({
        code: "UnexpectedResponse",
        message: `ListAnycastEipAddresses for ${ids.length} AnycastIds was still paging after ${page} pages of ${LIST_EIPS_PAGE_SIZE}`,
        kind: "permanent",
        requestId: answerText(body.RequestId) || undefined,
      });
    }
  }
}

/**
 * How the read coalescer reads Anycast EIPs: alone with DescribeAnycastEipAddress, in batches with
 * ListAnycastEipAddresses. A List item carries every field parseEipRecord reads except the bindings'
 * Status, AssociationMode, PrivateIpAddress and PopLocations (SDK ListAnycastEipAddressesResponseBody):
 * so an EIP listed with any binding is described as well, and the checks always see Describe's bindings.
 */
export const EIP_READS: BatchReader<AnycastEipRecord> = {
  product: PRODUCT,
  noun: "Anycast EIP",
  oneAction: "DescribeAnycastEipAddress",
  listAction: "ListAnycastEipAddresses",
  maxIds: LIST_EIPS_MAX_IDS,
  async readOne({ scope, timeoutMs }, anycastId) {
    try {
      const body = await scope.transport.call(PRODUCT, "DescribeAnycastEipAddress", { AnycastId: anycastId }, { region: scope.region, timeoutMs });
      return describedRecord(anycastId, body);
    } catch (err) {
      if (isCode(err, EIP_NOT_FOUND)) return undefined;
      throw err;
    }
  },
  readMany: listAnycastEips,
  complete: (record) => record.bindings.length === 0,
};

/**
 * The EIP as the read coalescer reads it (batched with the process's other reads of EIPs in the same
 * region and account, or its own Describe), or undefined when it does not exist. The record is what
 * describeAnycastEip would answer.
 */
export function readAnycastEip(op: Operation, anycastId: string): Promise<AnycastEipRecord | undefined> {
  return readIn(op, `describing Anycast EIP ${anycastId}`, EIP_READS, anycastId);
}

export interface AllocateRequest {
  serviceLocation: string;
  bandwidth?: number;
  instanceChargeType?: string;
  internetChargeType?: string;
  name?: string;
  description?: string;
  resourceGroupId?: string;
}

/** AllocateAnycastEipAddress; returns the new EIP's ID. */
export async function allocateAnycastEip(
  op: Operation,
  req: AllocateRequest,
  clientToken: string = op.ctx.newClientToken(),
): Promise<string> {
  const body = await callIn(op, {
    operation: "allocating Anycast EIP",
    product: PRODUCT,
    action: "AllocateAnycastEipAddress",
    params: {
      ServiceLocation: req.serviceLocation,
      // A string in the request model (an integer in responses).
      Bandwidth: req.bandwidth === undefined ? undefined : String(req.bandwidth),
      InstanceChargeType: req.instanceChargeType,
      InternetChargeType: req.internetChargeType,
      Name: req.name || undefined,
      Description: req.description || undefined,
      ResourceGroupId: req.resourceGroupId,
      ClientToken: clientToken,
    },
  });
  const id = answerText(body.AnycastId);
  if (id === "") {
    throw new CloudError({
      code: "UnexpectedResponse",
      message: `AllocateAnycastEipAddress answered without an AnycastId (RequestId ${answerText(body.RequestId) || "unknown"}; ClientToken ${clientToken})`,
      kind: "permanent",
      operation: "allocating Anycast EIP",
    });
  }
  return id;
}

/** ModifyAnycastEipAddressAttribute (synchronous; takes no ClientToken). */
export async function modifyAnycastEipAttribute(
  op: Operation,
  anycastId: string,
  attrs: { name?: string; description?: string },
): Promise<void> {
  await callIn(op, {
    operation: `renaming Anycast EIP ${anycastId}`,
    product: PRODUCT,
    action: "ModifyAnycastEipAddressAttribute",
    params: { AnycastId: anycastId, Name: attrs.name, Description: attrs.description },
  });
}

/** ModifyAnycastEipAddressSpec (the EIP goes `Modifying`; takes no ClientToken). */
export async function modifyAnycastEipSpec(op: Operation, anycastId: string, bandwidth: number): Promise<void> {
  await callIn(op, {
    operation: `changing the bandwidth of Anycast EIP ${anycastId} to ${bandwidth} Mbit/s`,
    product: PRODUCT,
    action: "ModifyAnycastEipAddressSpec",
    params: { AnycastId: anycastId, Bandwidth: String(bandwidth) },
  });
}

/** The `ResourceType` of an Anycast EIP in the tag and resource-group actions. */
const TAG_RESOURCE_TYPE = "ANYCASTEIPADDRESS";

/** TagResources: adds or overwrites `tags` (at most 20; `check` has enforced it) on one EIP. No ClientToken. */
export async function tagAnycastEip(op: Operation, anycastId: string, tags: Record<string, string>): Promise<void> {
  await callIn(op, {
    operation: `tagging Anycast EIP ${anycastId} (${Object.keys(tags).join(", ")})`,
    product: PRODUCT,
    action: "TagResources",
    // Flattened by the transport as ResourceId.N and Tag.N.Key / Tag.N.Value.
    params: { ResourceType: TAG_RESOURCE_TYPE, ResourceId: [anycastId], Tag: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
  });
}

/** UntagResources: removes the tags `keys` from one EIP. No ClientToken. */
export async function untagAnycastEip(op: Operation, anycastId: string, keys: readonly string[]): Promise<void> {
  await callIn(op, {
    operation: `removing tags ${keys.join(", ")} from Anycast EIP ${anycastId}`,
    product: PRODUCT,
    action: "UntagResources",
    params: { ResourceType: TAG_RESOURCE_TYPE, ResourceId: [anycastId], TagKey: [...keys] },
  });
}

/** ChangeResourceGroup: moves one EIP to another resource group (same EIP, same IP). No ClientToken. */
export async function changeAnycastEipResourceGroup(op: Operation, anycastId: string, resourceGroupId: string): Promise<void> {
  await callIn(op, {
    operation: `moving Anycast EIP ${anycastId} to resource group ${resourceGroupId}`,
    product: PRODUCT,
    action: "ChangeResourceGroup",
    params: { ResourceType: TAG_RESOURCE_TYPE, ResourceId: anycastId, NewResourceGroupId: resourceGroupId },
  });
}

/** Identifies one binding of one EIP. */
export interface BindingKey {
  anycastId: string;
  bindInstanceId: string;
  bindInstanceRegionId: string;
  bindInstanceType: string;
}

export interface AssociateRequest extends BindingKey {
  associationMode?: string;
  popLocations?: string[];
  privateIpAddress?: string;
}

export const bindingLabel = (k: BindingKey): string =>
  `${k.bindInstanceType} ${k.bindInstanceId} (${k.bindInstanceRegionId}) on Anycast EIP ${k.anycastId}`;

function popList(name: string, pops: readonly string[] | undefined): Record<string, unknown> {
  // Flattened by the transport as Name.N.PopLocation.
  return pops && pops.length > 0 ? { [name]: pops.map((p) => ({ PopLocation: p })) } : {};
}

/** The request fields that name one binding (Associate and Unassociate take the same four). */
function bindingParams(key: BindingKey): Record<string, string> {
  return { AnycastId: key.anycastId, BindInstanceId: key.bindInstanceId, BindInstanceRegionId: key.bindInstanceRegionId, BindInstanceType: key.bindInstanceType };
}

/** AssociateAnycastEipAddress. */
export async function associateAnycastEip(
  op: Operation,
  req: AssociateRequest,
  clientToken: string = op.ctx.newClientToken(),
): Promise<void> {
  await callIn(op, {
    operation: `associating ${bindingLabel(req)}`,
    product: PRODUCT,
    action: "AssociateAnycastEipAddress",
    params: {
      ...bindingParams(req),
      AssociationMode: req.associationMode,
      PrivateIpAddress: req.privateIpAddress || undefined,
      ...popList("PopLocations", req.popLocations),
      ClientToken: clientToken,
    },
  });
}

/**
 * UnassociateAnycastEipAddress. Returns false when the EIP or the binding no longer exists (nothing to
 * detach), true when the call was accepted.
 */
export async function unassociateAnycastEip(
  op: Operation,
  key: BindingKey & { privateIpAddress?: string },
  clientToken: string = op.ctx.newClientToken(),
): Promise<boolean> {
  try {
    await callIn(op, {
      operation: `detaching ${bindingLabel(key)}`,
      product: PRODUCT,
      action: "UnassociateAnycastEipAddress",
      params: {
        ...bindingParams(key),
        PrivateIpAddress: key.privateIpAddress || undefined,
        ClientToken: clientToken,
      },
    });
    return true;
  } catch (err) {
    if (isCode(err, EIP_NOT_FOUND, BINDING_NOT_FOUND)) return false;
    throw err;
  }
}

/** UpdateAnycastEipAddressAssociations: adds and removes pop locations of one binding. */
export async function updateAnycastEipAssociations(
  op: Operation,
  key: BindingKey & { associationMode?: string },
  change: { add: readonly string[]; remove: readonly string[] },
  clientToken: string = op.ctx.newClientToken(),
): Promise<void> {
  await callIn(op, {
    operation: `changing the pop locations of ${bindingLabel(key)}`,
    product: PRODUCT,
    action: "UpdateAnycastEipAddressAssociations",
    params: {
      AnycastId: key.anycastId,
      BindInstanceId: key.bindInstanceId,
      AssociationMode: key.associationMode || undefined,
      ...popList("PopLocationAddList", change.add),
      ...popList("PopLocationDeleteList", change.remove),
      ClientToken: clientToken,
    },
  });
}

/**
 * ReleaseAnycastEipAddress under the retry policy with one ClientToken. Returns `"notFound"` when the
 * service says the EIP does not exist (already released: success for a delete). `IncorrectStatus.Anycast`
 * is handed back at once: the caller checks the EIP again before it re-sends (releaseAnycastEipChecked).
 */
export async function releaseAnycastEip(
  op: Operation,
  anycastId: string,
  clientToken: string = op.ctx.newClientToken(),
): Promise<"released" | "notFound"> {
  try {
    await callIn(op, {
      operation: `releasing Anycast EIP ${anycastId}`,
      product: PRODUCT,
      action: "ReleaseAnycastEipAddress",
      params: { AnycastId: anycastId, ClientToken: clientToken },
      handledByCaller: [EIP_BUSY],
    });
    return "released";
  } catch (err) {
    if (isCode(err, EIP_NOT_FOUND)) return "notFound";
    throw err;
  }
}

/**
 * Polls the EIP until `until` says done. Waits are reported through `op.ctx.progress` (`<what>: <state>,
 * waited N s`). Returns the last record (undefined when the EIP is gone). Each probe is a read of the
 * coalescer (readAnycastEip) and rides the rounds of other pollers; `reads: "describe"` makes each probe
 * its own Describe instead — for waits on a binding, whose status only Describe reports.
 */
export async function waitForEip(
  op: Operation,
  what: string,
  anycastId: string,
  until: (record: AnycastEipRecord | undefined) => { done: boolean; state?: string; fail?: string },
  reads: "coalesced" | "describe" = "coalesced",
): Promise<AnycastEipRecord | undefined> {
  const read = reads === "coalesced" ? readAnycastEip : describeAnycastEip;
  const judge = (record: AnycastEipRecord | undefined): ProbeResult<AnycastEipRecord | undefined> => {
    const verdict = until(record);
    if (verdict.fail !== undefined) throw vanished(verdict.fail);
    return { done: verdict.done, value: record, state: verdict.state };
  };
  const result = await pollUntil(what, async () => judge(await read(op, anycastId)), {
    policy: op.ctx.poll,
    deadlineAt: op.deadlineAt,
    clock: op.ctx.clock,
    onWait: (state, waitedMs) => op.ctx.progress(`${what}: ${state ?? "not done"}, waited ${(waitedMs / 1000).toFixed(1)} s`),
    wait: reads === "coalesced" ? roundRider(op, EIP_READS, anycastId, judge) : undefined,
  });
  return result.value;
}

/** A binding in the public output shape. */
export function bindingOutput(b: BindingRecord): AnycastEipBinding {
  return {
    instanceId: b.instanceId,
    instanceType: b.instanceType,
    regionId: b.regionId,
    status: b.status,
    associationMode: b.associationMode,
    privateIpAddress: b.privateIpAddress,
  };
}

/** What the lifecycle applied (or stored earlier) that the cloud record does not carry. */
export type AppliedSettings = Pick<AnycastEipAddressOutputs, "regionId" | "detachOnDelete" | "adoptAnycastId" | "timeoutSeconds" | "maxAttempts" | "adoptedInRun"> &
  Partial<Pick<AnycastEipAddressOutputs, "declaredTags">> &
  /** Used when the record does not report a value (e.g. an older API answer without Bandwidth). */
  Partial<Pick<AnycastEipAddressOutputs, "bandwidth" | "serviceLocation" | "internetChargeType" | "instanceChargeType">>;

/** Outputs of an AnycastEipAddress from a Describe record plus the settings as applied. Plain JSON. */
export function eipOutputsFromRecord(record: AnycastEipRecord, applied: AppliedSettings): AnycastEipAddressOutputs {
  const out: AnycastEipAddressOutputs = {
    anycastId: record.anycastId,
    ipAddress: record.ipAddress,
    status: record.status,
    businessStatus: record.businessStatus,
    serviceManaged: record.serviceManaged,
    bandwidth: record.bandwidth ?? applied.bandwidth ?? 0,
    bindings: record.bindings.filter((b) => b.status !== "DELETED").map(bindingOutput),
    createTime: record.createTime,
    serviceLocation: record.serviceLocation || applied.serviceLocation || "",
    internetChargeType: record.internetChargeType || applied.internetChargeType || "",
    instanceChargeType: record.instanceChargeType || applied.instanceChargeType || "",
    name: record.name,
    description: record.description,
    resourceGroupId: record.resourceGroupId,
    tags: record.tags,
    declaredTags: applied.declaredTags ?? {},
    regionId: applied.regionId,
    detachOnDelete: applied.detachOnDelete,
  };
  if (applied.adoptAnycastId !== undefined) out.adoptAnycastId = applied.adoptAnycastId;
  if (applied.timeoutSeconds !== undefined) out.timeoutSeconds = applied.timeoutSeconds;
  if (applied.maxAttempts !== undefined) out.maxAttempts = applied.maxAttempts;
  if (applied.adoptedInRun !== undefined) out.adoptedInRun = applied.adoptedInRun;
  return out;
}

/** The binding of `instanceId`/`regionId`/`type` on `record`, ignoring ones already `DELETED`. */
export function findBinding(record: AnycastEipRecord | undefined, key: Omit<BindingKey, "anycastId">): BindingRecord | undefined {
  return record?.bindings.find(
    (b) =>
      b.status !== "DELETED" &&
      b.instanceId === key.bindInstanceId &&
      (b.regionId === "" || b.regionId === key.bindInstanceRegionId) &&
      (b.instanceType === "" || b.instanceType === key.bindInstanceType),
  );
}

/** A permanent error raised inside a wait when what we wait on has vanished (fails the wait at once). */
export function vanished(message: string): CloudError {
  return new CloudError({ code: "ResourceGone", message, kind: "permanent" });
}
