/**
 * The pre-release checks of an Anycast EIP, as pure functions over a Describe record. `delete` calls
 * `assertReleasable` with the record it just read; a preflight command can call the very same code to
 * say, before anything is destroyed, whether a release would go ahead.
 */
import { stateDeleteCommandLabel } from "../identity";
import { ReleaseRefusedError } from "../lifecycle";
import { Operation } from "../operation";
import { AnycastEipRecord, bindingOutput, BindingKey, BindingRecord, describeAnycastEip, findBinding, readAnycastEip } from "./api";
import { AnycastEipBinding } from "./types";

/** EIP statuses that end by themselves; a delete waits them out (bounded by its deadline). */
export const TRANSITIONAL_EIP_STATUSES: ReadonlySet<string> = new Set(["Allocating", "Associating", "Unassociating", "Modifying", "Releasing"]);
/** Binding statuses that end by themselves. */
export const TRANSITIONAL_BINDING_STATUSES: ReadonlySet<string> = new Set(["BINDING", "UNBINDING", "MODIFYING"]);
/** Binding statuses of a binding on its way out (not counted as "associated"). */
export const LEAVING_BINDING_STATUSES: ReadonlySet<string> = new Set(["UNBINDING", "DELETED"]);

/** What the EIP is in the middle of — its status, or `binding <id> <status>` — or undefined when it accepts a change. */
export function transitionOf(record: AnycastEipRecord): string | undefined {
  if (TRANSITIONAL_EIP_STATUSES.has(record.status)) return record.status;
  const moving = record.bindings.find((b) => TRANSITIONAL_BINDING_STATUSES.has(b.status));
  return moving ? `binding ${moving.instanceId} ${moving.status}` : undefined;
}

/** What the pre-release checks decided about an Anycast EIP (see {@link releaseVerdict}). */
export type ReleaseVerdict =
  /** Nothing to release: the EIP does not exist or is `Released`. */
  | { kind: "gone"; reason: string }
  /** A release may be sent now — after detaching `detach` (non-empty only with `detachOnDelete`). */
  | { kind: "releasable"; reason: string; detach: AnycastEipBinding[] }
  /** Mid-transition (`state`): check again shortly. */
  | { kind: "wait"; reason: string; state: string }
  /** Releasing is refused; `reason` and `fix` are for the user; no release call may be made. */
  | { kind: "refused"; resource: string; reason: string; fix: string; bindings: AnycastEipBinding[] };

/** What the checks read from a resource's stored properties (older state may lack fields). */
export interface ReleaseOptions {
  detachOnDelete?: unknown;
  /**
   * The resource's URN, for the exact `pulumi state delete` command in a fix: computed from the stored
   * identity by delete, read from the state by preflight; undefined for state from earlier versions.
   */
  urn?: string;
}

/** `Anycast EIP aeip-… (1.2.3.4, "name")` — how refusals name the EIP. */
export function eipLabel(record: Pick<AnycastEipRecord, "anycastId" | "ipAddress" | "name">): string {
  const extras = [record.ipAddress, record.name ? `"${record.name}"` : ""].filter((s) => s !== "");
  return `Anycast EIP ${record.anycastId}${extras.length > 0 ? ` (${extras.join(", ")})` : ""}`;
}

/** `eni-1 (NetworkInterface in cn-hangzhou)`, plus the status when it is not `BINDED`. */
export function bindingShortLabel(b: AnycastEipBinding): string {
  const status = b.status && b.status !== "BINDED" ? `, ${b.status}` : "";
  return `${b.instanceId} (${b.instanceType} in ${b.regionId}${status})`;
}

function activeBindings(record: AnycastEipRecord): BindingRecord[] {
  return record.bindings.filter((b) => !LEAVING_BINDING_STATUSES.has(b.status));
}

/**
 * Whether the EIP may be released now, in the order delete applies the rules:
 * gone → service-managed (refused) → associated (refused, or detach first with `detachOnDelete`) →
 * mid-transition (wait) → releasable.
 */
