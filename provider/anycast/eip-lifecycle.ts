/**
 * AnycastEipAddress: allocate (or adopt), modify in place, read, and a delete that checks before it
 * releases — gone is success, service-managed and associated EIPs are refused (or detached first with
 * `detachOnDelete`), transitions are waited out, the release is sent once under the retry policy with one
 * ClientToken, and the EIP is watched until it is gone.
 */
import type * as pulumi from "@pulumi/pulumi";
import { adoptionRecord, adoptionWarningLabel, refuseReplacingAdopted } from "../adoption";
import { attemptErrorLabel } from "../cloud/context";
import { CloudError } from "../cloud/errors";
import { Lifecycle, PartialCreateError, Props, TypedLifecycle, checkArguments, plain, resourceUrn, typedLifecycle } from "../lifecycle";
import { Operation, callerRetryDelay, operationOf } from "../operation";
import { confirmationDeadline } from "../cloud/poll";
import { changedProperties, diffByTable, fillDefaults, localOutputs } from "../properties";
import { ReleaseOutcomeCheck, settleUnansweredRelease } from "../release-outcome";
import {
  AnycastEipRecord,
  allocateAnycastEip,
  changeAnycastEipResourceGroup,
  describeAnycastEip,
  eipOutputsFromRecord,
  EIP_BUSY,
  isCode,
  modifyAnycastEipAttribute,
  modifyAnycastEipSpec,
  readAnycastEip,
  releaseAnycastEip,
  tagAnycastEip,
  untagAnycastEip,
  waitForEip,
} from "./api";
import { bindingShortLabel, eipLabel, inspectEipRelease, ReleaseOptions, releaseVerdict, throwIfRefused, TRANSITIONAL_EIP_STATUSES } from "./checks";
import { detachBinding } from "./detach";
import { ownerTagFailures, tagsWithOwner } from "./ownership";
import { EIP_PROPERTIES, eipFromState, eipInputs, tagChanges } from "./state";
import { AnycastEipAddressInputs, AnycastEipAddressOutputs, DEFAULT_BANDWIDTH } from "./types";
import { validateAnycastEipAddress } from "./validate";

const STABLE_EIP_STATUSES = new Set(["Allocated", "Associated"]);

/** What create answers: the ID and the outputs to store. */
type EipCreated = { id: string; outs: AnycastEipAddressOutputs };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ------------------------------------------------------------------------------------------------ diff

/**
 * The pure diff (EIP_PROPERTIES): which properties changed and whether any forces a replacement. `olds`
 * are the stored outputs of any version; `news` the checked inputs (possibly with UNKNOWN values during
 * preview, which count as changes). `defaultRegion` stands in for a missing stored regionId.
 */
export function diffAnycastEipAddress(id: string, olds: Props, news: Props, defaultRegion?: string): pulumi.dynamic.DiffResult {
  return diffEip(eipFromState(olds, id, defaultRegion), news);
}

/**
 * What a replacement means for the user, said in the preview: no API changes these properties in place, so
 * a new EIP — a new public IP address — is allocated and the current one released.
 */
export function replacementLabel(olds: Pick<AnycastEipAddressOutputs, "anycastId" | "ipAddress">, replaces: readonly string[]): string {
  const ip = olds.ipAddress ? ` (${olds.ipAddress})` : "";
  return (
    `changing ${replaces.join(", ")} replaces Anycast EIP ${olds.anycastId}: a new public IP address is allocated ` +
    `and the current one${ip} is released; no API changes ${replaces.length === 1 ? "it" : "them"} in place`
  );
}

function diffEip(olds: AnycastEipAddressOutputs, news: Props, warn?: (line: string) => void, urn?: string): pulumi.dynamic.DiffResult {
  const diff = diffByTable(EIP_PROPERTIES, olds, news);
  if (warn && diff.replaces && diff.replaces.length > 0) warn(`warning: ${replacementLabel(olds, diff.replaces)}`);
  refuseReplacingAdopted(diff.replaces ?? [], olds.anycastId, news.adoptAnycastId, {
    label: `Anycast EIP ${olds.anycastId}`,
    noun: "EIP",
    adoptProperty: "adoptAnycastId",
    cannotChange: (what) => `An adopted EIP's ${what} cannot be changed in place`,
    urn,
  });
  return diff;
}

