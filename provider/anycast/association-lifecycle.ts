/**
 * AnycastEipAssociation: one binding of an Anycast EIP to an internal CLB or an ENI. ID (Terraform's form):
 * `anycastId:bindInstanceId:bindInstanceRegionId:bindInstanceType`. Create associates (one ClientToken) and
 * waits for `BINDED`; pop locations change in place; everything else replaces (detach, then attach);
 * delete detaches (one ClientToken) and waits until the binding is gone — an EIP or binding already gone
 * is success.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Lifecycle, PartialCreateError, Props, TypedLifecycle, checkArguments, plain, typedLifecycle } from "../lifecycle";
import { Operation, operationOf } from "../operation";
import { nonEmptyText } from "../parse";
import { changedProperties, diffByTable, localOutputs } from "../properties";
import {
  AnycastEipRecord,
  BindingKey,
  BindingRecord,
  associateAnycastEip,
  describeAnycastEip,
  bindingLabel,
  findBinding,
  updateAnycastEipAssociations,
  waitForEip,
} from "./api";
import { inspectAssociationRelease, transitionOf } from "./checks";
import { detachBinding } from "./detach";
import { ASSOCIATION_PROPERTIES, associationFromState, associationInputs, popLocationsChanged, StoredAssociation } from "./state";
import { AnycastEipAssociationInputs, AnycastEipAssociationOutputs } from "./types";
import { validateAnycastEipAssociation } from "./validate";

const GONE_EIP_STATUSES = new Set(["Released", "Releasing"]);

/** `anycastId:bindInstanceId:bindInstanceRegionId:bindInstanceType`. */
export function associationId(key: BindingKey): string {
  return [key.anycastId, key.bindInstanceId, key.bindInstanceRegionId, key.bindInstanceType].join(":");
}

/** The binding key from the ID, else from the stored properties (older state). */
export function parseAssociationId(id: string, props: { [K in keyof BindingKey]?: unknown } = {}): BindingKey {
  const parts = id.split(":");
  if (parts.length === 4 && parts.every((p) => p !== "")) {
    return { anycastId: parts[0], bindInstanceId: parts[1], bindInstanceRegionId: parts[2], bindInstanceType: parts[3] };
  }
  const anycastId = nonEmptyText(props.anycastId);
  const bindInstanceId = nonEmptyText(props.bindInstanceId);
  const bindInstanceRegionId = nonEmptyText(props.bindInstanceRegionId);
  const bindInstanceType = nonEmptyText(props.bindInstanceType);
  if (!anycastId || !bindInstanceId || !bindInstanceRegionId || !bindInstanceType) {
    throw new Error(`AnycastEipAssociation ID "${id}" is not anycastId:bindInstanceId:bindInstanceRegionId:bindInstanceType and the state does not name the binding`);
  }
  return { anycastId, bindInstanceId, bindInstanceRegionId, bindInstanceType };
}

function keyOf(inputs: AnycastEipAssociationInputs): BindingKey {
  const { anycastId, bindInstanceId, bindInstanceRegionId, bindInstanceType } = inputs;
  return { anycastId, bindInstanceId, bindInstanceRegionId, bindInstanceType };
}

/** What the outputs keep of the inputs or stored state besides the key. */
type AssociationSettings = Pick<StoredAssociation, "privateIpAddress" | "associationMode" | "timeoutSeconds" | "maxAttempts">;

function outputsOf(key: BindingKey, binding: BindingRecord, settings: AssociationSettings, regionId: string): AnycastEipAssociationOutputs {
  return {
    ...key,
    privateIpAddress: binding.privateIpAddress || settings.privateIpAddress || "",
    associationMode: binding.associationMode || settings.associationMode || "",
    popLocations: binding.popLocations,
    status: binding.status,
    bindTime: binding.bindTime,
    regionId,
    timeoutSeconds: settings.timeoutSeconds,
    maxAttempts: settings.maxAttempts,
  };
}

/** The pure diff (ASSOCIATION_PROPERTIES); UNKNOWN values count as changes. */
export function diffAnycastEipAssociation(olds: Props, news: Props, defaultRegion?: string): pulumi.dynamic.DiffResult {
  return diffAssociation(associationFromState(olds, undefined, defaultRegion), news);
}

