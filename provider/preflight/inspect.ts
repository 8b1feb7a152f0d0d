/**
 * The per-resource checks of the destroy preflight. Each one runs the read-only first step of that
 * resource's delete — the same exported function delete calls (`inspectAllocationRelease`,
 * `inspectEipRelease`, `inspectAssociationRelease`), with the same props (the stored outputs), the same
 * region rule and the same retry limits — and reports the verdict instead of acting on it. Nothing here
 * mutates: the only call besides Get/Describe is `DeleteIpamPoolAllocation` with `DryRun=true`.
 */
import { AnycastEipRecord, BindingKey, BindingRecord, findBinding } from "../anycast/api";
import { parseAssociationId } from "../anycast/association-lifecycle";
import { inspectAssociationRelease, inspectEipRelease, releaseVerdict } from "../anycast/checks";
import { CloudContext } from "../cloud/context";
import { CloudError, isRetryable } from "../cloud/errors";
import { stateDeleteCommandLabel } from "../identity";
import { deleteAllocation } from "../ipam/api";
import { inspectAllocationRelease } from "../ipam/checks";
import { operationOf } from "../operation";
import { deletedBefore, deleteProps, kindOf, nameOfUrn } from "./state";
import { BindingHandling, PreflightBinding, PreflightResult, StateResource } from "./types";

/** A check's finding; the caller adds the resource's identity. */
export type Finding = Pick<PreflightResult, "verdict" | "reason" | "fix" | "region" | "bindings">;

const finding = (verdict: Finding["verdict"], reason: string, region: string | null, fix: string | null = null): Finding => ({ verdict, reason, fix, region });

// ------------------------------------------------------------------------------ IpamPoolAllocation

/** Codes that say the call itself was wrong (credentials, signing, client): an error, not a prediction. */
const CALLER_ERROR_CODE = /^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|InvalidTimeStamp|InvalidSecurityToken|SignatureNonceUsed|MissingCredentials|InvalidVersion|InvalidAction|UnsupportedHTTPMethod)/;

/** Whether a DryRun delete's error is the service's answer "this release would be rejected". */
function isRejection(err: unknown): err is CloudError {
  return err instanceof CloudError && err.status !== undefined && !isRetryable(err) && !CALLER_ERROR_CODE.test(err.code);
}

/** The fix for a release the service rejects (DryRun), with the exact command for the resource's URN. */
function dryRunFix(code: string, res: StateResource): string {
  const stateDelete = stateDeleteCommandLabel({ urn: res.urn, id: res.id ?? "" });
  const dropFromState = `or, to stop managing it without releasing it, ${stateDelete}`;
  if (code === "OperationDenied.Unauthorized") {
    return `Run destroy with the credentials of the account or RAM user that may release it, ${dropFromState}`;
  }
  if (code === "ResourceNotFound.IpamPool") {
    return `Its IPAM pool no longer exists, so the allocation cannot be released through the API: drop it from the state with ${stateDelete}`;
  }
  if (/^(Forbidden|NoPermission)/.test(code)) {
    // VpcIpam's RAM code is `vpc` (docs/ram.md), so the permission is vpc:…, not vpcipam:….
    return `Grant the caller vpc:DeleteIpamPoolAllocation (the reads succeeded; only the release is denied), ${dropFromState}`;
  }
  return `Resolve what the service reports before destroying, ${dropFromState}`;
}

/**
 * IpamPoolAllocation: delete's inspection (read + allocationVerdict); when that allows the release, the
 * service is asked with `DeleteIpamPoolAllocation DryRun=true` — `DryRunOperation` means it would succeed,
 * any other answer is the reason it would not.
 */
export async function checkAllocation(base: CloudContext, res: StateResource): Promise<Finding> {
  const id = res.id ?? "";
  const props = deleteProps(res);
  const op = operationOf(base, props);
  const region = op.region;
  // The URN from the state: the fix names the same command delete's own refusal gives.
  const { verdict } = await inspectAllocationRelease(op, id, { ...props, urn: res.urn });
  if (verdict.kind === "gone") return finding("gone", `IPAM pool allocation ${id} does not exist (already released)`, region);
  if (verdict.kind === "refused") return finding("refused", verdict.reason, region, verdict.fix);
  try {
    const exists = await deleteAllocation(op, { id, dryRun: true });
    if (!exists) return finding("gone", `IPAM pool allocation ${id} does not exist (already released)`, region);
  } catch (err) {
    if (!isRejection(err)) throw err;
    const rid = err.requestId ? ` (RequestId ${err.requestId})` : "";
    return finding("refused", `the service rejects its release: DeleteIpamPoolAllocation (DryRun) answered ${err.code}: ${err.cloudMessage}${rid}`, region, dryRunFix(err.code, res));
  }
  const { ResourceType: type = "Custom", Cidr: cidr } = verdict.record;
  return finding("releasable", `${type} allocation${cidr ? ` ${cidr}` : ""}; DeleteIpamPoolAllocation DryRun: would succeed (DryRunOperation)`, region);
}

// ------------------------------------------------------------------------------- AnycastEipAssociation