/**
 * The EIPs this process adopted (see AdoptionRecord): a deliberate per-process record, so that in one
 * `pulumi up` the delete of a resource whose EIP another one adopted leaves it alone.
 */
const adoptions = adoptionRecord();

// ----------------------------------------------------------------------------------------- in-place

interface Desired {
  name?: string;
  description?: string;
  bandwidth?: number;
  resourceGroupId?: string;
  /** The declared tags now, and those declared before (`{}` at create): see tagChanges. */
  tags?: Record<string, string>;
  previousTags?: Record<string, string>;
}

/** Waits until the EIP is in a stable status (Allocated/Associated) and returns it. */
async function waitStable(op: Operation, anycastId: string, what: string): Promise<AnycastEipRecord> {
  const record = await waitForEip(op, what, anycastId, (r) => {
    if (r === undefined || r.status === "Released" || r.status === "Releasing") return { done: false, fail: `Anycast EIP ${anycastId} no longer exists (${r?.status ?? "not found"})` };
    return { done: !TRANSITIONAL_EIP_STATUSES.has(r.status), state: r.status };
  });
  return record!;
}

/**
 * Applies the declared tags and resource group that differ from the record (no status requirement) and
 * returns the record as they leave it. TagResources, UntagResources and ChangeResourceGroup answer once
 * applied, so the record is brought up to date here rather than described again: one call fewer per
 * tagged EIP (each new EIP gets at least its ownership tag).
 */
async function applyTagsAndGroup(op: Operation, record: AnycastEipRecord, desired: Desired): Promise<AnycastEipRecord> {
  const id = record.anycastId;
  const { tag, untag } = tagChanges(desired.previousTags ?? {}, desired.tags ?? {}, record.tags);
  const regroup = desired.resourceGroupId !== undefined && desired.resourceGroupId !== record.resourceGroupId;
  if (untag.length > 0) await untagAnycastEip(op, id, untag);
  if (Object.keys(tag).length > 0) await tagAnycastEip(op, id, tag);
  if (regroup) await changeAnycastEipResourceGroup(op, id, desired.resourceGroupId!);
  const tags = Object.fromEntries(Object.entries({ ...record.tags, ...tag }).filter(([k]) => !untag.includes(k)));
  return { ...record, tags, resourceGroupId: regroup ? desired.resourceGroupId! : record.resourceGroupId };
}

/** Applies declared name/description/bandwidth/resource group/tags that differ from the record; returns the final record. */
async function applyInPlace(op: Operation, record: AnycastEipRecord, desired: Desired): Promise<AnycastEipRecord> {
  const id = record.anycastId;
  const rename = desired.name !== undefined && desired.name !== record.name;
  const redescribe = desired.description !== undefined && desired.description !== record.description;
  const resize = desired.bandwidth !== undefined && desired.bandwidth !== record.bandwidth;
  const retagged = await applyTagsAndGroup(op, record, desired);
  if (!rename && !redescribe && !resize) return retagged;
  let current = retagged;
  if (TRANSITIONAL_EIP_STATUSES.has(current.status)) {
    current = await waitStable(op, id, `waiting for Anycast EIP ${id} (${current.status}) to settle before changing it`);
  }
  if (rename || redescribe) {
    await modifyAnycastEipAttribute(op, id, { name: rename ? desired.name : undefined, description: redescribe ? desired.description : undefined });
  }
  if (resize) {
    op.ctx.progress(`changing the bandwidth of Anycast EIP ${id} from ${current.bandwidth ?? "?"} to ${desired.bandwidth} Mbit/s`);
    await changeBandwidthChecked(op, id, desired.bandwidth!);
    return waitStable(op, id, `waiting for the bandwidth change of Anycast EIP ${id}`);
  }
  return (await describeAnycastEip(op, id)) ?? current;
}

