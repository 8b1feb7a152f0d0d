/**
 * The fault soak, shared by `npm run soak` (bench/soak.ts) and the reduced run in `npm test`
 * (test/integration/soak.test.ts).
 *
 * Each cycle drives the lifecycles directly (no CLI), as the provider's runtime would, through real HTTP
 * to the emulator (retry backoff: see `timing` below):
 *   - an IPAM pool allocation: create → update (rename) → delete;
 *   - an Anycast EIP and an association: create EIP → update (rename + bandwidth) → associate → detach
 *     (delete the association) → release (delete the EIP).
 * Every `refusalEvery`-th cycle deliberately hits a refusal first, then fixes it and releases:
 *   - allocation: adopts a VPC allocation (seeded) → delete is refused → `allowVpcAllocationRelease: true`
 *     → delete releases it;
 *   - EIP: someone binds a second ENI outside Pulumi → delete is refused → either they detach it, or
 *     `detachOnDelete: true` is stored (alternating) → delete releases it.
 * Meanwhile `faultRate` of ALL API calls are faulted at random from the seed, evenly over: 503 SystemBusy,
 * Throttling.User, OperationFailed.Conflict, IncorrectStatus.Anycast (Eipanycast only), connection reset,
 * read timeout (a reply delayed past the client's read timeout — committed) and lost response (committed,
 * reply dropped; on every action, so on create, associate, release and delete).
 *
 * Determinism: cycles are spread over `lanes`, each lane sequential with its own emulator, fault PRNG
 * (seeded from the seed and the lane) and a stepped emulator clock (+1 ms per reading, so transitions end
 * after a fixed number of calls, not of real milliseconds). How the client's time runs is `timing`:
 *   - "wall" (`npm run soak`, where figures are reported): real read timeouts, real backoff sleeps (base 0).
 *     A read-timeout fault holds the reply for 2 × the read timeout on a real timer, so the client really
 *     gives up; but an un-faulted call that a stalled machine answers later than the read timeout also
 *     times out (counted as `unplannedTimeouts`) and changes the calls that follow — the same seed then
 *     replays differently.
 *   - "seeded" (the reduced soak in `npm test`): no attempt's outcome races a real timer. The fault that
 *     stands for a read timeout is a `lost` reply (committed, no reply — what the client sees when it gives
 *     up on a late reply, classified and retried the same way: transient, same ClientToken), decided by the
 *     seed; the client's read timeout is far beyond any call (SEEDED_READ_TIMEOUT_MS); backoff and poll
 *     waits use the default policy on a per-lane virtual clock (sleeping advances it instantly, jitter drawn
 *     from the lane seed). The same seed, cycles and lanes make the same sequence of decisions
 *     (`decisions`) however fast or loaded the machine is.
 */
