/**
 * AnycastEipAssociation: one binding of an Anycast EIP to an internal CLB or an ENI. ID (Terraform's form):
 * `anycastId:bindInstanceId:bindInstanceRegionId:bindInstanceType`. Create associates (one ClientToken) and
 * waits for `BINDED`; pop locations change in place; everything else replaces (detach, then attach);
 * delete detaches (one ClientToken) and waits until the binding is gone — an EIP or binding already gone
 * is success.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Lifecycle, PartialCreateError, Props, fillDefaultRegion, isUnknown, plain, providerRegionIfAny } from "../lifecycle";
import { Operation, operationOf } from "../operation";
import {
  AnycastEipRecord,
  BindingKey,
  BindingRecord,
  associateAnycastEip,
  describeAnycastEip,
  describeBinding,
  findBinding,
  unassociateAnycastEip,
  updateAnycastEipAssociations,
  waitForEip,
} from "./api";
import { inspectAssociationRelease, TRANSITIONAL_BINDING_STATUSES, TRANSITIONAL_EIP_STATUSES } from "./checks";
import { AnycastEipAssociationOutputs } from "./types";
import { validateAnycastEipAssociation } from "./validate";

/** Properties whose change replaces the association (detach first, then attach: deleteBeforeReplace). */
export const ASSOCIATION_REPLACE_PROPERTIES = [
  "anycastId",
  "bindInstanceId",
  "bindInstanceRegionId",
  "bindInstanceType",
  "privateIpAddress",
  "associationMode",
  "regionId",
] as const;

const isSet = (v: unknown): boolean => v !== undefined && v !== null;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const numOrUndef = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const GONE_EIP_STATUSES = new Set(["Released", "Releasing"]);

/** `anycastId:bindInstanceId:bindInstanceRegionId:bindInstanceType`. */
export function associationId(key: BindingKey): string {
  return [key.anycastId, key.bindInstanceId, key.bindInstanceRegionId, key.bindInstanceType].join(":");
}

/** The binding key from the ID, else from the stored properties (older state). */
export function parseAssociationId(id: string, props: Props = {}): BindingKey {
  const parts = id.split(":");
  if (parts.length === 4 && parts.every((p) => p !== "")) {
    return { anycastId: parts[0], bindInstanceId: parts[1], bindInstanceRegionId: parts[2], bindInstanceType: parts[3] };
  }
  const key = {
    anycastId: str(props.anycastId),
    bindInstanceId: str(props.bindInstanceId),
    bindInstanceRegionId: str(props.bindInstanceRegionId),
    bindInstanceType: str(props.bindInstanceType),
  };
  if (!key.anycastId || !key.bindInstanceId || !key.bindInstanceRegionId || !key.bindInstanceType) {
    throw new Error(`AnycastEipAssociation ID "${id}" is not anycastId:bindInstanceId:bindInstanceRegionId:bindInstanceType and the state does not name the binding`);
  }
  return key as BindingKey;
}

function keyOf(props: Props): BindingKey {
  return {
    anycastId: String(props.anycastId),
    bindInstanceId: String(props.bindInstanceId),
    bindInstanceRegionId: String(props.bindInstanceRegionId),
    bindInstanceType: String(props.bindInstanceType),
  };
}

function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

function outputsOf(key: BindingKey, binding: BindingRecord, props: Props, regionId: string): AnycastEipAssociationOutputs {
  const out: AnycastEipAssociationOutputs = {
    ...key,
    privateIpAddress: binding.privateIpAddress || str(props.privateIpAddress) || "",
    associationMode: binding.associationMode || str(props.associationMode) || "",
    popLocations: binding.popLocations,
    status: binding.status,
    bindTime: binding.bindTime,
    regionId,
  };
  const timeoutSeconds = numOrUndef(props.timeoutSeconds);
  const maxAttempts = numOrUndef(props.maxAttempts);
  if (timeoutSeconds !== undefined) out.timeoutSeconds = timeoutSeconds;
  if (maxAttempts !== undefined) out.maxAttempts = maxAttempts;
  return out;
}