/**
 * ModifyAnycastEipAddressSpec takes no ClientToken, so re-sending it after a lost reply would apply the
 * change twice. Each send is therefore a single attempt (throttling, which the service answers before
 * acting, is still retried by the policy); after any other retryable failure the EIP is read and waited
 * out of its transition, and the change is sent again only if the bandwidth is not already the one asked
 * for. Attempts are bounded by the retry policy's maxAttempts and the deadline, as for any other call.
 */
async function changeBandwidthChecked(op: Operation, id: string, bandwidth: number): Promise<void> {
  const { ctx } = op;
  const sendOnce: Operation = { ...op, ctx: { ...ctx, retry: { ...ctx.retry, maxAttempts: 1 } } };
  for (let attempt = 1; ; attempt++) {
    try {
      await modifyAnycastEipSpec(sendOnce, id, bandwidth);
      return;
    } catch (err) {
      const delayMs = err instanceof CloudError ? callerRetryDelay(op, err, attempt) : undefined;
      if (delayMs === undefined) throw err;
      ctx.progress(
        `changing the bandwidth of Anycast EIP ${id}: attempt ${attempt} failed (${attemptErrorLabel(err as CloudError)}); the call has no ClientToken, so reading the EIP before sending it again`,
      );
      const current = await waitStable(op, id, `waiting for Anycast EIP ${id} to settle before checking its bandwidth`);
      if (current.bandwidth === bandwidth) {
        ctx.progress(`Anycast EIP ${id} already has ${bandwidth} Mbit/s: the change went through; not sending it again`);
        return;
      }
      if (delayMs > 0) await ctx.clock.sleep(delayMs);
    }
  }
}

// ---------------------------------------------------------------------------------------- create

async function adopt(op: Operation, inputs: AnycastEipAddressInputs, anycastId: string): Promise<EipCreated> {
  const record = await describeAnycastEip(op, anycastId);
  if (record === undefined || record.status === "Released" || record.status === "Releasing") {
    throw new Error(
      `adoptAnycastId: Anycast EIP ${anycastId} ${record ? `is ${record.status}` : `does not exist in region ${op.region}`}; ` +
        `check the ID and regionId, or remove adoptAnycastId to allocate a new EIP`,
    );
  }
  const mismatches = (["serviceLocation", "internetChargeType", "instanceChargeType"] as const).filter(
    (k) => record[k] !== "" && (inputs[k] ?? "") !== "" && record[k] !== inputs[k],
  );
  if (mismatches.length > 0) {
    throw new Error(
      `adoptAnycastId: Anycast EIP ${anycastId} has ${mismatches.map((k) => `${k} "${record[k]}"`).join(", ")}, but the program declares ` +
        `${mismatches.map((k) => `"${String(inputs[k])}"`).join(", ")}; these cannot be changed in place, so declare the EIP's values`,
    );
  }
  op.ctx.progress(`adopting ${eipLabel(record)} (${record.status})`);
  const warning = adoptionWarningLabel(eipLabel(record), releaseVerdict(record, { detachOnDelete: inputs.detachOnDelete, urn: resourceUrn(op.ctx, "AnycastEipAddress") }));
  if (warning) op.ctx.progress(warning);
  adoptions.adopted(anycastId);
  const applied = { ...inputs, adoptedInRun: adoptions.mark, regionId: op.region, declaredTags: inputs.tags };
  try {
    // Nothing was declared before: the EIP's own tags stay unless the program declares their keys.
    const final = await applyInPlace(op, record, { ...inputs, previousTags: {} });
    return { id: anycastId, outs: eipOutputsFromRecord(final, applied) };
  } catch (err) {
    throw new PartialCreateError(
      `adopted ${eipLabel(record)}, but applying the declared name/description/bandwidth/resource group/tags failed: ${errorText(err)}. ` +
        `It is kept in the stack state; run \`pulumi up\` again to finish`,
      anycastId,
      plain(eipOutputsFromRecord(record, applied)),
    );
  }
}