/** Replacing detaches first: the same binding cannot be made twice. */
function diffAssociation(olds: StoredAssociation, news: Props): pulumi.dynamic.DiffResult {
  return diffByTable(ASSOCIATION_PROPERTIES, olds, news, (replaces) => replaces.length > 0);
}

/** Waits until the EIP accepts a change (not mid-transition); fails if the EIP is gone. */
async function waitEipReady(op: Operation, key: BindingKey, what: string): Promise<AnycastEipRecord> {
  const record = await waitForEip(op, what, key.anycastId, (r) => {
    if (r === undefined || GONE_EIP_STATUSES.has(r.status)) return { done: false, fail: `Anycast EIP ${key.anycastId} does not exist (${r?.status ?? "not found"})` };
    const state = transitionOf(r);
    return state === undefined ? { done: true } : { done: false, state };
  }, "describe");
  return record!;
}

/** Waits until the binding is `BINDED`; fails if the EIP or the binding disappears. */
async function waitBound(op: Operation, key: BindingKey, what: string): Promise<{ record: AnycastEipRecord; binding: BindingRecord }> {
  const record = await waitForEip(op, what, key.anycastId, (r) => {
    if (r === undefined || GONE_EIP_STATUSES.has(r.status)) return { done: false, fail: `Anycast EIP ${key.anycastId} disappeared (${r?.status ?? "not found"})` };
    const b = findBinding(r, key);
    if (b === undefined) return { done: false, state: "not listed yet" };
    if (b.status === "UNBINDING") return { done: false, fail: `${bindingLabel(key)} is being detached (UNBINDING)` };
    return { done: b.status === "BINDED", state: b.status };
  }, "describe");
  return { record: record!, binding: findBinding(record, key)! };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The typed implementation; {@link anycastEipAssociationLifecycle} is what the engine calls. */
const typed: TypedLifecycle<AnycastEipAssociationInputs, StoredAssociation> = {
  async check(ctx, _olds, news) {
    return checkArguments(ctx, news, () => undefined, validateAnycastEipAssociation);
  },

  async diff(_ctx, _id, olds, news) {
    return diffAssociation(olds, news);
  },

  async create(ctx, inputs) {
    const op = operationOf(ctx, inputs);
    const key = keyOf(inputs);
    const id = associationId(key);
    const pops = inputs.popLocations;

    let record = await describeAnycastEip(op, key.anycastId);
    if (record === undefined || GONE_EIP_STATUSES.has(record.status)) {
      throw new Error(`cannot associate: Anycast EIP ${key.anycastId} ${record ? `is ${record.status}` : `does not exist in region ${op.region}`}`);
    }
    const existing = findBinding(record, key);
    if (existing && existing.status !== "UNBINDING") {
      // Left by an interrupted earlier run (its state was never written): take it over.
      ctx.progress(`${bindingLabel(key)} already exists (${existing.status}); taking it under management`);
    } else {
      if (transitionOf(record) !== undefined) record = await waitEipReady(op, key, `waiting for Anycast EIP ${key.anycastId} to settle before associating`);
      ctx.progress(`associating ${bindingLabel(key)}`);
      // The token `check` recorded in the inputs (and so in the checkpoint), for `recover`.
      const clientToken = ctx.createToken ?? ctx.newClientToken();
      try {
        await associateAnycastEip(op, { ...key, associationMode: inputs.associationMode, privateIpAddress: inputs.privateIpAddress, popLocations: pops }, clientToken);
      } catch (err) {
        // The last attempt may have gone through (lost response): if the binding is there, carry on.
        const after = await describeAnycastEip(op, key.anycastId).catch(() => undefined);
        if (findBinding(after, key) === undefined) throw err;
        ctx.progress(`${bindingLabel(key)}: the association went through despite ${errorText(err)}`);
      }
    }

    try {
      const { binding } = await waitBound(op, key, `waiting for ${bindingLabel(key)} to be BINDED`);
      return { id, outs: outputsOf(key, binding, inputs, op.region) };
    } catch (err) {
      const placeholder: BindingRecord = {
        instanceId: key.bindInstanceId,
        instanceType: key.bindInstanceType,
        regionId: key.bindInstanceRegionId,
        status: "BINDING",
        associationMode: inputs.associationMode ?? "",
        privateIpAddress: inputs.privateIpAddress ?? "",
        popLocations: pops ?? [],
        bindTime: "",
      };
      throw new PartialCreateError(
        `${bindingLabel(key)} was requested, but ${errorText(err)}. It is kept in the stack state: run \`pulumi up\` again to finish, or \`pulumi destroy\` to detach it`,
        id,
        plain(outputsOf(key, placeholder, inputs, op.region)),
      );
    }
  },

  async read(ctx, id, props) {
    const key = parseAssociationId(id, props);
    const op = operationOf(ctx, props);
    const record = await describeAnycastEip(op, key.anycastId);
    if (record === undefined || GONE_EIP_STATUSES.has(record.status)) return {};
    const binding = findBinding(record, key);
    if (binding === undefined || binding.status === "UNBINDING") return {};
    return { id, props: outputsOf(key, binding, props, op.region) };
  },

  async update(ctx, id, olds, news) {
    const key = parseAssociationId(id, olds);
    // The binding stays where it is (a region change replaces it); the limits are the new ones.
    const op = operationOf(ctx, { ...news, regionId: olds.regionId || news.regionId });
    if (olds.status === "BINDED" && olds.popLocations !== undefined && changedProperties(ASSOCIATION_PROPERTIES, olds, news, "cloud").length === 0) {
      // Only stored settings (limits) changed: no API call.
      return { outs: { ...localOutputs(ASSOCIATION_PROPERTIES, olds, news), regionId: op.region } };
    }
    let record = await describeAnycastEip(op, key.anycastId);
    let binding = findBinding(record, key);
    if (record === undefined || GONE_EIP_STATUSES.has(record.status) || binding === undefined || binding.status === "UNBINDING") {
      throw new Error(`${bindingLabel(key)} no longer exists; run \`pulumi refresh\` to drop it from the state, then \`pulumi up\``);
    }
    // A create that ended in a partial-create error may still be binding.
    if (binding.status !== "BINDED") ({ record, binding } = await waitBound(op, key, `waiting for ${bindingLabel(key)} to be BINDED`));

    const desired = news.popLocations;
    if (desired !== undefined && popLocationsChanged(binding, news)) {
      const add = desired.filter((p) => !binding!.popLocations.includes(p));
      const remove = binding.popLocations.filter((p) => !desired.includes(p));
      if (transitionOf(record) !== undefined) {
        await waitEipReady(op, key, `waiting for Anycast EIP ${key.anycastId} to settle before changing pop locations`);
      }
      ctx.progress(`${bindingLabel(key)}: adding pop locations [${add.join(", ")}], removing [${remove.join(", ")}]`);
      await updateAnycastEipAssociations(op, { ...key, associationMode: binding.associationMode }, { add, remove }, ctx.newClientToken());
      ({ binding } = await waitBound(op, key, `waiting for the pop location change of ${bindingLabel(key)}`));
    }
    return { outs: outputsOf(key, binding, news, op.region) };
  },

  async delete(ctx, id, props) {
    const key = parseAssociationId(id, props);
    const op = operationOf(ctx, props);
    const label = bindingLabel(key);
    // The preflight command runs this same inspection.
    const { verdict } = await inspectAssociationRelease(op, key);
    if (verdict.kind === "gone") {
      ctx.progress(`${label} is already gone`);
      return;
    }
    const { outcome } = await detachBinding(op, verdict.record, key, verdict.binding, { announce: `detaching ${label}`, privateIpAddress: props.privateIpAddress });
    ctx.progress(outcome === "detached" ? `detached ${label}` : `${label} was already gone`);
  },
};

/** AnycastEipAssociation's dynamic-provider methods, as the engine calls them (through the provider shim). */
export const anycastEipAssociationLifecycle: Lifecycle = typedLifecycle({ inputs: associationInputs, fromState: associationFromState }, typed);
