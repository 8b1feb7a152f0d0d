/**
 * AnycastEipAddress: allocate (or adopt), modify in place, read, and a delete that checks before it
 * releases — gone is success, service-managed and associated EIPs are refused (or detached first with
 * `detachOnDelete`), transitions are waited out, the release is sent once under the retry policy with one
 * ClientToken, and the EIP is watched until it is gone.
 */
import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { CloudContext } from "../cloud/context";
import { CloudError, isRetryable } from "../cloud/errors";
import { backoffDelay } from "../cloud/retry";
import {
  Lifecycle,
  PartialCreateError,
  Props,
  ReleaseRefusedError,
  deadlineFor,
  fillDefaultRegion,
  isUnknown,
  plain,
  providerRegionIfAny,
  withResourceLimits,
} from "../lifecycle";
import {
  AnycastEipRecord,
  AppliedSettings,
  CallScope,
  allocateAnycastEip,
  describeAnycastEip,
  eipOutputsFromRecord,
  findBinding,
  isCode,
  regionOf,
  modifyAnycastEipAttribute,
  modifyAnycastEipSpec,
  releaseAnycastEip,
  unassociateAnycastEip,
  waitForEip,
} from "./api";
import { assertReleasable, describeBindingShort, describeEip, inspectEipRelease, releaseScope, releaseVerdict, TRANSITIONAL_EIP_STATUSES } from "./checks";
import { DEFAULT_BANDWIDTH, INSTANCE_CHARGE_TYPES, INTERNET_CHARGE_TYPES, SERVICE_LOCATIONS } from "./types";
import { validateAnycastEipAddress } from "./validate";

/** Properties whose change replaces the EIP (a new address is allocated, then the old one released). */
export const EIP_REPLACE_PROPERTIES = ["serviceLocation", "internetChargeType", "instanceChargeType", "resourceGroupId", "regionId", "adoptAnycastId"] as const;
/** Properties changed in place: name/description (ModifyAnycastEipAddressAttribute), bandwidth (ModifyAnycastEipAddressSpec). */
export const EIP_CLOUD_UPDATE_PROPERTIES = ["name", "description", "bandwidth"] as const;
/** Properties that only change what is stored (no API call). */
export const EIP_LOCAL_PROPERTIES = ["detachOnDelete", "timeoutSeconds", "maxAttempts"] as const;

const STABLE_EIP_STATUSES = new Set(["Allocated", "Associated"]);

const isSet = (v: unknown): boolean => v !== undefined && v !== null;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const numOrUndef = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

function scopeOf(ctx: CloudContext, props: Props): CallScope {
  return releaseScope(ctx, props);
}