async function allocate(op: Operation, inputs: AnycastEipAddressInputs): Promise<EipCreated> {
  const applied = { ...inputs, regionId: op.region, declaredTags: inputs.tags };
  const request = {
    serviceLocation: inputs.serviceLocation,
    bandwidth: inputs.bandwidth,
    instanceChargeType: inputs.instanceChargeType || undefined,
    internetChargeType: inputs.internetChargeType || undefined,
    name: inputs.name || undefined,
    description: inputs.description || undefined,
    resourceGroupId: inputs.resourceGroupId,
  };
  // One token for the whole logical allocation: a retry after a lost response replays the first result
  // instead of allocating a second EIP. It is the one `check` recorded in the inputs (and so in the
  // checkpoint), so `recover` can send it again after a killed run; older callers get a fresh one.
  const clientToken = op.ctx.createToken ?? op.ctx.newClientToken();
  op.ctx.progress(`allocating Anycast EIP (${request.serviceLocation}, ${request.bandwidth ?? DEFAULT_BANDWIDTH} Mbit/s) in ${op.region}`);
  let anycastId: string;
  try {
    anycastId = await allocateAnycastEip(op, request, clientToken);
  } catch (err) {
    // An attempt may have reached the service (reset, read timeout): say how to find the EIP. Not when
    // none did (every attempt failed to connect): then nothing can exist.
    if (err instanceof CloudError && err.kind === "transient" && !err.nothingSent) {
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
    const record = await waitForEip(op, `waiting for Anycast EIP ${anycastId} to be allocated`, anycastId, (r) => {
      if (r !== undefined) last = r;
      if (r === undefined) return { done: false, state: "not visible yet" };
      if (r.status === "Released" || r.status === "Releasing") return { done: false, fail: `Anycast EIP ${anycastId} is ${r.status} right after allocation` };
      return { done: STABLE_EIP_STATUSES.has(r.status), state: r.status };
    });
    op.ctx.progress(`allocated ${eipLabel(record!)}`);
    last = record;
    // AllocateAnycastEipAddress takes no tags: they are applied right after, still inside this guard,
    // with the ownership tag (not a declared tag: declaredTags stays the program's).
    const tags = tagsWithOwner(inputs.tags, op.ctx.resource);
    const final = Object.keys(tags).length > 0 ? await applyInPlace(op, record!, { tags, previousTags: {} }) : record!;
    return { id: anycastId, outs: eipOutputsFromRecord(final, applied) };
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
      tags: {},
      serviceManaged: false,
      bindings: [],
    };
    throw new PartialCreateError(
      `Anycast EIP ${anycastId} was allocated, but ${errorText(err)}. It is kept in the stack state: ` +
        `run \`pulumi up\` again to finish, or \`pulumi destroy\` to release it`,
      anycastId,
      plain(eipOutputsFromRecord(known, applied)),
    );
  }
}

// ---------------------------------------------------------------------------------------- delete

/**
 * How many release calls may be answered `IncorrectStatus.Anycast` before the delete gives up. This layer
 * alone retries that answer (the release call hands it back at once, see releaseAnycastEip): each time the
 * checks run again, so a binding made meanwhile is refused and a transition is waited out.
 */
const RELEASE_ROUNDS = 3;

/** After a release answered `err` in `round`: the wait before checking again, or undefined to give up. */
function nextReleaseRound(op: Operation, err: unknown, round: number): number | undefined {
  return isCode(err, EIP_BUSY) ? callerRetryDelay(op, err, round, RELEASE_ROUNDS) : undefined;
}

/**
 * Describes the EIP and applies the checks until it may be released: refusals throw, transitions are
 * waited out, and with `detachOnDelete` bindings are detached one at a time. Returns the releasable
 * record, or undefined when there is nothing to release.
 */
