/**
 * IpamPoolAllocation's lifecycle: check and diff offline; create with one ClientToken and read back;
 * delete that reads, refuses what it must not release, releases with one ClientToken, and confirms.
 */
import { randomUUID } from "node:crypto";
import { CloudContext } from "../cloud/context";
import { confirmationDeadline, pollUntil } from "../cloud/poll";
import { Lifecycle, PartialCreateError, Props, ReleaseRefusedError, deadlineFor, fillDefaultRegion, isUnknown, plain, providerRegionIfAny, withResourceLimits } from "../lifecycle";
import { createAllocation, deleteAllocation, describeAllocation, describePoolIpVersion, getAllocation, outputsFromRecord, updateAllocation } from "./api";
import { allocationRegion, assertAllocationReleasable, inspectAllocationRelease } from "./checks";
import { IpamPoolAllocationInputs, IpamPoolAllocationOutputs } from "./types";
import { MAX_IPV4_MASK, cidrPrefix, cidrsMayOverlap, validateAllocationInputs } from "./validate";

/** Changing any of these means a different allocation. */
const REPLACE_KEYS = ["ipamPoolId", "regionId", "adoptAllocationId"] as const;
/**
 * Changing these is an UpdateIpamPoolAllocation. Leaving one unset leaves the cloud's value alone (the
 * API cannot clear them, and an adopted allocation keeps its own name).
 */
const UPDATE_KEYS = ["name", "description"] as const;

function cloudFieldChanged(olds: Props, news: Props, key: (typeof UPDATE_KEYS)[number]): boolean {
  return news[key] !== undefined && changed(olds[key], news[key]);
}
/** Changing these only changes how the provider behaves; no API call. */
const SETTING_KEYS = ["allowVpcAllocationRelease", "timeoutSeconds", "maxAttempts"] as const;

function changed(a: unknown, b: unknown): boolean {
  return isUnknown(b) || JSON.stringify(a ?? null) !== JSON.stringify(b ?? null);
}

/** Region of the calls for stored state: the stored regionId, else the provider's (older state may lack it). */
function regionOf(ctx: CloudContext, props: Props): string {
  return allocationRegion(ctx, props);
}

/**
 * Allocation IDs adopted by a create in this provider process. All resources of one `pulumi up` go through
 * one provider process, so when a create adopts an allocation (a renamed resource adopting what the old one
 * held, or a replacement), the delete of the *other* resource in the same run finds the ID here and leaves
 * the allocation alone instead of releasing what the new resource now manages. The adopting resource's own
 * outputs carry ADOPTION_MARK (`adoptedInRun`), so its own delete still releases. Deliberately per-process:
 * a later `pulumi destroy` is a new process and releases as usual.
 */
const adoptedInThisProcess = new Set<string>();
/** Marks the outputs of an adoption made by this process (see adoptedInThisProcess). */
const ADOPTION_MARK = randomUUID();

/** Whether `props` belong to another resource than the one that adopted `id` in this process. */
function adoptedByAnotherResource(id: string, props: Props): boolean {
  return adoptedInThisProcess.has(id) && props.adoptedInRun !== ADOPTION_MARK;
}

/**
 * A replacement creates before it deletes. If the new resource adopts the very allocation this one holds,
 * the create takes it over and the delete then releases it: refuse in `diff` (preview) instead.
 */
function refuseReplacingAdopted(id: string, olds: Props, news: Props, replaces: string[]): void {
  const heldId = typeof olds.allocationId === "string" ? olds.allocationId : id;
  if (replaces.length === 0 || news.adoptAllocationId !== heldId) return;
  const what = replaces.join(", ");
  throw new ReleaseRefusedError(
    describeAllocation(heldId),
    `changing ${what} replaces the resource, and the replacement would adopt this same allocation (adoptAllocationId) and then release it`,
    `An adopted allocation cannot be changed in place: put ${what} back as it was; or, to manage it with the new settings, ` +
      "remove it from the program (its delete releases it) or from the state without releasing it (`pulumi state delete <urn>`), then adopt it again",
  );
}

/**
 * Before a mask-based create: a cidrMask above 32 is only valid in an IPv6 pool, and the pool's version is
 * known only now. Refused here rather than by the create call (one read, no create).
 */
