/**
 * The reference poller: how the Terraform Alibaba provider waits for a release. Its deletes build a
 * `resource.StateChangeConf` with `BuildStateConf(…, delay = 5 s, …)`, which sets `MinTimeout: 3 s`;
 * the SDK's `WaitForState` sleeps `Delay`, refreshes at once, then doubles a wait that starts at 100 ms,
 * clamped to [MinTimeout, 10 s]: probes at 5 s, 8 s, 14 s, 24 s, 34 s… after the release call.
 *
 * Used side by side with our delete over the same emulator: same pre-read and the same release call
 * under the same retry policy, only the confirmation schedule differs.
 */
import { describeAnycastEip, releaseAnycastEip } from "../provider/anycast/api";
import { CloudContext } from "../provider/cloud/context";
import { Operation } from "../provider/operation";
import { deleteAllocation, getAllocation } from "../provider/ipam/api";

export const REFERENCE_SCHEDULE = { delayMs: 5000, minTimeoutMs: 3000, maxWaitMs: 10_000 } as const;

/** The delay before each probe, in ms: 5000 (the first probe right after `Delay`), then 3000, 6000, 10000, 10000… */
export function* referenceDelays(schedule = REFERENCE_SCHEDULE): Generator<number, never, unknown> {
  yield schedule.delayMs;
  // WaitForState: `wait` starts at 0 (first refresh right after Delay), becomes 100 ms, then doubles after
  // every refresh and is clamped to [MinTimeout, 10 s].
  let wait = 100;
  for (;;) {
    wait *= 2;
    wait = Math.min(schedule.maxWaitMs, Math.max(schedule.minTimeoutMs, wait));
    yield wait;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Probes on the reference schedule until `gone()` says so; returns the number of probes. */
export async function referenceWait(gone: () => Promise<boolean>, deadlineAt: number): Promise<number> {
  let probes = 0;
  for (const delay of referenceDelays()) {
    if (Date.now() + delay > deadlineAt) throw new Error(`reference poller: still not gone after ${probes} probes (deadline)`);
    await sleep(delay);
    probes++;
    if (await gone()) return probes;
  }
  throw new Error("unreachable");
}

/** Reference delete of an Anycast EIP: read, release (retry policy, one token), then wait on the reference schedule. */
export async function referenceReleaseEip(ctx: CloudContext, anycastId: string, region: string): Promise<void> {
  const op: Operation = { ctx, region, deadlineAt: Date.now() + 300_000 };
  const record = await describeAnycastEip(op, anycastId);
  if (record === undefined) return;
  const outcome = await releaseAnycastEip(op, anycastId, ctx.newClientToken());
  if (outcome === "notFound") return;
  await referenceWait(async () => {
    const r = await describeAnycastEip(op, anycastId);
    return r === undefined || r.status === "Released";
  }, op.deadlineAt);
}

/** Reference delete of an IPAM pool allocation: read, delete, then wait on the reference schedule. */
export async function referenceReleaseAllocation(ctx: CloudContext, id: string, region: string): Promise<void> {
  const op: Operation = { ctx, region, deadlineAt: Date.now() + 300_000 };
  const record = await getAllocation(op, id);
  if (record === undefined) return;
  const released = await deleteAllocation(op, { id, clientToken: ctx.newClientToken() });
  if (!released) return;
  await referenceWait(async () => (await getAllocation(op, id)) === undefined, op.deadlineAt);
}