async function untilReleasable(op: Operation, anycastId: string, props: ReleaseOptions): Promise<AnycastEipRecord | undefined> {
  // The preflight command runs this same inspection; its verdict is the first one acted on.
  let { record, verdict } = await inspectEipRelease(op, anycastId, props);
  for (;;) {
    const next = throwIfRefused(verdict);
    if (next.kind === "gone") {
      op.ctx.progress(`Anycast EIP ${anycastId}: ${next.reason}; nothing to release`);
      return undefined;
    }
    if (next.kind === "releasable" && next.detach.length === 0) return record;
    if (next.kind === "wait") {
      record = await waitForEip(op, `waiting for Anycast EIP ${anycastId} to settle before releasing`, anycastId, (r) => {
        verdict = releaseVerdict(r, props);
        return verdict.kind === "wait" ? { done: false, state: verdict.state } : { done: true };
      });
      continue;
    }
    // detachOnDelete: one binding at a time (the EIP refuses a second change while Unassociating).
    const binding = next.detach[0];
    const key = { anycastId, bindInstanceId: binding.instanceId, bindInstanceRegionId: binding.regionId, bindInstanceType: binding.instanceType };
    const announce = `detachOnDelete: detaching ${bindingShortLabel(binding)} from Anycast EIP ${anycastId}`;
    const detached = await detachBinding(op, record!, key, binding, { announce });
    record = detached.outcome === "detached" ? detached.record : await readAnycastEip(op, anycastId);
    verdict = releaseVerdict(record, props);
  }
}

/** Watches the EIP until it is gone (or `Released`), by `op`'s deadline. */
async function confirmEipReleased(op: Operation, anycastId: string): Promise<void> {
  await waitForEip(op, `waiting for Anycast EIP ${anycastId} to be released`, anycastId, (r) => ({
    done: r === undefined || r.status === "Released",
    state: r?.status,
  }));
}

/**
 * How a release whose answer was lost is checked (settleUnansweredRelease): gone or `Released` was
 * released; `Releasing` was accepted and is watched until gone; any other status was not released.
 */
function releaseOutcomeCheck(anycastId: string): ReleaseOutcomeCheck {
  return {
    what: `Anycast EIP ${anycastId}`,
    read: async (confirm) => {
      const record = await readAnycastEip(confirm, anycastId);
      if (record === undefined || record.status === "Released") return { kind: "gone" };
      if (record.status === "Releasing") return { kind: "releasing", untilGone: () => confirmEipReleased(confirm, anycastId) };
      return { kind: "present", state: record.status || "status not reported" };
    },
  };
}

/**
 * Releases the EIP if the checks allow it. Re-runnable after any crash: gone/Released is success, the
 * release carries one ClientToken for all its attempts, `ResourceNotFound` from it is success, and the EIP
 * is watched until it is gone. If the service still answers `IncorrectStatus.Anycast` once the retries
 * are spent, the checks run again (so a binding made meanwhile is reported as a refusal, a new transition
 * is waited out) and the release is sent again with the same token. If the release's answer is lost
 * (the retries end on a transient error of a call that may have reached the service), the EIP is read
 * to report what happened (settleUnansweredRelease).
 */
export async function releaseAnycastEipChecked(op: Operation, anycastId: string, props: ReleaseOptions): Promise<void> {
  const clientToken = op.ctx.newClientToken();
  for (let round = 1; ; round++) {
    const record = await untilReleasable(op, anycastId, props);
    if (record === undefined) return;
    op.ctx.progress(`releasing ${eipLabel(record)}`);
    let outcome: "released" | "notFound";
    try {
      outcome = await releaseAnycastEip(op, anycastId, clientToken);
    } catch (err) {
      const delayMs = nextReleaseRound(op, err, round);
      if (delayMs === undefined) return settleUnansweredRelease(op, err, releaseOutcomeCheck(anycastId));
      op.ctx.progress(`releasing Anycast EIP ${anycastId}: ${attemptErrorLabel(err as CloudError)}: the service still reports a status that blocks the release; checking again`);
      if (delayMs > 0) await op.ctx.clock.sleep(delayMs);
      continue;
    }
    if (outcome === "notFound") {
      op.ctx.progress(`Anycast EIP ${anycastId} was already gone`);
      return;
    }
    // The release was sent: confirming it may run a little past the deadline, so that a release that
    // happened is reported as done rather than as "deadline reached" (see confirmationDeadline).
    await confirmEipReleased({ ...op, deadlineAt: confirmationDeadline(op.ctx.clock, op.deadlineAt) }, anycastId);
    op.ctx.progress(`released Anycast EIP ${anycastId}`);
    return;
  }
}