/** The pure diff (see ASSOCIATION_REPLACE_PROPERTIES); UNKNOWN values count as changes. */
export function diffAnycastEipAssociation(olds: Props, news: Props, defaultRegion?: string): pulumi.dynamic.DiffResult {
  const changed: string[] = [];
  const differs = (key: string, oldValue: unknown, newValue: unknown, keepWhenUnset: boolean): void => {
    if (isUnknown(newValue)) changed.push(key);
    else if (!isSet(newValue)) {
      if (!keepWhenUnset && isSet(oldValue)) changed.push(key);
    } else if (newValue !== oldValue) changed.push(key);
  };
  for (const k of ["anycastId", "bindInstanceId", "bindInstanceRegionId", "bindInstanceType"]) differs(k, olds[k], news[k], false);
  // Reported values: state without them (older versions) gives no reason to replace.
  for (const k of ["privateIpAddress", "associationMode"]) if (olds[k] !== undefined || isUnknown(news[k])) differs(k, olds[k], news[k], true);
  differs("regionId", olds.regionId ?? defaultRegion ?? news.regionId, news.regionId, true);
  const pops = news.popLocations;
  if (isUnknown(pops) || (Array.isArray(pops) && (pops.some(isUnknown) || !sameSet(pops, Array.isArray(olds.popLocations) ? olds.popLocations : [])))) {
    changed.push("popLocations");
  }
  differs("timeoutSeconds", olds.timeoutSeconds, news.timeoutSeconds, false);
  differs("maxAttempts", olds.maxAttempts, news.maxAttempts, false);
  const replaces = changed.filter((k) => (ASSOCIATION_REPLACE_PROPERTIES as readonly string[]).includes(k));
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
}

/** Waits until the EIP accepts a change (not mid-transition); fails if the EIP is gone. */
async function waitEipReady(op: Operation, key: BindingKey, what: string): Promise<AnycastEipRecord> {
  const record = await waitForEip(op, what, key.anycastId, (r) => {
    if (r === undefined || GONE_EIP_STATUSES.has(r.status)) return { done: false, fail: `Anycast EIP ${key.anycastId} does not exist (${r?.status ?? "not found"})` };
    const moving = r.bindings.find((b) => TRANSITIONAL_BINDING_STATUSES.has(b.status));
    if (TRANSITIONAL_EIP_STATUSES.has(r.status)) return { done: false, state: r.status };
    if (moving) return { done: false, state: `binding ${moving.instanceId} ${moving.status}` };
    return { done: true };
  });
  return record!;
}