/** AnycastEipAssociation: detaching is always allowed, so it is releasable unless the binding is gone. */
export async function checkAssociation(base: CloudContext, res: StateResource): Promise<Finding> {
  const props = deleteProps(res);
  const key = parseAssociationId(res.id ?? "", props);
  const op = operationOf(base, props);
  const { verdict } = await inspectAssociationRelease(op, key);
  return finding(verdict.kind, verdict.reason, op.region);
}

// ----------------------------------------------------------------------------------- AnycastEipAddress

/** An AnycastEipAssociation of the stack and whether destroy detaches it before it deletes `eip`. */
interface StackAssociation {
  res: StateResource;
  key: BindingKey;
  /** Null when destroy deletes it before the EIP; else why it does not help. */
  note: string | null;
}

function stackAssociations(eip: StateResource, anycastId: string, resources: readonly StateResource[]): StackAssociation[] {
  const out: StackAssociation[] = [];
  for (const res of resources) {
    if (kindOf(res.type) !== "AnycastEipAssociation") continue;
    let key: BindingKey;
    try {
      key = parseAssociationId(res.id ?? "", deleteProps(res));
    } catch {
      continue;
    }
    if (key.anycastId !== anycastId) continue;
    const name = `AnycastEipAssociation ${nameOfUrn(res.urn)}`;
    let note: string | null = null;
    if (res.retainOnDelete || res.external) {
      note = `${name} is not deleted by destroy (${res.retainOnDelete ? "retainOnDelete" : "external"}), so it does not detach this binding`;
    } else if (res.deletedWith) {
      note = `${name} has deletedWith, so destroy skips its delete and does not detach this binding`;
    } else if (!deletedBefore(resources, res, eip)) {
      note = `${name} does not depend on this EIP, so destroy may release the EIP before (or while) it detaches: pass the EIP's anycastId output to the association, or add dependsOn`;
    }
    out.push({ res, key, note });
  }
  return out;
}

/** The record as the EIP's delete will see it once `detached` bindings are gone. */
function afterDetaching(record: AnycastEipRecord, detached: readonly BindingRecord[]): AnycastEipRecord {
  const bindings = record.bindings.filter((b) => !detached.includes(b));
  // With no binding left at all, the EIP settles to Allocated (one still UNBINDING keeps its status).
  const left = bindings.filter((b) => b.status !== "DELETED");
  const status = left.length === 0 && (record.status === "Associated" || record.status === "Associating") ? "Allocated" : record.status;
  return { ...record, status, bindings };
}

/**
 * AnycastEipAddress: delete's inspection (describe + releaseVerdict). Bindings that an AnycastEipAssociation
 * of the same stack detaches first (destroy deletes the association before the EIP it depends on) are
 * taken away before judging, exactly as the EIP's delete will find the EIP; so is `detachOnDelete`, which
 * releaseVerdict itself honours. A verdict to wait for a transition is reported as releasable (delete waits
 * it out, then releases).
 */
export async function checkEip(base: CloudContext, res: StateResource, resources: readonly StateResource[]): Promise<Finding> {
  const anycastId = res.id ?? "";
  const props: Record<string, unknown> = { ...deleteProps(res), urn: res.urn };
  const op = operationOf(base, props);
  const { record, verdict } = await inspectEipRelease(op, anycastId, props);
  const region = op.region;
  if (verdict.kind === "gone" || record === undefined) return finding("gone", verdict.reason, region);

  const associations = stackAssociations(res, anycastId, resources);
  const detachOnDelete = props.detachOnDelete === true;
  const detachedFirst: BindingRecord[] = [];
  const bindings: PreflightBinding[] = record.bindings
    .filter((b) => b.status !== "DELETED")
    .map((b) => {
      const assoc = associations.find((a) => findBinding({ ...record, bindings: [b] }, a.key) !== undefined);
      let handling: BindingHandling;
      if (b.status === "UNBINDING") handling = "leaving";
      else if (assoc && assoc.note === null) handling = "association";
      else if (detachOnDelete) handling = "detachOnDelete";
      else handling = "blocking";
      if (handling === "association") detachedFirst.push(b);
      return {
        instanceId: b.instanceId,
        instanceType: b.instanceType,
        regionId: b.regionId,
        status: b.status,
        handling,
        associationUrn: assoc ? assoc.res.urn : null,
        note: handling === "blocking" && assoc ? assoc.note : null,
      };
    });

  const predicted = detachedFirst.length > 0 ? releaseVerdict(afterDetaching(record, detachedFirst), props) : verdict;
  const byStack = detachedFirst.length > 0 ? `after this stack's AnycastEipAssociation${detachedFirst.length === 1 ? "" : "s"} detach ${detachedFirst.map((b) => b.instanceId).join(", ")}: ` : "";
  switch (predicted.kind) {
    case "refused": {
      const notes = bindings.filter((b) => b.note !== null).map((b) => b.note);
      const reason = notes.length > 0 ? `${predicted.reason} (${notes.join("; ")})` : predicted.reason;
      return { ...finding("refused", reason, region, predicted.fix), bindings };
    }
    case "wait":
      return { ...finding("releasable", `${byStack}${predicted.reason}; delete waits for it to settle, then releases`, region), bindings };
    case "releasable":
      return { ...finding("releasable", `${byStack}${predicted.reason}`, region), bindings };
    default:
      return { ...finding("gone", predicted.reason, region), bindings };
  }
}
