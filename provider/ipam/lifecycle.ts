/**
 * IpamPoolAllocation's lifecycle: check and diff offline; create with one ClientToken and read back;
 * delete that reads, refuses what it must not release, releases with one ClientToken, and confirms.
 */
import { adoptionRecord, adoptionWarningLabel, refuseReplacingAdopted } from "../adoption";
import { confirmationDeadline, pollUntil } from "../cloud/poll";
import { Lifecycle, PartialCreateError, TypedLifecycle, fillDefaultRegion, plain, resourceUrn, typedLifecycle } from "../lifecycle";
import { Operation, operationOf, roundRider } from "../operation";
import { changedProperties, diffByTable } from "../properties";
import { settleUnansweredRelease } from "../release-outcome";
import {
  ALLOCATION_READS,
  allocationLabel,
  createAllocation,
  deleteAllocation,
  describePoolIpVersion,
  getAllocation,
  outputsFromRecord,
  readAllocation,
  updateAllocation,
  withPoolRegionHint,
} from "./api";
import { allocationVerdict, assertAllocationReleasable, inspectAllocationRelease } from "./checks";
import { AllocationRecord, IpamPoolAllocationInputs, IpamPoolAllocationOutputs } from "./types";
import { ALLOCATION_PROPERTIES, allocationFromState, allocationInputs } from "./state";
import { cidrTextsMayOverlap } from "../cidr";
import { MAX_IPV4_MASK, validateAllocationInputs } from "./validate";

/**
 * The allocations this process adopted (see AdoptionRecord): a deliberate per-process record, so that in
 * one `pulumi up` the delete of a resource whose allocation another one adopted leaves it alone.
 */
const adoptions = adoptionRecord();

/**
 * Before a mask-based create: a cidrMask above 32 is only valid in an IPv6 pool, and the pool's version is
 * known only now. Refused here rather than by the create call (one read, no create).
 */
async function refuseIpv4MaskAbove32(op: Operation, inputs: IpamPoolAllocationInputs): Promise<void> {
  if (typeof inputs.cidrMask !== "number" || inputs.cidrMask <= MAX_IPV4_MASK) return;
  const version = await describePoolIpVersion(op, inputs.ipamPoolId);
  if (version === "IPv4") {
    throw new Error(`cidrMask: ${inputs.cidrMask} is not a prefix length of IPv4 pool ${inputs.ipamPoolId}; use 0–${MAX_IPV4_MASK} (0–128 is for IPv6 pools). Nothing was created`);
  }
}

/**
 * Polls until the allocation is gone, by `op`'s deadline. The API deletes synchronously, so the first
 * probe is immediate. The probes are reads of the coalescer: the confirmations of a destroy share List
 * calls.
 */
async function confirmAllocationGone(op: Operation, id: string, pool: string | undefined): Promise<void> {
  const what = allocationLabel(id);
  const judge = (again: AllocationRecord | undefined) => ({ done: !again, state: again?.Status });
  await pollUntil(`confirming the release of ${what}`, async () => judge(await readAllocation(op, id, pool)), {
    policy: { ...op.ctx.poll, firstDelayMs: 0 },
    deadlineAt: op.deadlineAt,
    clock: op.ctx.clock,
    onWait: (state, waited) => op.ctx.progress(`${what}: still ${state ?? "present"} after ${(waited / 1000).toFixed(1)} s; waiting`),
    // The probes are reads of the coalescer: the confirmations of a destroy share List calls.
    wait: pool ? roundRider(op, ALLOCATION_READS, id, judge, pool) : undefined,
  });
}