async function refuseIpv4MaskAbove32(ctx: CloudContext, inputs: IpamPoolAllocationInputs, region: string, deadlineAt: number): Promise<void> {
  if (typeof inputs.cidrMask !== "number" || inputs.cidrMask <= MAX_IPV4_MASK) return;
  const version = await describePoolIpVersion(ctx, inputs.ipamPoolId, region, deadlineAt);
  if (version === "IPv4") {
    throw new Error(`cidrMask: ${inputs.cidrMask} is not a prefix length of IPv4 pool ${inputs.ipamPoolId}; use 0–${MAX_IPV4_MASK} (0–128 is for IPv6 pools). Nothing was created`);
  }
}

function inputsOf(props: Props): IpamPoolAllocationInputs {
  return props as unknown as IpamPoolAllocationInputs;
}

export const ipamPoolAllocationLifecycle: Lifecycle = {
  async check(ctx, _olds, news) {
    const failures = validateAllocationInputs(news);
    const inputs = plain(news);
    fillDefaultRegion(ctx, inputs, failures);
    return { inputs, failures };
  },

  async diff(ctx, id, olds, news) {
    // State from an earlier version may lack regionId: it was the provider's region then.
    const stored: Props = { ...olds, regionId: olds.regionId ?? providerRegionIfAny(ctx, olds) };
    // Dropping adoptAllocationId after adopting keeps the allocation (it is managed now); naming another one replaces.
    // Naming the allocation this resource already holds is not a change either.
    const heldId = typeof olds.allocationId === "string" ? olds.allocationId : id;
    const replaces: string[] = REPLACE_KEYS.filter((k) =>
      k === "adoptAllocationId" ? news[k] !== undefined && news[k] !== heldId && changed(stored[k], news[k]) : changed(stored[k], news[k]),
    );
    // `cidr` in the outputs is the allocated block. A mask-based allocation has no cidr input; switching
    // between an explicit CIDR and the same-sized mask of the block we hold is not a change.
    const newCidr = news.cidr;
    const newMask = news.cidrMask;
    if (newCidr !== undefined) {
      if (changed(olds.cidr, newCidr)) replaces.push("cidr");
    } else if (newMask !== undefined) {
      const heldPrefix = typeof olds.cidr === "string" ? cidrPrefix(olds.cidr) : undefined;
      if (isUnknown(newMask) || (olds.cidrMask !== undefined ? olds.cidrMask !== newMask : heldPrefix !== newMask)) replaces.push("cidrMask");
    }
    const updates = [...UPDATE_KEYS.filter((k) => cloudFieldChanged(olds, news, k)), ...SETTING_KEYS.filter((k) => changed(olds[k], news[k]))];
    refuseReplacingAdopted(id, olds, news, replaces);
    const changes = replaces.length > 0 || updates.length > 0;
    // A new block that overlaps the one we hold cannot be allocated while we hold it: release first.
    const overlapping = replaces.includes("cidr") && typeof olds.cidr === "string" && typeof newCidr === "string" && cidrsMayOverlap(olds.cidr, newCidr);
    return { changes, replaces, deleteBeforeReplace: overlapping };
  },

  async create(baseCtx, props) {
    const ctx = withResourceLimits(baseCtx, props);
    const inputs = inputsOf(props);
    const region = regionOf(ctx, props);
    const deadlineAt = deadlineFor(ctx, props);
    const applied = { ...inputs, regionId: region };

    if (inputs.adoptAllocationId) {
      const id = inputs.adoptAllocationId;
      const record = await getAllocation(ctx, id, region, deadlineAt);
      if (!record) throw new Error(`adoptAllocationId: ${describeAllocation(id)} does not exist in region ${region}`);
      if (record.IpamPoolId && record.IpamPoolId !== inputs.ipamPoolId) {
        throw new Error(`adoptAllocationId: ${describeAllocation(id)} belongs to pool ${record.IpamPoolId}, not ipamPoolId ${inputs.ipamPoolId}; set ipamPoolId to ${record.IpamPoolId} or adopt another allocation`);
      }
      if (inputs.cidr && record.Cidr && inputs.cidr !== record.Cidr) {
        throw new Error(`adoptAllocationId: ${describeAllocation(id)} holds ${record.Cidr}, not cidr ${inputs.cidr}; remove cidr or set it to ${record.Cidr}`);
      }
      adoptedInThisProcess.add(id);
      return { id, outs: plain({ ...outputsFromRecord(record, applied), adoptedInRun: ADOPTION_MARK }) };
    }

    await refuseIpv4MaskAbove32(ctx, inputs, region, deadlineAt);
    // One token for the whole create, fixed before the retry loop: a retried create after a lost response
    // returns the allocation the first attempt made instead of making a second one.
    const clientToken = ctx.newClientToken();
    const created = await createAllocation(ctx, {
      ipamPoolId: inputs.ipamPoolId,
      cidr: inputs.cidr,
      cidrMask: inputs.cidrMask,
      name: inputs.name,
      description: inputs.description,
      region,
      clientToken,
      deadlineAt,
    });
    const known: IpamPoolAllocationOutputs = {
      ...outputsFromRecord({ IpamPoolAllocationId: created.id, Cidr: created.cidr, SourceCidr: created.sourceCidr, IpamPoolId: inputs.ipamPoolId, ResourceType: "Custom", Status: "Created" }, applied),
      name: inputs.name,
      description: inputs.description,
    };
    try {
      const record = await getAllocation(ctx, created.id, region, deadlineAt);
      if (!record) throw new Error(`${describeAllocation(created.id)} was created but cannot be read back`);
      return { id: created.id, outs: plain({ ...outputsFromRecord(record, applied) }) };
    } catch (err) {
      // The allocation exists: hand its id to the engine so it stays in state (never leaked).
      throw new PartialCreateError(`${describeAllocation(created.id)} was created, but reading it back failed: ${(err as Error).message}`, created.id, plain({ ...known }));
    }
  },

  async read(baseCtx, id, props) {
    const ctx = withResourceLimits(baseCtx, props);
    const region = regionOf(ctx, props);
    const record = await getAllocation(ctx, id, region, deadlineFor(ctx, props));
    if (!record) return {};
    const outs = plain({ ...outputsFromRecord(record, { ...(props as Partial<IpamPoolAllocationOutputs>), regionId: region }), adoptedInRun: props.adoptedInRun });
    return { id, props: outs };
  },

  async update(baseCtx, id, olds, news) {
    const ctx = withResourceLimits(baseCtx, news);
    const region = regionOf(ctx, olds);
    const deadlineAt = deadlineFor(ctx, news);
    const applied = { ...inputsOf(news), regionId: region };
    if (UPDATE_KEYS.some((k) => cloudFieldChanged(olds, news, k))) {
      await updateAllocation(ctx, {
        id,
        region,
        name: news.name as string | undefined,
        description: news.description as string | undefined,
        clientToken: ctx.newClientToken(),
        deadlineAt,
      });
    }
    const record = await getAllocation(ctx, id, region, deadlineAt);
    if (!record) throw new Error(`${describeAllocation(id)} disappeared during the update; run \`pulumi refresh\``);
    return { outs: plain({ ...outputsFromRecord(record, applied), adoptedInRun: olds.adoptedInRun }) };
  },

  async delete(baseCtx, id, props) {
    const ctx = withResourceLimits(baseCtx, props);
    const deadlineAt = deadlineFor(ctx, props);
    const what = describeAllocation(id);
    // 0. A create of this run adopted it (a replacement, or a renamed resource): it is that resource's now.
    if (adoptedByAnotherResource(id, props)) {
      ctx.progress(`${what} was adopted by another resource in this run; leaving it to that resource instead of releasing it`);
      return;
    }

    // 1. Read it: gone already is success, so destroy can be run again after any crash. (The preflight
    //    command runs this same inspection.)
    const { region, verdict } = await inspectAllocationRelease(ctx, id, props, deadlineAt);
    if (verdict.verdict === "gone") {
      ctx.progress(`${what} is already gone; nothing to release`);
      return;
    }
    // 2. Refuse before any delete call.
    assertAllocationReleasable(verdict);
    // 3. Release with one token for every retry; not-found means someone released it meanwhile.
    const released = await deleteAllocation(ctx, { id, region, clientToken: ctx.newClientToken(), deadlineAt });
    if (!released) return;
    // 4. Confirm. The API deletes synchronously, so the first probe is immediate. The release was sent, so
    //    confirming it may run a little past the deadline (see confirmationDeadline).
    const confirmBy = confirmationDeadline(ctx.clock, deadlineAt);
    await pollUntil(
      `confirming the release of ${what}`,
      async () => {
        const again = await getAllocation(ctx, id, region, confirmBy);
        return { done: !again, state: again?.Status };
      },
      {
        policy: { ...ctx.poll, firstDelayMs: 0 },
        deadlineAt: confirmBy,
        clock: ctx.clock,
        onWait: (state, waited) => ctx.progress(`${what}: still ${state ?? "present"} after ${(waited / 1000).toFixed(1)} s; waiting`),
      },
    );
  },
};