import { createHash, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { RunningEmulator, startEmulator } from "../emulator";
import type { CallRecord, FaultRuleInput } from "../emulator";
import { anycastEipAssociationLifecycle } from "../provider/anycast/association-lifecycle";
import { anycastEipAddressLifecycle } from "../provider/anycast/eip-lifecycle";
import { CloudContext, createContext, invoke } from "../provider/cloud/context";
import { mulberry32 } from "../emulator/core/faults";
import { CloudError, isRetryable } from "../provider/cloud/errors";
import { WaitTimeoutError } from "../provider/cloud/poll";
import { Clock } from "../provider/cloud/retry";
import { envSource } from "../provider/cloud/settings";
import { ipamPoolAllocationLifecycle } from "../provider/ipam/lifecycle";
import { Lifecycle, PartialCreateError, Props, ReleaseRefusedError } from "../provider/lifecycle";

const REGION = "cn-hangzhou";
const POOL_ID = "ipam-pool-soak";

export interface SoakOptions {
  cycles: number;
  seed: number;
  /** Share of all API calls faulted (default 0.2). */
  faultRate?: number;
  /** Wall timing: the client's read timeout (ALICLOUD_RELEASE_READ_TIMEOUT_MS); read-timeout faults delay replies 2× this. Default 100 ms. Ignored when seeded. */
  readTimeoutMs?: number;
  /** Independent sequential lanes (default 4). */
  lanes?: number;
  /** How the client's time runs (see the module comment). Default "wall". */
  timing?: SoakTiming;
  /** Every n-th cycle hits a refusal first (default 5; 0 = never). */
  refusalEvery?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export type SoakTiming = "wall" | "seeded";

/**
 * The client's read timeout in a seeded run: far beyond any call to a local emulator, however loaded the
 * machine, so that no real timer decides an attempt (the timeout faults are `lost` replies instead).
 */
export const SEEDED_READ_TIMEOUT_MS = 600_000;

export interface CycleFailure {
  cycle: number;
  lane: number;
  step: string;
  error: string;
}

export interface SoakReport {
  seed: number;
  cycles: number;
  lanes: number;
  faultRate: number;
  timing: SoakTiming;
  /** The client's read timeout in effect (SEEDED_READ_TIMEOUT_MS in a seeded run). */
  readTimeoutMs: number;
  durationMs: number;
  calls: number;
  faulted: number;
  /** By kind: SystemBusy, Throttling.User, OperationFailed.Conflict, IncorrectStatus.Anycast, reset, lost, readTimeout. */
  faultsByKind: Record<string, number>;
  /** Lost responses (committed, no reply) per mutating action. */
  lostByAction: Record<string, number>;
  /** Read-timeout faults (committed, reply too late) per mutating action. */
  timeoutByAction: Record<string, number>;
  /** ClientToken replays: a retried call answered with the first call's result, no second effect. */
  replays: Record<string, number>;
  /**
   * Read-timeout faults injected (replies delayed to 2 × the read timeout) and how many times the client
   * gave up (a `ReadTimeout` attempt). Fewer give-ups than injections would mean delayed replies were
   * waited out: the transport's read timeout not enforced (a regression the soak test guards).
   */
  readTimeouts: { injected: number; clientGaveUp: number };
  /** Client-observed read timeouts beyond the injected ones (machine stalls; they break exact replay). */
  unplannedTimeouts: number;
  /** Lifecycle steps re-run after their retries ran out (as a user re-runs `pulumi up` / `destroy`). */
  reruns: { cycle: number; step: string; error: string }[];
  creates: { allocations: number; eips: number; associations: number };
  /** Creates that made more than one cloud object (a ClientToken failure). Must be empty. */
  duplicates: string[];
  refusals: { expected: number; refused: number; releaseCallsWhileRefused: number; fixedAndReleased: number };
  failures: CycleFailure[];
  /** What the emulators still hold at the end. Must be empty. */
  leaks: { allocations: string[]; eips: string[] };
  /**
   * Per lane, in order: every call the emulator handled as `action fault status code [replayed]` — the
   * sequence of decisions two runs of the same seed must share.
   */
  decisions: string[][];
  /** Per lane: a short hash of `decisions`, to compare runs by eye. */
  fingerprints: string[];
  ok: boolean;
}


/** splitmix32-style mix: the lane's fault seed from the soak seed. */
export function laneSeed(seed: number, lane: number): number {
  let z = (seed + Math.imul(lane + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

type Kind = { name: string; rule: Omit<FaultRuleInput, "product" | "action" | "probability"> };

function faultKinds(readTimeoutMs: number, eipanycast: boolean, timing: SoakTiming): Kind[] {
  const kinds: Kind[] = [
    { name: "SystemBusy", rule: { kind: "error", code: "SystemBusy", status: 503 } },
    { name: "Throttling.User", rule: { kind: "error", code: "Throttling.User" } },
    { name: "OperationFailed.Conflict", rule: { kind: "error", code: "OperationFailed.Conflict" } },
  ];
  if (eipanycast) {
    kinds.push({ name: "IncorrectStatus.Anycast", rule: { kind: "error", code: "IncorrectStatus.Anycast", status: 400, message: "The status of the Anycast EIP instance does not support this operation." } });
  }
  kinds.push({ name: "reset", rule: { kind: "reset" } }, { name: "lost", rule: { kind: "lost" } });
  if (timing === "seeded") {
    // The read timeout's stand-in: committed, no reply, decided by the seed rather than by a real timer.
    kinds.push({ name: "lost (for a read timeout)", rule: { kind: "lost" } });
  } else {
    // Latency last: it does not end the evaluation, so it must only be reached when nothing else fired.
    kinds.push({ name: "readTimeout", rule: { kind: "latency", latencyMs: readTimeoutMs * 2 } });
  }
  return kinds;
}

/**
 * One rule per kind, in order, each with the probability that makes the kinds equally likely and their
 * total `rate`: the emulator evaluates rules in order and stops at the first terminal one that fires, so
 * rule i fires with probability share / (1 − i × share) given that none before it did.
 */
export function faultRules(rate: number, readTimeoutMs: number, timing: SoakTiming = "wall"): FaultRuleInput[] {
  const rules: FaultRuleInput[] = [];
  for (const product of ["VpcIpam", "Eipanycast"] as const) {
    const kinds = faultKinds(readTimeoutMs, product === "Eipanycast", timing);
    const share = rate / kinds.length;
    kinds.forEach((k, i) => rules.push({ product, action: "*", probability: share / (1 - i * share), ...k.rule }));
  }
  return rules;
}

const MUTATING = new Set([
  "CreateIpamPoolAllocation",
  "UpdateIpamPoolAllocation",
  "DeleteIpamPoolAllocation",
  "AllocateAnycastEipAddress",
  "ModifyAnycastEipAddressAttribute",
  "ModifyAnycastEipAddressSpec",
  "AssociateAnycastEipAddress",
  "UnassociateAnycastEipAddress",
  "ReleaseAnycastEipAddress",
]);

interface EmuAllocation {
  ipamPoolAllocationId: string;
  ipamPoolAllocationName?: string;
  resourceType: string;
}
interface EmuEip {
  anycastId: string;
  name: string;
  status: string;
  bandwidth: number;
  bindings: { bindInstanceId: string; status: string }[];
}

class Lane {
  readonly lines: string[] = [];
  readonly failures: CycleFailure[] = [];
  readonly reruns: SoakReport["reruns"] = [];
  readonly duplicates: string[] = [];
  readonly refusals = { expected: 0, refused: 0, releaseCallsWhileRefused: 0, fixedAndReleased: 0 };
  readonly creates = { allocations: 0, eips: 0, associations: 0 };
  private vpcBlock = 0;

  constructor(
    readonly index: number,
    readonly emu: RunningEmulator,
    readonly env: Record<string, string>,
    readonly refusalEvery: number,
    /** The client's clock; undefined = the system clock. */
    readonly clock: Clock | undefined,
  ) {}

  /** A fresh context per lifecycle call, as the runtime makes one per call; progress lines are kept. */
  ctx(): CloudContext {
    return createContext(envSource(this.env), { progress: (l) => this.lines.push(l), ...(this.clock ? { clock: this.clock } : {}) });
  }

  private inventory(): { allocations: EmuAllocation[]; eips: EmuEip[] } {
    const s = this.emu.control.state() as { vpcipam: { allocations: EmuAllocation[] }; eipanycast: { eips: EmuEip[] } };
    return { allocations: s.vpcipam.allocations, eips: s.eipanycast.eips };
  }

  private seq(): number {
    return this.emu.control.calls().at(-1)?.seq ?? 0;
  }

  private callsSince(seq: number): CallRecord[] {
    return this.emu.control.calls(seq);
  }

  /**
   * Runs a lifecycle step; when its retries ran out on retryable errors (or a wait's deadline passed), runs
   * it again — what a user does after a failed `pulumi up` / `destroy` — up to 3 times.
   */
  private async step<T>(cycle: number, name: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const rerunnable = (err instanceof CloudError && isRetryable(err)) || err instanceof WaitTimeoutError;
        if (!rerunnable || attempt >= 3) throw err;
        this.reruns.push({ cycle, step: name, error: (err as Error).message });
      }
    }
  }

  private fail(cycle: number, step: string, error: unknown): void {
    this.failures.push({ cycle, lane: this.index, step, error: error instanceof Error ? error.message : String(error) });
  }

  private check(cycle: number, step: string, ok: boolean, what: string): void {
    if (!ok) this.fail(cycle, step, new Error(what));
  }

  /** check → create, as the engine does; a PartialCreateError still puts the object in state. */
  private async create(cycle: number, name: string, lc: Lifecycle, args: Props): Promise<{ id: string; outs: Props; inputs: Props }> {
    const checked = await lc.check(this.ctx(), {}, args);
    if ((checked.failures ?? []).length > 0) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    const inputs = checked.inputs as Props;
    try {
      const r = await this.step(cycle, name, () => lc.create(this.ctx(), inputs));
      return { id: r.id, outs: r.outs as Props, inputs };
    } catch (err) {
      if (err instanceof PartialCreateError) {
        this.reruns.push({ cycle, step: `${name} (partial create, kept in state)`, error: err.message });
        return { id: err.id, outs: err.properties, inputs };
      }
      throw err;
    }
  }

  private async update(cycle: number, name: string, lc: Lifecycle, id: string, olds: Props, args: Props): Promise<Props> {
    const checked = await lc.check(this.ctx(), olds, args);
    if ((checked.failures ?? []).length > 0) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    const r = await this.step(cycle, name, () => lc.update(this.ctx(), id, olds, checked.inputs as Props));
    return r.outs as Props;
  }

  /** A delete that must be refused: the refusal, and no release call for `id` meanwhile. */
  private async refusedDelete(cycle: number, name: string, lc: Lifecycle, id: string, props: Props, releaseAction: string, idParam: string): Promise<void> {
    this.refusals.expected++;
    const before = this.seq();
    let refused = false;
    try {
      await this.step(cycle, name, () => lc.delete(this.ctx(), id, props));
    } catch (err) {
      if (err instanceof ReleaseRefusedError) refused = true;
      else throw err;
    }
    const releases = this.callsSince(before).filter((c) => c.action === releaseAction && c.params[idParam] === id).length;
    this.refusals.releaseCallsWhileRefused += releases;
    if (refused) this.refusals.refused++;
    this.check(cycle, name, refused, `${id}: the delete was not refused`);
    this.check(cycle, name, releases === 0, `${id}: ${releases} ${releaseAction} call(s) made while refusing`);
  }

  async allocationCycle(cycle: number, refusal: boolean): Promise<void> {
    const lc = ipamPoolAllocationLifecycle;
    let step = "create";
    try {
      if (refusal) {
        // A VPC's allocation, adopted; its release needs allowVpcAllocationRelease. Seeded without a name:
        // with one, storing allowVpcAllocationRelease later sends an UpdateIpamPoolAllocation (the stored
        // name differs from the undeclared one), which the API denies for VPC allocations — reported
        // separately, not what this soak is about.
        const n = this.vpcBlock++;
        const seeded = this.emu.control.seed({
          vpcipam: { allocations: [{ ipamPoolId: POOL_ID, cidr: `10.${128 + (n >> 8)}.${n & 255}.0/24`, resourceType: "VPC" }] },
        }) as { vpcipam: { ipamPoolAllocationIds: string[] } };
        const vpcId = seeded.vpcipam.ipamPoolAllocationIds[0];
        step = "adopt";
        const adopted = await this.create(cycle, step, lc, { ipamPoolId: POOL_ID, adoptAllocationId: vpcId });
        step = "refused delete";
        await this.refusedDelete(cycle, step, lc, adopted.id, adopted.outs, "DeleteIpamPoolAllocation", "IpamPoolAllocationId");
        this.check(cycle, step, this.inventory().allocations.some((a) => a.ipamPoolAllocationId === vpcId), `${vpcId} vanished although its release was refused`);
        step = "allow the release";
        const allowed = await this.update(cycle, step, lc, adopted.id, adopted.outs, { ...adopted.inputs, allowVpcAllocationRelease: true });
        step = "delete after the fix";
        await this.step(cycle, step, () => lc.delete(this.ctx(), adopted.id, allowed));
        const gone = !this.inventory().allocations.some((a) => a.ipamPoolAllocationId === vpcId);
        this.check(cycle, step, gone, `${vpcId} still exists after the delete`);
        if (gone) this.refusals.fixedAndReleased++;
      }

      step = "create";
      const name = `soak-${cycle}`;
      const before = this.seq();
      const created = await this.create(cycle, step, lc, { ipamPoolId: POOL_ID, cidrMask: 28, name });
      this.creates.allocations++;
      const named = this.inventory().allocations.filter((a) => a.ipamPoolAllocationName === name);
      const made = this.callsSince(before).filter((c) => c.action === "CreateIpamPoolAllocation" && c.mutating).length;
      if (named.length !== 1 || made !== 1) this.duplicates.push(`cycle ${cycle}: allocation ${name}: ${named.length} in the cloud, ${made} committed creates`);
      this.check(cycle, step, named.length === 1 && named[0].ipamPoolAllocationId === created.id, `allocation ${name}: expected exactly ${created.id}, found ${named.map((a) => a.ipamPoolAllocationId).join(", ") || "none"}`);

      step = "update";
      const outs = await this.update(cycle, step, lc, created.id, created.outs, { ...created.inputs, name: `${name}-v2` });
      const now = this.inventory().allocations.find((a) => a.ipamPoolAllocationId === created.id);
      this.check(cycle, step, now?.ipamPoolAllocationName === `${name}-v2` && outs.name === `${name}-v2`, `allocation ${created.id}: name is ${now?.ipamPoolAllocationName}`);

      step = "delete";
      await this.step(cycle, step, () => lc.delete(this.ctx(), created.id, outs));
      this.check(cycle, step, !this.inventory().allocations.some((a) => a.ipamPoolAllocationId === created.id), `allocation ${created.id} still exists after the delete`);
    } catch (err) {
      this.fail(cycle, `allocation ${step}`, err);
    }
  }

  async eipCycle(cycle: number, refusal: boolean): Promise<void> {
    const eipLc = anycastEipAddressLifecycle;
    const assocLc = anycastEipAssociationLifecycle;
    let step = "create EIP";
    const name = `soak-${cycle}`;
    const eipOf = (id: string) => this.inventory().eips.find((e) => e.anycastId === id);
    try {
      const before = this.seq();
      const eip = await this.create(cycle, step, eipLc, { serviceLocation: "international", bandwidth: 200, name });
      this.creates.eips++;
      const named = this.inventory().eips.filter((e) => e.name === name);
      const made = this.callsSince(before).filter((c) => c.action === "AllocateAnycastEipAddress" && c.mutating).length;
      if (named.length !== 1 || made !== 1) this.duplicates.push(`cycle ${cycle}: EIP ${name}: ${named.length} in the cloud, ${made} committed allocations`);
      this.check(cycle, step, named.length === 1 && named[0].anycastId === eip.id, `EIP ${name}: expected exactly ${eip.id}, found ${named.map((e) => e.anycastId).join(", ") || "none"}`);

      step = "update EIP";
      let eipOuts = await this.update(cycle, step, eipLc, eip.id, eip.outs, { ...eip.inputs, name: `${name}-v2`, bandwidth: 300 });
      const updated = eipOf(eip.id);
      this.check(cycle, step, updated?.name === `${name}-v2` && updated.bandwidth === 300, `EIP ${eip.id}: name ${updated?.name}, bandwidth ${updated?.bandwidth}`);

      step = "associate";
      const eni = `eni-soak${this.index}x${cycle}`;
      const assocBefore = this.seq();
      const assoc = await this.create(cycle, step, assocLc, { anycastId: eip.id, bindInstanceId: eni, bindInstanceRegionId: REGION, bindInstanceType: "NetworkInterface" });
      this.creates.associations++;
      const bound = eipOf(eip.id)?.bindings.filter((b) => b.bindInstanceId === eni) ?? [];
      const associated = this.callsSince(assocBefore).filter((c) => c.action === "AssociateAnycastEipAddress" && c.mutating).length;
      if (associated !== 1) this.duplicates.push(`cycle ${cycle}: association ${eni}: ${associated} committed associations`);
      this.check(cycle, step, bound.length === 1 && bound[0].status === "BINDED" && assoc.outs.status === "BINDED", `${eni} on ${eip.id}: ${JSON.stringify(bound)}`);

      let oob: string | undefined;
      if (refusal) {
        // Someone binds another ENI in the console.
        step = "out-of-band associate";
        oob = `eni-console${this.index}x${cycle}`;
        const token = randomUUID();
        await this.step(cycle, step, () =>
          invoke(this.ctx(), {
            operation: `associating ${oob} outside Pulumi`,
            product: "Eipanycast",
            action: "AssociateAnycastEipAddress",
            params: { AnycastId: eip.id, BindInstanceId: oob!, BindInstanceRegionId: REGION, BindInstanceType: "NetworkInterface", AssociationMode: "Normal", ClientToken: token },
            region: REGION,
          }),
        );
      }

      step = "detach (delete association)";
      await this.step(cycle, step, () => assocLc.delete(this.ctx(), assoc.id, assoc.outs));
      this.check(cycle, step, !(eipOf(eip.id)?.bindings ?? []).some((b) => b.bindInstanceId === eni), `${eni} is still bound to ${eip.id}`);

      if (refusal && oob) {
        step = "refused release";
        await this.refusedDelete(cycle, step, eipLc, eip.id, eipOuts, "ReleaseAnycastEipAddress", "AnycastId");
        this.check(cycle, step, eipOf(eip.id) !== undefined, `${eip.id} vanished although its release was refused`);
        // Alternate the two fixes: the binding is removed outside Pulumi, or detachOnDelete is stored.
        if (Math.floor(cycle / Math.max(1, this.refusalEvery)) % 2 === 0) {
          step = "out-of-band detach";
          const token = randomUUID();
          await this.step(cycle, step, () =>
            invoke(this.ctx(), {
              operation: `detaching ${oob} outside Pulumi`,
              product: "Eipanycast",
              action: "UnassociateAnycastEipAddress",
              params: { AnycastId: eip.id, BindInstanceId: oob!, BindInstanceRegionId: REGION, BindInstanceType: "NetworkInterface", ClientToken: token },
              region: REGION,
            }),
          );
        } else {
          step = "store detachOnDelete";
          eipOuts = await this.update(cycle, step, eipLc, eip.id, eipOuts, { ...eip.inputs, name: `${name}-v2`, bandwidth: 300, detachOnDelete: true });
          this.check(cycle, step, eipOuts.detachOnDelete === true, `${eip.id}: detachOnDelete not stored`);
        }
      }

      step = "release";
      await this.step(cycle, step, () => eipLc.delete(this.ctx(), eip.id, eipOuts));
      const gone = eipOf(eip.id) === undefined;
      this.check(cycle, step, gone, `EIP ${eip.id} still exists (${eipOf(eip.id)?.status}) after the delete`);
      if (refusal && gone) this.refusals.fixedAndReleased++;
    } catch (err) {
      this.fail(cycle, `EIP ${step}`, err);
    }
  }
}

/** Time that passes only when slept: waits cost nothing and no real timer decides anything. */
function virtualClock(seed: number): Clock {
  let now = Date.UTC(2026, 0, 1);
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    random: mulberry32(seed),
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const rate = options.faultRate ?? 0.2;
  const timing = options.timing ?? "wall";
  const readTimeoutMs = timing === "seeded" ? SEEDED_READ_TIMEOUT_MS : (options.readTimeoutMs ?? 100);
  const lanes = Math.max(1, Math.min(options.lanes ?? 4, options.cycles || 1));
  const refusalEvery = options.refusalEvery ?? 5;
  const log = options.log ?? (() => undefined);
  const started = performance.now();

  const laneObjs: Lane[] = [];
  try {
    for (let l = 0; l < lanes; l++) {
      let tick = Date.UTC(2026, 0, 1);
      // The emulator clock moves 1 ms per reading: transitions end after a fixed number of calls.
      const emu = await startEmulator({ port: 0, now: () => ++tick, faultSeed: laneSeed(options.seed, l) });
      emu.control.setTiming({ eipanycast: { Allocating: 4, Associating: 6, Unassociating: 6, Modifying: 4, Releasing: 6 } });
      emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: POOL_ID, regionId: REGION, cidrs: ["10.0.0.0/8"] }] } });
      for (const rule of faultRules(rate, readTimeoutMs, timing)) emu.control.addFault(rule);
      const env: Record<string, string> = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret,
        ALIBABA_CLOUD_ENDPOINT_VPCIPAM: emu.url,
        ALIBABA_CLOUD_ENDPOINT_EIPANYCAST: emu.url,
        ALIBABA_CLOUD_REGION: REGION,
        ALICLOUD_RELEASE_READ_TIMEOUT_MS: String(readTimeoutMs),
      };
      // Wall time: zero backoff keeps the run short. Seeded: the default backoff and poll policy, slept on
      // a virtual clock, so they cost nothing and every wait is the same in every run.
      if (timing === "wall") env.ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS = "0";
      const clock = timing === "seeded" ? virtualClock(laneSeed(options.seed ^ 0x7157, l)) : undefined;
      laneObjs.push(new Lane(l, emu, env, refusalEvery, clock));
    }

    let done = 0;
    await Promise.all(
      laneObjs.map(async (lane) => {
        for (let cycle = lane.index; cycle < options.cycles; cycle += lanes) {
          const refusal = refusalEvery > 0 && cycle % refusalEvery === refusalEvery - 1;
          await lane.allocationCycle(cycle, refusal);
          await lane.eipCycle(cycle, refusal);
          done++;
          if (done % 50 === 0) log(`  ${done}/${options.cycles} cycles, ${laneObjs.reduce((n, x) => n + x.failures.length, 0)} failures`);
        }
      }),
    );

    // Tally from the emulators' call logs.
    const faultsByKind: Record<string, number> = {};
    const lostByAction: Record<string, number> = {};
    const timeoutByAction: Record<string, number> = {};
    const replays: Record<string, number> = {};
    let calls = 0;
    let faulted = 0;
    let unplannedTimeouts = 0;
    const readTimeouts = { injected: 0, clientGaveUp: 0 };
    const fingerprints: string[] = [];
    const decisions: string[][] = [];
    const leaks = { allocations: [] as string[], eips: [] as string[] };
    for (const lane of laneObjs) {
      const log = lane.emu.control.calls();
      const laneDecisions = log.map((c) => `${c.action} ${c.fault ?? "-"} ${c.outcome.status} ${c.outcome.code ?? "-"}${c.replayed ? " replayed" : ""}`);
      decisions.push(laneDecisions);
      fingerprints.push(createHash("sha256").update(laneDecisions.join("\n")).digest("hex").slice(0, 16));
      for (const c of log) {
        calls++;
        if (c.fault) faulted++;
        const kind = c.fault === "error" ? (c.outcome.code ?? "error") : c.fault === "latency" ? "readTimeout" : c.fault;
        if (kind) faultsByKind[kind] = (faultsByKind[kind] ?? 0) + 1;
        if (c.action && MUTATING.has(c.action)) {
          if (c.fault === "lost") lostByAction[c.action] = (lostByAction[c.action] ?? 0) + 1;
          if (c.fault === "latency") timeoutByAction[c.action] = (timeoutByAction[c.action] ?? 0) + 1;
        }
        if (c.replayed && c.action) replays[c.action] = (replays[c.action] ?? 0) + 1;
      }
      const planned = log.filter((c) => c.fault === "latency").length;
      const observed = lane.lines.filter((l) => l.includes("(ReadTimeout")).length;
      unplannedTimeouts += Math.max(0, observed - planned);
      readTimeouts.injected += planned;
      readTimeouts.clientGaveUp += observed;
      const s = lane.emu.control.state() as { vpcipam: { allocations: EmuAllocation[] }; eipanycast: { eips: EmuEip[] } };
      leaks.allocations.push(...s.vpcipam.allocations.map((a) => `${a.ipamPoolAllocationId} (${a.ipamPoolAllocationName ?? a.resourceType}, lane ${lane.index})`));
      leaks.eips.push(...s.eipanycast.eips.map((e) => `${e.anycastId} (${e.name}, ${e.status}, lane ${lane.index})`));
    }

    const failures = laneObjs.flatMap((l) => l.failures).sort((a, b) => a.cycle - b.cycle);
    const duplicates = laneObjs.flatMap((l) => l.duplicates);
    const sum = <K extends string>(pick: (l: Lane) => Record<K, number>): Record<K, number> => {
      const out = {} as Record<K, number>;
      for (const l of laneObjs) for (const [k, v] of Object.entries(pick(l)) as [K, number][]) out[k] = (out[k] ?? 0) + v;
      return out;
    };
    const refusals = sum((l) => l.refusals);
    return {
      seed: options.seed,
      cycles: options.cycles,
      lanes,
      faultRate: rate,
      timing,
      readTimeoutMs,
      durationMs: performance.now() - started,
      calls,
      faulted,
      faultsByKind,
      lostByAction,
      timeoutByAction,
      replays,
      readTimeouts,
      unplannedTimeouts,
      reruns: laneObjs.flatMap((l) => l.reruns),
      creates: sum((l) => l.creates),
      duplicates,
      refusals,
      failures,
      leaks,
      decisions,
      fingerprints,
      ok:
        failures.length === 0 &&
        duplicates.length === 0 &&
        leaks.allocations.length + leaks.eips.length === 0 &&
        refusals.releaseCallsWhileRefused === 0 &&
        refusals.refused === refusals.expected &&
        refusals.fixedAndReleased === refusals.expected,
    };
  } finally {
    await Promise.all(laneObjs.map((l) => l.emu.close()));
  }
}