export function releaseVerdict(record: AnycastEipRecord | undefined, props: ReleaseOptions): ReleaseVerdict {
  if (record === undefined) return { kind: "gone", reason: "the EIP does not exist (already released)" };
  if (record.status === "Released") return { kind: "gone", reason: `${record.anycastId} is already Released` };
  const resource = eipLabel(record);

  if (record.serviceManaged) {
    return {
      kind: "refused",
      resource,
      reason: "it is managed by an Alibaba Cloud service (ServiceManaged=1), and a managed EIP cannot be released by its owner",
      fix: `Release it through the Alibaba Cloud service that manages it. To stop managing it in this stack without releasing it, remove it from the state with ${stateDeleteCommandLabel({ urn: props.urn, id: record.anycastId })}.`,
      bindings: record.bindings.filter((b) => b.status !== "DELETED").map(bindingOutput),
    };
  }

  const active = activeBindings(record);
  if (active.length > 0) {
    const detachOnDelete = props.detachOnDelete === true;
    if (!detachOnDelete) {
      const n = active.length;
      return {
        kind: "refused",
        resource,
        reason: `it is still associated with ${n} instance${n === 1 ? "" : "s"}: ${active.map(bindingShortLabel).join(", ")}`,
        fix:
          "Either remove the AnycastEipAssociation resource(s) for these instances from the program (Pulumi then detaches them before it releases the EIP; detach any binding made outside Pulumi yourself), " +
          "or set `detachOnDelete: true` on this AnycastEipAddress and run `pulumi up` so the setting is stored, then delete again: the EIP is then detached from every instance and released.",
        bindings: active.map(bindingOutput),
      };
    }
    const moving = active.find((b) => TRANSITIONAL_BINDING_STATUSES.has(b.status));
    if (TRANSITIONAL_EIP_STATUSES.has(record.status) || moving) {
      const state = moving ? `binding ${moving.instanceId} ${moving.status}` : record.status;
      return { kind: "wait", reason: `${resource} is ${state}; detaching once it settles`, state };
    }
    return { kind: "releasable", reason: `detachOnDelete: detaching ${active.map(bindingShortLabel).join(", ")}, then releasing`, detach: active.map(bindingOutput) };
  }

  if (TRANSITIONAL_EIP_STATUSES.has(record.status)) {
    return { kind: "wait", reason: `${resource} is ${record.status}`, state: record.status };
  }
  const leaving = record.bindings.find((b) => b.status === "UNBINDING");
  if (leaving) {
    const state = `binding ${leaving.instanceId} UNBINDING`;
    return { kind: "wait", reason: `${resource}: ${state}`, state };
  }
  if (record.status === "Associated") {
    // Associated with no binding left: the status has not caught up yet.
    return { kind: "wait", reason: `${resource} is still Associated although no binding is listed`, state: "Associated" };
  }
  return { kind: "releasable", reason: `${resource} is ${record.status || "in an unreported status"} with no bindings`, detach: [] };
}

/** A refusal of an Anycast EIP release, carrying the bindings that caused it (if any). */
export class AnycastReleaseRefusedError extends ReleaseRefusedError {
  constructor(
    resource: string,
    reason: string,
    fix: string,
    readonly bindings: AnycastEipBinding[],
  ) {
    super(resource, reason, fix);
  }
}

/** The verdict, unless it is a refusal: then throws (a ReleaseRefusedError naming the EIP, the reason and the fix). */
export function assertReleasable(record: AnycastEipRecord | undefined, props: ReleaseOptions): Exclude<ReleaseVerdict, { kind: "refused" }> {
  return throwIfRefused(releaseVerdict(record, props));
}

/** A verdict already reached, unless it is a refusal: then throws, as {@link assertReleasable}. */
export function throwIfRefused(verdict: ReleaseVerdict): Exclude<ReleaseVerdict, { kind: "refused" }> {
  if (verdict.kind === "refused") throw new AnycastReleaseRefusedError(verdict.resource, verdict.reason, verdict.fix, verdict.bindings);
  return verdict;
}

/**
 * The read-only first step of an AnycastEipAddress delete: read the EIP (through the read coalescer: a
 * destroy's pre-delete reads share List calls) and judge it. `delete` acts on the verdict (and keeps
 * re-judging while it waits or detaches); the preflight command reports it.
 */
export async function inspectEipRelease(
  op: Operation,
  anycastId: string,
  props: ReleaseOptions,
): Promise<{ record: AnycastEipRecord | undefined; verdict: ReleaseVerdict }> {
  const record = await readAnycastEip(op, anycastId);
  return { record, verdict: releaseVerdict(record, props) };
}

export type DetachVerdict =
  /** Nothing to detach: the EIP is gone/Released or the binding is not listed. */
  | { kind: "gone"; reason: string }
  /** Detaching is always allowed (it may first wait for a transition to settle). */
  | { kind: "releasable"; reason: string; record: AnycastEipRecord; binding: BindingRecord };

/** Whether an AnycastEipAssociation's delete has anything to detach. */
export function detachVerdict(record: AnycastEipRecord | undefined, key: BindingKey): DetachVerdict {
  const binding = findBinding(record, key);
  if (record === undefined || record.status === "Released" || binding === undefined) {
    const why = record === undefined ? "the EIP does not exist" : record.status === "Released" ? "the EIP is Released" : "the EIP lists no such binding";
    return { kind: "gone", reason: `${key.bindInstanceId} is not bound to Anycast EIP ${key.anycastId} (${why})` };
  }
  const state = binding.status === "UNBINDING" ? "already being detached (UNBINDING)" : `bound (${binding.status || "status not reported"}); delete detaches it`;
  return { kind: "releasable", reason: `${bindingShortLabel(binding)} is ${state}`, record, binding };
}

/**
 * The read-only first step of an AnycastEipAssociation delete: describe the EIP, find the binding. Always a
 * Describe: a List item does not carry a binding's status.
 */
export async function inspectAssociationRelease(op: Operation, key: BindingKey): Promise<{ record: AnycastEipRecord | undefined; verdict: DetachVerdict }> {
  const record = await describeAnycastEip(op, key.anycastId);
  return { record, verdict: detachVerdict(record, key) };
}