/** Waits until the binding is `BINDED`; fails if the EIP or the binding disappears. */
async function waitBound(op: Operation, key: BindingKey, what: string): Promise<{ record: AnycastEipRecord; binding: BindingRecord }> {
  const record = await waitForEip(op, what, key.anycastId, (r) => {
    if (r === undefined || GONE_EIP_STATUSES.has(r.status)) return { done: false, fail: `Anycast EIP ${key.anycastId} disappeared (${r?.status ?? "not found"})` };
    const b = findBinding(r, key);
    if (b === undefined) return { done: false, state: "not listed yet" };
    if (b.status === "UNBINDING") return { done: false, fail: `${describeBinding(key)} is being detached (UNBINDING)` };
    return { done: b.status === "BINDED", state: b.status };
  });
  return { record: record!, binding: findBinding(record, key)! };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const anycastEipAssociationLifecycle: Lifecycle = {
  async check(ctx, _olds, news) {
    const inputs: Props = {};
    for (const [k, v] of Object.entries(news)) if (v !== undefined && v !== null && k !== "__provider") inputs[k] = v;
    const failures = validateAnycastEipAssociation(inputs);
    fillDefaultRegion(ctx, inputs, failures);
    return { inputs, failures };
  },

  async diff(ctx, _id, olds, news) {
    return diffAnycastEipAssociation(olds, news, (olds.regionId === undefined ? providerRegionIfAny(ctx) : undefined));
  },

  async create(ctx, inputs) {
    const op = operationOf(ctx, inputs);
    const key = keyOf(inputs);
    const id = associationId(key);
    const pops = Array.isArray(inputs.popLocations) ? (inputs.popLocations as string[]) : undefined;

    let record = await describeAnycastEip(op, key.anycastId);
    if (record === undefined || GONE_EIP_STATUSES.has(record.status)) {
      throw new Error(`cannot associate: Anycast EIP ${key.anycastId} ${record ? `is ${record.status}` : `does not exist in region ${op.region}`}`);
    }
    const existing = findBinding(record, key);
    if (existing && existing.status !== "UNBINDING") {
      // Left by an interrupted earlier run (its state was never written): take it over.
      ctx.progress(`${describeBinding(key)} already exists (${existing.status}); taking it under management`);
    } else {
      const busy = TRANSITIONAL_EIP_STATUSES.has(record.status) || record.bindings.some((b) => TRANSITIONAL_BINDING_STATUSES.has(b.status));
      if (busy) record = await waitEipReady(op, key, `waiting for Anycast EIP ${key.anycastId} to settle before associating`);
      ctx.progress(`associating ${describeBinding(key)}`);
      const clientToken = ctx.newClientToken();
      try {
        await associateAnycastEip(op, { ...key, associationMode: str(inputs.associationMode), privateIpAddress: str(inputs.privateIpAddress), popLocations: pops }, clientToken);
      } catch (err) {
        // The last attempt may have gone through (lost response): if the binding is there, carry on.
        const after = await describeAnycastEip(op, key.anycastId).catch(() => undefined);
        if (findBinding(after, key) === undefined) throw err;
        ctx.progress(`${describeBinding(key)}: the association went through despite ${errorText(err)}`);
      }
    }

    try {
      const { binding } = await waitBound(op, key, `waiting for ${describeBinding(key)} to be BINDED`);
      return { id, outs: plain({ ...outputsOf(key, binding, inputs, op.region) }) };
    } catch (err) {
      const placeholder: BindingRecord = {
        instanceId: key.bindInstanceId,
        instanceType: key.bindInstanceType,
        regionId: key.bindInstanceRegionId,
        status: "BINDING",
        associationMode: str(inputs.associationMode) ?? "",
        privateIpAddress: str(inputs.privateIpAddress) ?? "",
        popLocations: pops ?? [],
        bindTime: "",
      };
      throw new PartialCreateError(
        `${describeBinding(key)} was requested, but ${errorText(err)}. It is kept in the stack state: run \`pulumi up\` again to finish, or \`pulumi destroy\` to detach it`,
        id,
        plain({ ...outputsOf(key, placeholder, inputs, op.region) }),
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
    return { id, props: plain({ ...outputsOf(key, binding, props, op.region) }) };
  },

  async update(ctx, id, olds, news) {
    const key = parseAssociationId(id, olds);
    const wanted = Array.isArray(news.popLocations) ? (news.popLocations as string[]) : undefined;
    const oldPops = Array.isArray(olds.popLocations) ? olds.popLocations : undefined;
    // The binding stays where it is (a region change replaces it); the limits are the new ones.
    const op = operationOf(ctx, { ...news, regionId: str(olds.regionId) ?? news.regionId });
    if (olds.status === "BINDED" && oldPops !== undefined && (wanted === undefined || sameSet(wanted, oldPops))) {
      // Only stored settings (limits) changed: no API call.
      const outs: Props = { ...olds, regionId: op.region };
      for (const k of ["timeoutSeconds", "maxAttempts"] as const) outs[k] = numOrUndef(news[k]);
      return { outs: plain(outs) };
    }
    let record = await describeAnycastEip(op, key.anycastId);
    let binding = findBinding(record, key);
    if (record === undefined || GONE_EIP_STATUSES.has(record.status) || binding === undefined || binding.status === "UNBINDING") {
      throw new Error(`${describeBinding(key)} no longer exists; run \`pulumi refresh\` to drop it from the state, then \`pulumi up\``);
    }
    // A create that ended in a partial-create error may still be binding.
    if (binding.status !== "BINDED") ({ record, binding } = await waitBound(op, key, `waiting for ${describeBinding(key)} to be BINDED`));

    const desired = Array.isArray(news.popLocations) ? (news.popLocations as string[]) : undefined;
    if (desired !== undefined && !sameSet(desired, binding.popLocations)) {
      const add = desired.filter((p) => !binding!.popLocations.includes(p));
      const remove = binding.popLocations.filter((p) => !desired.includes(p));
      if (TRANSITIONAL_EIP_STATUSES.has(record.status) || record.bindings.some((b) => TRANSITIONAL_BINDING_STATUSES.has(b.status))) {
        await waitEipReady(op, key, `waiting for Anycast EIP ${key.anycastId} to settle before changing pop locations`);
      }
      ctx.progress(`${describeBinding(key)}: adding pop locations [${add.join(", ")}], removing [${remove.join(", ")}]`);
      await updateAnycastEipAssociations(op, { ...key, associationMode: binding.associationMode }, { add, remove }, ctx.newClientToken());
      ({ binding } = await waitBound(op, key, `waiting for the pop location change of ${describeBinding(key)}`));
    }
    return { outs: plain({ ...outputsOf(key, binding, news, op.region) }) };
  },

  async delete(ctx, id, props) {
    const key = parseAssociationId(id, props);
    const op = operationOf(ctx, props);
    // The preflight command runs this same inspection.
    const { verdict } = await inspectAssociationRelease(op, key);
    if (verdict.kind === "gone") {
      ctx.progress(`${describeBinding(key)} is already gone`);
      return;
    }
    const record = verdict.record;
    let binding: BindingRecord | undefined = verdict.binding;
    if (binding.status !== "UNBINDING") {
      const busy = TRANSITIONAL_EIP_STATUSES.has(record.status) || record.bindings.some((b) => TRANSITIONAL_BINDING_STATUSES.has(b.status));
      if (busy) {
        const ready = await waitForEip(op, `waiting for Anycast EIP ${key.anycastId} to settle before detaching`, key.anycastId, (r) => {
          const b = findBinding(r, key);
          if (r === undefined || b === undefined || b.status === "UNBINDING") return { done: true };
          if (TRANSITIONAL_EIP_STATUSES.has(r.status)) return { done: false, state: r.status };
          const moving = r.bindings.find((x) => TRANSITIONAL_BINDING_STATUSES.has(x.status));
          return moving ? { done: false, state: `binding ${moving.instanceId} ${moving.status}` } : { done: true };
        });
        binding = findBinding(ready, key);
        if (ready === undefined || binding === undefined) {
          ctx.progress(`${describeBinding(key)} is already gone`);
          return;
        }
      }
      if (binding.status !== "UNBINDING") {
        ctx.progress(`detaching ${describeBinding(key)}`);
        const privateIpAddress = key.bindInstanceType === "NetworkInterface" ? (str(props.privateIpAddress) ?? (binding.privateIpAddress || undefined)) : undefined;
        const accepted = await unassociateAnycastEip(op, { ...key, privateIpAddress }, ctx.newClientToken());
        if (!accepted) {
          ctx.progress(`${describeBinding(key)} was already gone`);
          return;
        }
      }
    }
    await waitForEip(op, `waiting for ${describeBinding(key)} to be detached`, key.anycastId, (r) => {
      const b = findBinding(r, key);
      return { done: b === undefined, state: b?.status };
    });
    ctx.progress(`detached ${describeBinding(key)}`);
  },
};
