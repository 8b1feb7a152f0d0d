/**
 * The pre-delete checks of an IPAM pool allocation, as pure functions over the allocation's record and
 * the stored outputs. `delete` and the preflight command both call them, so they cannot disagree.
 */
import { stateDeleteCommandLabel } from "../identity";
import { ReleaseRefusedError } from "../lifecycle";
import { Operation } from "../operation";
import { allocationLabel, readAllocation } from "./api";
import { AllocationRecord } from "./types";

/** What the pre-delete checks decided about an allocation (see {@link allocationVerdict}). */
export type AllocationVerdict =
  | { kind: "gone"; id: string }
  | { kind: "releasable"; id: string; record: AllocationRecord }
  | { kind: "refused"; id: string; record: AllocationRecord; reason: string; fix: string };

/** What delete needs from state; every field is optional so state from earlier versions still works. */
export interface AllocationReleaseProps {
  regionId?: string;
  /** The pool: with it, the pre-delete read can share a List call with other reads of the pool. */
  ipamPoolId?: string;
  adoptAllocationId?: string;
  allowVpcAllocationRelease?: boolean;
  /**
   * The resource's URN, for the exact `pulumi state delete` command in a fix: computed from the stored
   * identity by delete, read from the state by preflight; undefined for state from earlier versions.
   */
  urn?: string;
}

/** Whether an allocation may be released: gone, releasable (a Custom allocation in the pool's region, or an adopted IPv4 VPC one with `allowVpcAllocationRelease`), or refused with the reason and the fix. */
export function allocationVerdict(id: string, record: AllocationRecord | undefined, props: AllocationReleaseProps, requestRegion: string): AllocationVerdict {
  if (!record) return { kind: "gone", id };
  const type = record.ResourceType ?? "Custom";
  const owner = record.ResourceId ? ` ${record.ResourceId}` : "";
  const ipv6 = (record.Cidr ?? "").includes(":");
  const refuse = (reason: string, fix: string): AllocationVerdict => ({ kind: "refused", id, record, reason, fix });
  const stateDelete = stateDeleteCommandLabel({ urn: props.urn, id });
  const dropFromState = `or, to stop managing it without releasing it, ${stateDelete}`;

  const poolRegion = record.RegionId || record.ResourceRegionId;
  if (poolRegion && poolRegion !== requestRegion) {
    return refuse(
      `its pool is in region ${poolRegion} but the release would be requested in ${requestRegion} (the API refuses it with OperationDenied.RequestRegionInvalid)`,
      // Changing regionId replaces the resource, and the replacement's delete would be refused the same
      // way; re-adopting under the right region is what works.
      `Take it out of the state without releasing it (${stateDelete}), then adopt it again with adoptAllocationId: "${id}" and regionId: "${poolRegion}" (destroy then releases it in its own region); or release it in ${poolRegion} yourself and then take it out of the state the same way`,
    );
  }
  if (type === "Custom") return { kind: "releasable", id, record };
  if (type === "VPC") {
    if (ipv6) {
      return refuse(
        `it is the IPv6 CIDR ${record.Cidr} of VPC${owner}, and IPv6 VPC allocations cannot be released through the API (OperationDenied.Ipv6VpcNotSupport)`,
        `It goes away with the VPC: delete or detach the VPC's IPv6 CIDR${owner ? ` on${owner}` : ""}, ${dropFromState}`,
      );
    }
    if (props.adoptAllocationId && props.allowVpcAllocationRelease === true) return { kind: "releasable", id, record };
    return refuse(
      `it is a VPC allocation owned by VPC${owner} (CIDR ${record.Cidr}); releasing it frees the live VPC's reservation`,
      props.adoptAllocationId
        ? `If that is intended, set allowVpcAllocationRelease: true and run \`pulumi up\` first; otherwise delete the VPC${owner} (its allocation goes with it), ${dropFromState}`
        : `Delete the VPC${owner} (its allocation goes with it), ${dropFromState}`,
    );
  }
  if (type === "IpamPool") {
    return refuse(
      `it is the CIDR ${record.Cidr} of sub-pool${owner}; only Custom allocations can be released (OperationDenied.ResourceTypeIsNotCustom)`,
      `Delete the sub-pool${owner} or deprovision its CIDR, ${dropFromState}`,
    );
  }
  return refuse(
    `it has resource type ${type}, which this provider does not release`,
    `Release it where ${type} resources are managed, ${dropFromState}`,
  );
}

/** Throws ReleaseRefusedError unless the verdict allows the release (gone counts as allowed). */
export function assertAllocationReleasable(v: AllocationVerdict): void {
  if (v.kind === "refused") throw new ReleaseRefusedError(allocationLabel(v.id), v.reason, v.fix);
}

/** What the pre-delete read found: the record (undefined when gone) and the verdict. */
export interface AllocationInspection {
  record: AllocationRecord | undefined;
  verdict: AllocationVerdict;
}

/**
 * The read-only first half of delete: read the allocation in the operation's region (through the read
 * coalescer: a destroy's pre-delete reads of one pool share List calls), judge it. `delete` acts on the
 * verdict; the preflight command reports it (then asks the service with DryRun).
 */
export async function inspectAllocationRelease(op: Operation, id: string, props: AllocationReleaseProps): Promise<AllocationInspection> {
  const record = await readAllocation(op, id, props.ipamPoolId || undefined);
  return { record, verdict: allocationVerdict(id, record, props, op.region) };
}
