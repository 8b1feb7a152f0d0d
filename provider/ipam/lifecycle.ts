/**
 * IpamPoolAllocation's lifecycle: check and diff offline; create with one ClientToken and read back;
 * delete that reads, refuses what it must not release, releases with one ClientToken, and confirms.
 */
import { pollUntil } from "../cloud/poll";
import { Lifecycle, PartialCreateError, TypedLifecycle, fillDefaultRegion, plain, typedLifecycle } from "../lifecycle";
import { operationOf } from "../operation";
import { changedProperties, diffByTable } from "../properties";
import { createAllocation, deleteAllocation, allocationLabel, getAllocation, outputsFromRecord, updateAllocation } from "./api";
import { assertAllocationReleasable, inspectAllocationRelease } from "./checks";
import { IpamPoolAllocationInputs, IpamPoolAllocationOutputs } from "./types";
import { ALLOCATION_PROPERTIES, allocationFromState, allocationInputs } from "./state";
import { cidrsMayOverlap, validateAllocationInputs } from "./validate";

/** The typed implementation; {@link ipamPoolAllocationLifecycle} is what the engine calls. */
const typed: TypedLifecycle<IpamPoolAllocationInputs, IpamPoolAllocationOutputs> = {
  async check(ctx, _olds, news) {
    const failures = validateAllocationInputs(news);
    const inputs = plain(news);
    fillDefaultRegion(ctx, inputs, failures);
    return { inputs, failures };
  },

  async diff(_ctx, _id, olds, news) {
    // A new block that overlaps the one we hold cannot be allocated while we hold it: release first.
    const overlapping = (replaces: string[]) => replaces.includes("cidr") && olds.cidr !== "" && typeof news.cidr === "string" && cidrsMayOverlap(olds.cidr, news.cidr);
    return diffByTable(ALLOCATION_PROPERTIES, olds, news, overlapping);
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
      return { id, outs: outputsFromRecord(record, applied) };
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
      if (!record) throw new Error(`${allocationLabel(created.id)} was created but cannot be read back`);
      return { id: created.id, outs: outputsFromRecord(record, applied) };
    } catch (err) {
      // The allocation exists: hand its id to the engine so it stays in state (never leaked).
      throw new PartialCreateError(`${allocationLabel(created.id)} was created, but reading it back failed: ${(err as Error).message}`, created.id, plain({ ...known }));
    }
  },

  async read(baseCtx, id, props) {
    const op = operationOf(baseCtx, props);
    const record = await getAllocation(op, id);
    if (!record) return {};
    return { id, props: outputsFromRecord(record, { ...props, regionId: op.region }) };
  },

  async update(baseCtx, id, olds, news) {
    // The allocation stays where it is (a region change replaces it); the limits are the new ones.
    const op = operationOf(baseCtx, { ...news, regionId: olds.regionId });
    const applied = { ...news, regionId: op.region };
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

    // 1. Read it: gone already is success, so destroy can be run again after any crash. (The preflight
    //    command runs this same inspection.)
    const { verdict } = await inspectAllocationRelease(op, id, props);
    if (verdict.kind === "gone") {
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

export const ipamPoolAllocationLifecycle: Lifecycle = typedLifecycle({ inputs: allocationInputs, fromState: allocationFromState }, typed);