/** A human summary of a report (what `npm run soak` prints). */
export function describeSoak(r: SoakReport): string {
  const pct = (n: number, d: number) => (d === 0 ? "0 %" : `${((n / d) * 100).toFixed(1)} %`);
  const kv = (o: Record<string, number>) =>
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "none";
  const lines = [
    `soak: seed ${r.seed}, ${r.cycles} cycles × (allocation + EIP/association) over ${r.lanes} lanes, ${(r.faultRate * 100).toFixed(0)} % of calls faulted, ` +
      (r.timing === "seeded" ? "seeded timing (timeouts are lost replies, waits on a virtual clock)" : `read timeout ${r.readTimeoutMs} ms`),
    `  ${r.calls} API calls in ${(r.durationMs / 1000).toFixed(1)} s; ${r.faulted} faulted (${pct(r.faulted, r.calls)}): ${kv(r.faultsByKind)}`,
    `  lost responses on mutating calls: ${kv(r.lostByAction)}`,
    `  read-timeout faults on mutating calls: ${kv(r.timeoutByAction)}`,
    `  read-timeout faults: ${r.readTimeouts.injected} injected, the client gave up on ${r.readTimeouts.clientGaveUp}` +
      (r.readTimeouts.clientGaveUp < r.readTimeouts.injected ? " (the others were waited out: the read timeout was not enforced on them)" : ""),
    `  ClientToken replays: ${kv(r.replays)}`,
    `  created ${r.creates.allocations} allocations, ${r.creates.eips} EIPs, ${r.creates.associations} associations; duplicates: ${r.duplicates.length}`,
    `  refusals: ${r.refusals.refused}/${r.refusals.expected} refused, ${r.refusals.releaseCallsWhileRefused} release calls while refused, ${r.refusals.fixedAndReleased} fixed and released`,
    `  steps re-run after their retries ran out: ${r.reruns.length}; unplanned client timeouts: ${r.unplannedTimeouts}`,
    `  left in the cloud: ${r.leaks.allocations.length} allocations, ${r.leaks.eips.length} EIPs; failures: ${r.failures.length}`,
    `  fingerprints (per lane): ${r.fingerprints.join(" ")}`,
  ];
  for (const f of r.failures.slice(0, 20)) lines.push(`  FAILED cycle ${f.cycle} (lane ${f.lane}) ${f.step}: ${f.error}`);
  for (const d of r.duplicates.slice(0, 20)) lines.push(`  DUPLICATE ${d}`);
  for (const x of [...r.leaks.allocations, ...r.leaks.eips].slice(0, 20)) lines.push(`  LEAKED ${x}`);
  for (const x of r.reruns.slice(0, 10)) lines.push(`  re-ran cycle ${x.cycle} ${x.step}: ${x.error}`);
  const timingArgs = r.timing === "seeded" ? "--timing seeded" : `--read-timeout-ms ${r.readTimeoutMs}`;
  lines.push(`  ${r.ok ? "OK" : "FAILED"} — replay with: npm run soak -- --cycles ${r.cycles} --seed ${r.seed} --lanes ${r.lanes} ${timingArgs}`);
  return lines.join("\n");
}