/** The typed implementation; {@link ipamPoolAllocationLifecycle} is what the engine calls. */
const typed: TypedLifecycle<IpamPoolAllocationInputs, IpamPoolAllocationOutputs> = {
  async check(ctx, _olds, news) {
    const failures = validateAllocationInputs(news);
    const inputs = plain(news);
    fillDefaultRegion(ctx, inputs, failures);
    return { inputs, failures };
  },

  async diff(ctx, _id, olds, news) {
    // A new block that overlaps the one we hold cannot be allocated while we hold it: release first.
    const overlapping = (replaces: string[]) => replaces.includes("cidr") && olds.cidr !== "" && typeof news.cidr === "string" && cidrTextsMayOverlap(olds.cidr, news.cidr);
    const diff = diffByTable(ALLOCATION_PROPERTIES, olds, news, overlapping);
    refuseReplacingAdopted(diff.replaces ?? [], olds.allocationId, news.adoptAllocationId, {
      label: allocationLabel(olds.allocationId),
      noun: "allocation",
      adoptProperty: "adoptAllocationId",
      cannotChange: () => "An adopted allocation cannot be changed in place",
      urn: resourceUrn(ctx, "IpamPoolAllocation"),
    });
    return diff;
  },

  async create(baseCtx, inputs) {
    const op = operationOf(baseCtx, inputs);
    const { ctx, region } = op;
    const applied = { ...inputs, regionId: region };

    if (inputs.adoptAllocationId) {
      const id = inputs.adoptAllocationId;
      const record = await getAllocation(op, id);
      if (!record) throw new Error(`adoptAllocationId: ${allocationLabel(id)} does not exist in region ${region}`);
      if (record.IpamPoolId && record.IpamPoolId !== inputs.ipamPoolId) {
        throw new Error(`adoptAllocationId: ${allocationLabel(id)} belongs to pool ${record.IpamPoolId}, not ipamPoolId ${inputs.ipamPoolId}; set ipamPoolId to ${record.IpamPoolId} or adopt another allocation`);
      }
      if (inputs.cidr && record.Cidr && inputs.cidr !== record.Cidr) {
        throw new Error(`adoptAllocationId: ${allocationLabel(id)} holds ${record.Cidr}, not cidr ${inputs.cidr}; remove cidr or set it to ${record.Cidr}`);
      }
      const warning = adoptionWarningLabel(allocationLabel(id), allocationVerdict(id, record, { ...applied, urn: resourceUrn(ctx, "IpamPoolAllocation") }, region));
      if (warning) ctx.progress(warning);
      adoptions.adopted(id);
      return { id, outs: outputsFromRecord(record, { ...applied, adoptedInRun: adoptions.mark }) };
    }

    await refuseIpv4MaskAbove32(op, inputs);
    // One token for the whole create, fixed before the retry loop: a retried create after a lost response
    // returns the allocation the first attempt made instead of making a second one. It is the one `check`
    // recorded in the inputs (and so in the checkpoint), so `recover` can send it again after a killed run.
    const clientToken = ctx.createToken ?? ctx.newClientToken();
    const created = await createAllocation(op, {
      ipamPoolId: inputs.ipamPoolId,
      cidr: inputs.cidr,
      cidrMask: inputs.cidrMask,
      name: inputs.name,
      description: inputs.description,
      clientToken,
    }).catch(async (err: unknown) => {
      throw await withPoolRegionHint(op, inputs.ipamPoolId, err);
    });
    const known: IpamPoolAllocationOutputs = {
      ...outputsFromRecord({ IpamPoolAllocationId: created.id, Cidr: created.cidr, SourceCidr: created.sourceCidr, IpamPoolId: inputs.ipamPoolId, ResourceType: "Custom", Status: "Created" }, applied),
      name: inputs.name,
      description: inputs.description,
    };
    try {
      const record = await getAllocation(op, created.id);
      if (!record) throw new Error(`${allocationLabel(created.id)} was created but cannot be read back`);
      return { id: created.id, outs: outputsFromRecord(record, applied) };
    } catch (err) {
      // The allocation exists: hand its id to the engine so it stays in state (never leaked).
      throw new PartialCreateError(`${allocationLabel(created.id)} was created, but reading it back failed: ${(err as Error).message}`, created.id, plain({ ...known }));
    }
  },

  async read(baseCtx, id, props) {
    const op = operationOf(baseCtx, props);
    // A refresh reads every resource at once: the reads of one pool share List calls (state without a
    // pool reads with Get).
    const record = await readAllocation(op, id, props.ipamPoolId || undefined);
    if (!record) return {};
    return { id, props: outputsFromRecord(record, { ...props, regionId: op.region }) };
  },

  async update(baseCtx, id, olds, news) {
    // The allocation stays where it is (a region change replaces it); the limits are the new ones.
    const op = operationOf(baseCtx, { ...news, regionId: olds.regionId });
    const applied = { ...news, adoptedInRun: olds.adoptedInRun, regionId: op.region };
    if (changedProperties(ALLOCATION_PROPERTIES, olds, news, "cloud").length > 0) {
      await updateAllocation(op, { id, name: news.name, description: news.description, clientToken: op.ctx.newClientToken() });
    }
    const record = await getAllocation(op, id);
    if (!record) throw new Error(`${allocationLabel(id)} disappeared during the update; run \`pulumi refresh\``);
    return { outs: outputsFromRecord(record, applied) };
  },

  async delete(baseCtx, id, props) {
    const op = operationOf(baseCtx, props);
    const { ctx, deadlineAt } = op;
    const what = allocationLabel(id);
    // 0. A create of this run adopted it (a replacement, or a renamed resource): it is that resource's now.
    if (adoptions.heldByAnother(id, props.adoptedInRun)) {
      ctx.progress(`${what} was adopted by another resource in this run; leaving it to that resource instead of releasing it`);
      return;
    }

    // 1. Read it: gone already is success, so destroy can be run again after any crash. (The preflight
    //    command runs this same inspection.)
    const { verdict } = await inspectAllocationRelease(op, id, { ...props, urn: resourceUrn(ctx, "IpamPoolAllocation") });
    if (verdict.kind === "gone") {
      ctx.progress(`${what} is already gone; nothing to release`);
      return;
    }
    // 2. Refuse before any delete call.
    assertAllocationReleasable(verdict);
    // 3. Release with one token for every retry; not-found means someone released it meanwhile. A release
    //    whose answer was lost is checked by a read: gone is released, still there fails with its error.
    const pool = props.ipamPoolId || undefined;
    let released: boolean;
    try {
      released = await deleteAllocation(op, { id, clientToken: ctx.newClientToken() });
    } catch (err) {
      return settleUnansweredRelease(op, err, {
        what,
        // The API deletes synchronously: an allocation is there or gone, never on its way out.
        read: async (confirm) => {
          const record = await readAllocation(confirm, id, pool);
          return record ? { kind: "present", state: record.Status || "status not reported" } : { kind: "gone" };
        },
      });
    }
    if (!released) return;
    // 4. Confirm. The release was sent, so confirming it may run a little past the deadline (see
    //    confirmationDeadline).
    await confirmAllocationGone({ ...op, deadlineAt: confirmationDeadline(ctx.clock, deadlineAt) }, id, pool);
  },
};

/** IpamPoolAllocation's dynamic-provider methods, as the engine calls them (through the provider shim). */
export const ipamPoolAllocationLifecycle: Lifecycle = typedLifecycle({ inputs: allocationInputs, fromState: allocationFromState }, typed);