// ------------------------------------------------------------------------------------- lifecycle

/** The typed implementation; {@link anycastEipAddressLifecycle} is what the engine calls. */
const typed: TypedLifecycle<AnycastEipAddressInputs, AnycastEipAddressOutputs> = {
  async check(ctx, _olds, news) {
    const fill = (inputs: Props) => {
      fillDefaults(EIP_PROPERTIES, inputs);
      // A new EIP gets the documented default; an adopted one keeps its bandwidth unless one is declared.
      if (inputs.adoptAnycastId === undefined) inputs.bandwidth ??= DEFAULT_BANDWIDTH;
    };
    return checkArguments(ctx, news, fill, (inputs) => [...validateAnycastEipAddress(inputs), ...ownerTagFailures(inputs)]);
  },

  async diff(ctx, _id, olds, news) {
    return diffEip(olds, news, (line) => ctx.progress(line), resourceUrn(ctx, "AnycastEipAddress"));
  },

  async create(ctx, inputs) {
    const op = operationOf(ctx, inputs);
    return inputs.adoptAnycastId ? adopt(op, inputs, inputs.adoptAnycastId) : allocate(op, inputs);
  },

  async read(ctx, id, props) {
    const op = operationOf(ctx, props);
    // A refresh reads every resource at once: the reads share List calls (the record is Describe's).
    const record = await readAnycastEip(op, id);
    if (record === undefined || record.status === "Released" || record.status === "Releasing") return {};
    return { id, props: eipOutputsFromRecord(record, { ...props, regionId: op.region }) };
  },

  async update(ctx, id, olds, news) {
    // The EIP stays where it is (a region change replaces it); the limits are the new ones.
    const op = operationOf(ctx, { ...news, regionId: olds.regionId || news.regionId });
    const cloudChange = changedProperties(EIP_PROPERTIES, olds, news, "cloud").length > 0;
    if (!cloudChange && STABLE_EIP_STATUSES.has(olds.status)) {
      return { outs: { ...localOutputs(EIP_PROPERTIES, olds, news), declaredTags: news.tags, regionId: op.region } };
    }
    const record = await describeAnycastEip(op, id);
    if (record === undefined || record.status === "Released" || record.status === "Releasing") {
      throw new Error(`Anycast EIP ${id} no longer exists (${record?.status ?? "not found"}); run \`pulumi refresh\` to drop it from the state, then \`pulumi up\``);
    }
    // A create that ended in a partial-create error may still be settling.
    const current = STABLE_EIP_STATUSES.has(record.status) ? record : await waitStable(op, id, `waiting for Anycast EIP ${id} (${record.status}) to settle`);
    const final = await applyInPlace(op, current, { ...news, previousTags: olds.declaredTags });
    const applied = { ...news, adoptAnycastId: news.adoptAnycastId ?? olds.adoptAnycastId, adoptedInRun: olds.adoptedInRun, regionId: op.region, declaredTags: news.tags };
    return { outs: eipOutputsFromRecord(final, applied) };
  },

  async delete(ctx, id, props) {
    // A create of this run adopted it (e.g. a renamed resource): it is that resource's now.
    if (adoptions.heldByAnother(id, props.adoptedInRun)) {
      ctx.progress(`Anycast EIP ${id} was adopted by another resource in this run; leaving it to that resource instead of releasing it`);
      return;
    }
    // Reads only the ID, regionId, detachOnDelete and the limits: state from any earlier version works.
    await releaseAnycastEipChecked(operationOf(ctx, props), id, { ...props, urn: resourceUrn(ctx, "AnycastEipAddress") });
  },
};

/** AnycastEipAddress's dynamic-provider methods, as the engine calls them (through the provider shim). */
export const anycastEipAddressLifecycle: Lifecycle = typedLifecycle({ inputs: eipInputs, fromState: eipFromState }, typed);
