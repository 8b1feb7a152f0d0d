/**
 * IpamPoolAllocation's lifecycle: check and diff offline; create with one ClientToken and read back;
 * delete that reads, refuses what it must not release, releases with one ClientToken, and confirms.
 */
import { pollUntil } from "../cloud/poll";
import { Lifecycle, PartialCreateError, Props, fillDefaultRegion, isUnknown, plain, providerRegionIfAny } from "../lifecycle";
import { operationOf } from "../operation";
import { createAllocation, deleteAllocation, describeAllocation, getAllocation, outputsFromRecord, updateAllocation } from "./api";
import { assertAllocationReleasable, inspectAllocationRelease } from "./checks";
import { IpamPoolAllocationInputs, IpamPoolAllocationOutputs } from "./types";
import { cidrPrefix, cidrsMayOverlap, validateAllocationInputs } from "./validate";

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

  async diff(ctx, _id, olds, news) {
    // State from an earlier version may lack regionId: it was the provider's region then.
    const stored: Props = { ...olds, regionId: olds.regionId ?? providerRegionIfAny(ctx, olds) };
    // Dropping adoptAllocationId after adopting keeps the allocation (it is managed now); naming another one replaces.
    const replaces: string[] = REPLACE_KEYS.filter((k) => (k === "adoptAllocationId" && news[k] === undefined ? false : changed(stored[k], news[k])));
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
    const changes = replaces.length > 0 || updates.length > 0;
    // A new block that overlaps the one we hold cannot be allocated while we hold it: release first.
    const overlapping = replaces.includes("cidr") && typeof olds.cidr === "string" && typeof newCidr === "string" && cidrsMayOverlap(olds.cidr, newCidr);
    return { changes, replaces, deleteBeforeReplace: overlapping };
  },

  async create(baseCtx, props) {
    const op = operationOf(baseCtx, props);
    const { ctx, region } = op;
    const inputs = inputsOf(props);
    const applied = { ...inputs, regionId: region };

    if (inputs.adoptAllocationId) {
      const id = inputs.adoptAllocationId;
      const record = await getAllocation(op, id);
      if (!record) throw new Error(`adoptAllocationId: ${describeAllocation(id)} does not exist in region ${region}`);
      if (record.IpamPoolId && record.IpamPoolId !== inputs.ipamPoolId) {
        throw new Error(`adoptAllocationId: ${describeAllocation(id)} belongs to pool ${record.IpamPoolId}, not ipamPoolId ${inputs.ipamPoolId}; set ipamPoolId to ${record.IpamPoolId} or adopt another allocation`);
      }
      if (inputs.cidr && record.Cidr && inputs.cidr !== record.Cidr) {
        throw new Error(`adoptAllocationId: ${describeAllocation(id)} holds ${record.Cidr}, not cidr ${inputs.cidr}; remove cidr or set it to ${record.Cidr}`);
      }
      return { id, outs: plain({ ...outputsFromRecord(record, applied) }) };
    }

    // One token for the whole create, fixed before the retry loop: a retried create after a lost response
    // returns the allocation the first attempt made instead of making a second one.
    const clientToken = ctx.newClientToken();
    const created = await createAllocation(op, {
      ipamPoolId: inputs.ipamPoolId,
      cidr: inputs.cidr,
      cidrMask: inputs.cidrMask,
      name: inputs.name,
      description: inputs.description,
      clientToken,
    });
    const known: IpamPoolAllocationOutputs = {
      ...outputsFromRecord({ IpamPoolAllocationId: created.id, Cidr: created.cidr, SourceCidr: created.sourceCidr, IpamPoolId: inputs.ipamPoolId, ResourceType: "Custom", Status: "Created" }, applied),
      name: inputs.name,
      description: inputs.description,
    };
    try {
      const record = await getAllocation(op, created.id);
      if (!record) throw new Error(`${describeAllocation(created.id)} was created but cannot be read back`);
      return { id: created.id, outs: plain({ ...outputsFromRecord(record, applied) }) };
    } catch (err) {
      // The allocation exists: hand its id to the engine so it stays in state (never leaked).
      throw new PartialCreateError(`${describeAllocation(created.id)} was created, but reading it back failed: ${(err as Error).message}`, created.id, plain({ ...known }));
    }
  },

  async read(baseCtx, id, props) {
    const op = operationOf(baseCtx, props);
    const record = await getAllocation(op, id);
    if (!record) return {};
    const outs = plain({ ...outputsFromRecord(record, { ...(props as Partial<IpamPoolAllocationOutputs>), regionId: op.region }) });
    return { id, props: outs };
  },

  async update(baseCtx, id, olds, news) {
    // The allocation stays where it is (a region change replaces it); the limits are the new ones.
    const op = operationOf(baseCtx, { ...news, regionId: olds.regionId });
    const applied = { ...inputsOf(news), regionId: op.region };
    if (UPDATE_KEYS.some((k) => cloudFieldChanged(olds, news, k))) {
      await updateAllocation(op, {
        id,
        name: news.name as string | undefined,
        description: news.description as string | undefined,
        clientToken: op.ctx.newClientToken(),
      });
    }
    const record = await getAllocation(op, id);
    if (!record) throw new Error(`${describeAllocation(id)} disappeared during the update; run \`pulumi refresh\``);
    return { outs: plain({ ...outputsFromRecord(record, applied) }) };
  },

  async delete(baseCtx, id, props) {
    const op = operationOf(baseCtx, props);
    const { ctx, deadlineAt } = op;
    const what = describeAllocation(id);

    // 1. Read it: gone already is success, so destroy can be run again after any crash. (The preflight
    //    command runs this same inspection.)
    const { verdict } = await inspectAllocationRelease(op, id, props);
    if (verdict.verdict === "gone") {
      ctx.progress(`${what} is already gone; nothing to release`);
      return;
    }
    // 2. Refuse before any delete call.
    assertAllocationReleasable(verdict);
    // 3. Release with one token for every retry; not-found means someone released it meanwhile.
    const released = await deleteAllocation(op, { id, clientToken: ctx.newClientToken() });
    if (!released) return;
    // 4. Confirm. The API deletes synchronously, so the first probe is immediate.
    await pollUntil(
      `confirming the release of ${what}`,
      async () => {
        const again = await getAllocation(op, id);
        return { done: !again, state: again?.Status };
      },
      {
        policy: { ...ctx.poll, firstDelayMs: 0 },
        deadlineAt,
        clock: ctx.clock,
        onWait: (state, waited) => ctx.progress(`${what}: still ${state ?? "present"} after ${(waited / 1000).toFixed(1)} s; waiting`),
      },
    );
  },
};