function appliedFrom(props: Props, regionId: string): AppliedSettings {
  return {
    regionId,
    detachOnDelete: props.detachOnDelete === true,
    adoptAnycastId: str(props.adoptAnycastId),
    timeoutSeconds: numOrUndef(props.timeoutSeconds),
    maxAttempts: numOrUndef(props.maxAttempts),
    bandwidth: numOrUndef(props.bandwidth),
    serviceLocation: str(props.serviceLocation),
    internetChargeType: str(props.internetChargeType),
    instanceChargeType: str(props.instanceChargeType),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ------------------------------------------------------------------------------------------------ diff

/**
 * The pure diff: which properties changed and whether any forces a replacement. `olds` are the stored
 * outputs (possibly from an older version, with fields missing); `news` the checked inputs (possibly with
 * UNKNOWN values during preview, which count as changes). `defaultRegion` stands in for a missing stored
 * regionId.
 */
export function diffAnycastEipAddress(id: string, olds: Props, news: Props, defaultRegion?: string): pulumi.dynamic.DiffResult {
  const changed: string[] = [];
  const differs = (key: string, oldValue: unknown, newValue: unknown, keepWhenUnset: boolean): void => {
    if (isUnknown(newValue)) changed.push(key);
    else if (!isSet(newValue)) {
      if (!keepWhenUnset && isSet(oldValue)) changed.push(key);
    } else if (newValue !== oldValue) changed.push(key);
  };
  // Fields missing from older state are compared with their (only documented) default values.
  differs("serviceLocation", olds.serviceLocation ?? SERVICE_LOCATIONS[0], news.serviceLocation, true);
  differs("internetChargeType", olds.internetChargeType ?? INTERNET_CHARGE_TYPES[0], news.internetChargeType, true);
  differs("instanceChargeType", olds.instanceChargeType ?? INSTANCE_CHARGE_TYPES[0], news.instanceChargeType, true);
  // Unset means "the account's default group" for a new EIP, not a change for an existing one.
  differs("resourceGroupId", olds.resourceGroupId, news.resourceGroupId, true);
  differs("regionId", olds.regionId ?? defaultRegion ?? news.regionId, news.regionId, true);
  // adoptAnycastId names the EIP this resource should be: a different one replaces; unset keeps.
  differs("adoptAnycastId", olds.anycastId ?? id, news.adoptAnycastId, true);
  differs("name", olds.name, news.name, true);
  differs("description", olds.description, news.description, true);
  differs("bandwidth", olds.bandwidth, news.bandwidth, true);
  differs("detachOnDelete", olds.detachOnDelete === true, news.detachOnDelete ?? false, false);
  differs("timeoutSeconds", olds.timeoutSeconds, news.timeoutSeconds, false);
  differs("maxAttempts", olds.maxAttempts, news.maxAttempts, false);
  const replaces = changed.filter((k) => (EIP_REPLACE_PROPERTIES as readonly string[]).includes(k));
  refuseReplacingAdopted(olds.anycastId ?? id, news, replaces);
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
}

/**
 * A replacement creates before it deletes. If the new resource adopts the very EIP this one holds
 * (adoptAnycastId unchanged), the create takes it over and the delete then releases it: refuse in `diff`
 * (preview) instead, saying what works.
 */
function refuseReplacingAdopted(heldId: unknown, news: Props, replaces: string[]): void {
  if (replaces.length === 0 || typeof heldId !== "string" || news.adoptAnycastId !== heldId) return;
  const what = replaces.join(", ");
  throw new ReleaseRefusedError(
    `Anycast EIP ${heldId}`,
    `changing ${what} replaces the resource, and the replacement would adopt this same EIP (adoptAnycastId) and then release it`,
    `An adopted EIP's ${what} cannot be changed in place: put ${what} back as it was; or, to manage it with the new settings, ` +
      "remove it from the program (its delete releases it) or from the state without releasing it (`pulumi state delete <urn>`), then adopt it again",
  );
}

/**
 * Anycast EIP IDs adopted by a create in this provider process. All resources of one `pulumi up` go through
 * one provider process, so when a create adopts an EIP (a renamed resource adopting what the old one held),
 * the delete of the *other* resource in the same run finds the ID here and leaves the EIP to the new
 * resource instead of releasing it. The adopting resource's own outputs carry ADOPTION_MARK
 * (`adoptedInRun`), so its own delete still releases. Deliberately per-process: a later `pulumi destroy`
 * is a new process.
 */
const adoptedInThisProcess = new Set<string>();
/** Marks the outputs of an adoption made by this process (see adoptedInThisProcess). */
const ADOPTION_MARK = randomUUID();

// ----------------------------------------------------------------------------------------- in-place

interface Desired {
  name?: string;
  description?: string;
  bandwidth?: number;
}

/** Waits until the EIP is in a stable status (Allocated/Associated) and returns it. */
async function waitStable(ctx: CloudContext, anycastId: string, scope: CallScope, what: string): Promise<AnycastEipRecord> {
  const record = await waitForEip(ctx, what, anycastId, scope, (r) => {
    if (r === undefined || r.status === "Released" || r.status === "Releasing") return { done: false, fail: `Anycast EIP ${anycastId} no longer exists (${r?.status ?? "not found"})` };
    return { done: !TRANSITIONAL_EIP_STATUSES.has(r.status), state: r.status };
  });
  return record!;
}

/** Applies declared name/description/bandwidth that differ from the record; returns the final record. */
async function applyInPlace(ctx: CloudContext, record: AnycastEipRecord, desired: Desired, scope: CallScope): Promise<AnycastEipRecord> {
  const id = record.anycastId;
  const rename = desired.name !== undefined && desired.name !== record.name;
  const redescribe = desired.description !== undefined && desired.description !== record.description;
  const resize = desired.bandwidth !== undefined && desired.bandwidth !== record.bandwidth;
  if (!rename && !redescribe && !resize) return record;
  let current = record;
  if (TRANSITIONAL_EIP_STATUSES.has(current.status)) {
    current = await waitStable(ctx, id, scope, `waiting for Anycast EIP ${id} (${current.status}) to settle before changing it`);
  }
  if (rename || redescribe) {
    await modifyAnycastEipAttribute(ctx, id, { name: rename ? desired.name : undefined, description: redescribe ? desired.description : undefined }, scope);
  }
  if (resize) {
    ctx.progress(`changing the bandwidth of Anycast EIP ${id} from ${current.bandwidth ?? "?"} to ${desired.bandwidth} Mbit/s`);
    await changeBandwidthChecked(ctx, id, desired.bandwidth!, scope);
    return waitStable(ctx, id, scope, `waiting for the bandwidth change of Anycast EIP ${id}`);
  }
  return (await describeAnycastEip(ctx, id, scope)) ?? current;
}

/**
 * ModifyAnycastEipAddressSpec takes no ClientToken, so re-sending it after a lost reply would apply the
 * change twice. Each send is therefore a single attempt (throttling, which the service answers before
 * acting, is still retried by the policy); after any other retryable failure the EIP is read and waited
 * out of its transition, and the change is sent again only if the bandwidth is not already the one asked
 * for. Attempts are bounded by the retry policy's maxAttempts and the deadline, as for any other call.
 */
async function changeBandwidthChecked(ctx: CloudContext, id: string, bandwidth: number, scope: CallScope): Promise<void> {
  const sendOnce: CloudContext = { ...ctx, retry: { ...ctx.retry, maxAttempts: 1 } };
  for (let attempt = 1; ; attempt++) {
    try {
      await modifyAnycastEipSpec(sendOnce, id, bandwidth, scope);
      return;
    } catch (err) {
      if (!(err instanceof CloudError) || !isRetryable(err) || attempt >= ctx.retry.maxAttempts) throw err;
      const rid = err.requestId ? `, RequestId ${err.requestId}` : "";
      ctx.progress(`changing the bandwidth of Anycast EIP ${id}: attempt ${attempt} failed (${err.code}${rid}); the call has no ClientToken, so reading the EIP before sending it again`);
      const current = await waitStable(ctx, id, scope, `waiting for Anycast EIP ${id} to settle before checking its bandwidth`);
      if (current.bandwidth === bandwidth) {
        ctx.progress(`Anycast EIP ${id} already has ${bandwidth} Mbit/s: the change went through; not sending it again`);
        return;
      }
      const delay = backoffDelay(attempt, ctx.retry, ctx.clock.random);
      if (ctx.clock.now() + delay >= scope.deadlineAt) throw err;
      if (delay > 0) await ctx.clock.sleep(delay);
    }
  }
}

function desiredOf(props: Props): Desired {
  return {
    name: typeof props.name === "string" ? props.name : undefined,
    description: typeof props.description === "string" ? props.description : undefined,
    bandwidth: numOrUndef(props.bandwidth),
  };
}

/** Outputs after a change of stored-only settings (detachOnDelete, limits): no API call. */
function localUpdate(ctx: CloudContext, olds: Props, news: Props): Props {
  const outs: Props = { ...olds };
  outs.detachOnDelete = news.detachOnDelete === true;
  outs.regionId = str(olds.regionId) ?? regionOf(ctx, news);
  for (const k of ["timeoutSeconds", "maxAttempts"] as const) outs[k] = numOrUndef(news[k]);
  outs.adoptAnycastId = str(news.adoptAnycastId) ?? str(olds.adoptAnycastId);
  return plain(outs);
}

// ---------------------------------------------------------------------------------------- create

async function adopt(ctx: CloudContext, inputs: Props, anycastId: string, scope: CallScope): Promise<pulumi.dynamic.CreateResult> {
  const record = await describeAnycastEip(ctx, anycastId, scope);
  if (record === undefined || record.status === "Released" || record.status === "Releasing") {
    throw new Error(
      `adoptAnycastId: Anycast EIP ${anycastId} ${record ? `is ${record.status}` : `does not exist in region ${scope.region}`}; ` +
        `check the ID and regionId, or remove adoptAnycastId to allocate a new EIP`,
    );
  }
  const mismatches = (["serviceLocation", "internetChargeType", "instanceChargeType", "resourceGroupId"] as const).filter(
    (k) => record[k] !== "" && str(inputs[k]) !== undefined && record[k] !== inputs[k],
  );
  if (mismatches.length > 0) {
    throw new Error(
      `adoptAnycastId: Anycast EIP ${anycastId} has ${mismatches.map((k) => `${k} "${record[k]}"`).join(", ")}, but the program declares ` +
        `${mismatches.map((k) => `"${String(inputs[k])}"`).join(", ")}; these cannot be changed in place, so declare the EIP's values`,
    );
  }
  if (record.serviceManaged) {
    ctx.progress(`adopting ${describeEip(record)}: it is managed by an Alibaba Cloud service, so deleting this resource will be refused`);
  }
  ctx.progress(`adopting ${describeEip(record)} (${record.status})`);
  adoptedInThisProcess.add(anycastId);
  const applied = appliedFrom(inputs, scope.region);
  try {
    const final = await applyInPlace(ctx, record, desiredOf(inputs), scope);
    return { id: anycastId, outs: plain({ ...eipOutputsFromRecord(final, applied), adoptedInRun: ADOPTION_MARK }) };
  } catch (err) {
    throw new PartialCreateError(
      `adopted ${describeEip(record)}, but applying the declared name/description/bandwidth failed: ${errorText(err)}. ` +
        `It is kept in the stack state; run \`pulumi up\` again to finish`,
      anycastId,
      plain({ ...eipOutputsFromRecord(record, applied), adoptedInRun: ADOPTION_MARK }),
    );
  }
}

async function allocate(ctx: CloudContext, inputs: Props, scope: CallScope): Promise<pulumi.dynamic.CreateResult> {
  const applied = appliedFrom(inputs, scope.region);
  const request = {
    serviceLocation: String(inputs.serviceLocation),
    bandwidth: numOrUndef(inputs.bandwidth),
    instanceChargeType: str(inputs.instanceChargeType),
    internetChargeType: str(inputs.internetChargeType),
    name: str(inputs.name),
    description: str(inputs.description),
    resourceGroupId: str(inputs.resourceGroupId),
  };
  // One token for the whole logical allocation: a retry after a lost response replays the first result
  // instead of allocating a second EIP.
  const clientToken = ctx.newClientToken();
  ctx.progress(`allocating Anycast EIP (${request.serviceLocation}, ${request.bandwidth ?? DEFAULT_BANDWIDTH} Mbit/s) in ${scope.region}`);
  let anycastId: string;
  try {
    anycastId = await allocateAnycastEip(ctx, request, scope, clientToken);
  } catch (err) {
    // The last attempt may have reached the service (reset, read timeout): say how to find the EIP.
    if (err instanceof CloudError && err.kind === "transient") {
      throw new CloudError({
        ...err.fields(),
        message:
          `${err.cloudMessage}. If the allocation went through, an Anycast EIP${request.name ? ` named "${request.name}"` : ""} exists that is not in the stack state: ` +
          `find it with ListAnycastEipAddresses and take it over with adoptAnycastId (ClientToken ${clientToken})`,
      });
    }
    throw err;
  }

  // From here on the EIP exists: every failure must hand its ID to the engine.
  let last: AnycastEipRecord | undefined;
  try {
    const record = await waitForEip(ctx, `waiting for Anycast EIP ${anycastId} to be allocated`, anycastId, scope, (r) => {
      if (r !== undefined) last = r;
      if (r === undefined) return { done: false, state: "not visible yet" };
      if (r.status === "Released" || r.status === "Releasing") return { done: false, fail: `Anycast EIP ${anycastId} is ${r.status} right after allocation` };
      return { done: STABLE_EIP_STATUSES.has(r.status), state: r.status };
    });
    ctx.progress(`allocated ${describeEip(record!)}`);
    return { id: anycastId, outs: plain({ ...eipOutputsFromRecord(record!, applied) }) };
  } catch (err) {
    const known: AnycastEipRecord = last ?? {
      anycastId,
      ipAddress: "",
      name: request.name ?? "",
      description: request.description ?? "",
      status: "Allocating",
      businessStatus: "",
      bandwidth: request.bandwidth,
      serviceLocation: request.serviceLocation,
      instanceChargeType: request.instanceChargeType ?? "",
      internetChargeType: request.internetChargeType ?? "",
      createTime: "",
      resourceGroupId: request.resourceGroupId ?? "",
      serviceManaged: false,
      bindings: [],
    };
    throw new PartialCreateError(
      `Anycast EIP ${anycastId} was allocated, but ${errorText(err)}. It is kept in the stack state: ` +
        `run \`pulumi up\` again to finish, or \`pulumi destroy\` to release it`,
      anycastId,
      plain({ ...eipOutputsFromRecord(known, applied) }),
    );
  }
}

// ---------------------------------------------------------------------------------------- delete

/** How many times a release answered `IncorrectStatus.Anycast` (after its retries) sends us back to the checks. */
const RELEASE_ROUNDS = 3;

/**
 * Describes the EIP and applies the checks until it may be released: refusals throw, transitions are
 * waited out, and with `detachOnDelete` bindings are detached one at a time. Returns the releasable
 * record, or undefined when there is nothing to release.
 */
async function untilReleasable(ctx: CloudContext, anycastId: string, props: Props, scope: CallScope): Promise<AnycastEipRecord | undefined> {
  // The preflight command runs this same inspection.
  let { record } = await inspectEipRelease(ctx, anycastId, props, scope);
  for (;;) {
    const verdict = assertReleasable(record, props);
    if (verdict.kind === "gone") {
      ctx.progress(`Anycast EIP ${anycastId}: ${verdict.reason}; nothing to release`);
      return undefined;
    }
    if (verdict.kind === "wait") {
      record = await waitForEip(ctx, `waiting for Anycast EIP ${anycastId} to settle before releasing`, anycastId, scope, (r) => {
        const v = releaseVerdict(r, props);
        return v.kind === "wait" ? { done: false, state: v.state } : { done: true };
      });
      continue;
    }
    if (verdict.detach.length === 0) return record;
    // detachOnDelete: one binding at a time (the EIP refuses a second change while Unassociating).
    const binding = verdict.detach[0];
    const key = { anycastId, bindInstanceId: binding.instanceId, bindInstanceRegionId: binding.regionId, bindInstanceType: binding.instanceType };
    ctx.progress(`detachOnDelete: detaching ${describeBindingShort(binding)} from Anycast EIP ${anycastId}`);
    const privateIpAddress = binding.instanceType === "NetworkInterface" ? binding.privateIpAddress || undefined : undefined;
    await unassociateAnycastEip(ctx, { ...key, privateIpAddress }, scope, ctx.newClientToken());
    record = await waitForEip(ctx, `waiting for ${binding.instanceId} to be detached from Anycast EIP ${anycastId}`, anycastId, scope, (r) => {
      const b = findBinding(r, key);
      return { done: b === undefined, state: b?.status };
    });
  }
}

/**
 * Releases the EIP if the checks allow it. Re-runnable after any crash: gone/Released is success, the
 * release carries one ClientToken for all its attempts, `ResourceNotFound` from it is success, and the EIP
 * is watched until it is gone. If the service still answers `IncorrectStatus.Anycast` once the retries
 * are spent, the checks run again (so a binding made meanwhile is reported as a refusal, a new transition
 * is waited out) and the release is sent again with the same token.
 */
export async function releaseAnycastEipChecked(ctx: CloudContext, anycastId: string, props: Props, scope: CallScope): Promise<void> {
  const clientToken = ctx.newClientToken();
  for (let round = 1; ; round++) {
    const record = await untilReleasable(ctx, anycastId, props, scope);
    if (record === undefined) return;
    ctx.progress(`releasing ${describeEip(record)}`);
    let outcome: "released" | "notFound";
    try {
      outcome = await releaseAnycastEip(ctx, anycastId, scope, clientToken);
    } catch (err) {
      if (round < RELEASE_ROUNDS && isCode(err, "IncorrectStatus.Anycast") && ctx.clock.now() < scope.deadlineAt) {
        ctx.progress(`releasing Anycast EIP ${anycastId}: the service still reports a status that blocks the release; checking again`);
        continue;
      }
      throw err;
    }
    if (outcome === "notFound") {
      ctx.progress(`Anycast EIP ${anycastId} was already gone`);
      return;
    }
    await waitForEip(ctx, `waiting for Anycast EIP ${anycastId} to be released`, anycastId, scope, (r) => ({
      done: r === undefined || r.status === "Released",
      state: r?.status,
    }));
    ctx.progress(`released Anycast EIP ${anycastId}`);
    return;
  }
}

// ------------------------------------------------------------------------------------- lifecycle

export const anycastEipAddressLifecycle: Lifecycle = {
  async check(ctx, _olds, news) {
    const inputs: Props = {};
    for (const [k, v] of Object.entries(news)) if (v !== undefined && v !== null && k !== "__provider") inputs[k] = v;
    inputs.internetChargeType ??= INTERNET_CHARGE_TYPES[0];
    inputs.instanceChargeType ??= INSTANCE_CHARGE_TYPES[0];
    inputs.detachOnDelete ??= false;
    // A new EIP gets the documented default; an adopted one keeps its bandwidth unless one is declared.
    if (inputs.adoptAnycastId === undefined) inputs.bandwidth ??= DEFAULT_BANDWIDTH;
    const failures = validateAnycastEipAddress(inputs);
    fillDefaultRegion(ctx, inputs, failures);
    return { inputs, failures };
  },

  async diff(ctx, id, olds, news) {
    return diffAnycastEipAddress(id, olds, news, providerRegionIfAny(ctx, olds));
  },

  async create(ctx, inputs) {
    const scope = scopeOf(ctx, inputs);
    const limited = withResourceLimits(ctx, inputs);
    const adoptId = str(inputs.adoptAnycastId);
    return adoptId ? adopt(limited, inputs, adoptId, scope) : allocate(limited, inputs, scope);
  },

  async read(ctx, id, props) {
    const scope = scopeOf(ctx, props);
    const record = await describeAnycastEip(withResourceLimits(ctx, props), id, scope);
    if (record === undefined || record.status === "Released" || record.status === "Releasing") return {};
    return { id, props: plain({ ...eipOutputsFromRecord(record, appliedFrom(props, scope.region)), adoptedInRun: props.adoptedInRun }) };
  },

  async update(ctx, id, olds, news) {
    const desired = desiredOf(news);
    const cloudChange =
      (desired.name !== undefined && desired.name !== olds.name) ||
      (desired.description !== undefined && desired.description !== olds.description) ||
      (desired.bandwidth !== undefined && desired.bandwidth !== olds.bandwidth);
    const settled = typeof olds.status === "string" && STABLE_EIP_STATUSES.has(olds.status) && typeof olds.anycastId === "string";
    if (!cloudChange && settled) return { outs: localUpdate(ctx, olds, news) };

    const scope = { region: str(olds.regionId) ?? regionOf(ctx, news), deadlineAt: deadlineFor(ctx, news) };
    const limited = withResourceLimits(ctx, news);
    const record = await describeAnycastEip(limited, id, scope);
    if (record === undefined || record.status === "Released" || record.status === "Releasing") {
      throw new Error(`Anycast EIP ${id} no longer exists (${record?.status ?? "not found"}); run \`pulumi refresh\` to drop it from the state, then \`pulumi up\``);
    }
    // A create that ended in a partial-create error may still be settling.
    const current = STABLE_EIP_STATUSES.has(record.status) ? record : await waitStable(limited, id, scope, `waiting for Anycast EIP ${id} (${record.status}) to settle`);
    const final = await applyInPlace(limited, current, desired, scope);
    const applied = appliedFrom({ ...news, adoptAnycastId: news.adoptAnycastId ?? olds.adoptAnycastId }, scope.region);
    return { outs: plain({ ...eipOutputsFromRecord(final, applied), adoptedInRun: olds.adoptedInRun }) };
  },

  async delete(ctx, id, props) {
    // A create of this run adopted it (e.g. a renamed resource): it is that resource's now.
    if (adoptedInThisProcess.has(id) && props.adoptedInRun !== ADOPTION_MARK) {
      ctx.progress(`Anycast EIP ${id} was adopted by another resource in this run; leaving it to that resource instead of releasing it`);
      return;
    }
    // Reads only the ID, regionId, detachOnDelete and the limits: state from any earlier version works.
    await releaseAnycastEipChecked(withResourceLimits(ctx, props), id, props, scopeOf(ctx, props));
  },
};
