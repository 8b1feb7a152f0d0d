/**
 * The operation context of one engine call (create, read, update, delete, or a preflight check): the
 * CloudContext with the resource's retry limits applied, the region every call goes to, and the one
 * deadline every call and wait of the step shares. Built once, where the engine call enters a resource's
 * lifecycle, and passed down unchanged to the API layer — like a handler context in an SDK middleware
 * stack — so no layer below works out a region or a deadline again.
 */
import { BatchReader, ReadScope, readCoalesced, waitForRound } from "./cloud/coalesce";
import { CloudContext, Invocation, invoke, invokeAttempts } from "./cloud/context";
import { CloudError } from "./cloud/errors";
import { decideRetry } from "./cloud/retry";

/** One engine call's context for the API layer: see the module comment. */
export interface Operation {
  /** The context, with the resource's `maxAttempts` applied. */
  readonly ctx: CloudContext;
  /** The region whose endpoint answers every call of this operation. */
  readonly region: string;
  /** Epoch ms by which every call and wait of this operation must be done. */
  readonly deadlineAt: number;
}

/** The settings of a resource an operation reads; any may be missing from state written by earlier versions. */
export interface OperationSettings {
  regionId?: unknown;
  timeoutSeconds?: unknown;
  maxAttempts?: unknown;
}

/** Default timeout (s) for a create/update/delete and its waits, overridable per resource. */
export const DEFAULT_TIMEOUT_SECONDS = 300;

/**
 * The operation for a resource's settings: its `regionId` (else the provider's region: state from earlier
 * versions may lack it), its `timeoutSeconds` (else 300) from now, and its `maxAttempts` (else the
 * provider's). Throws SettingsError when no region is set anywhere.
 */
export function operationOf(ctx: CloudContext, settings: OperationSettings): Operation {
  const region = typeof settings.regionId === "string" && settings.regionId !== "" ? settings.regionId : ctx.region();
  const t = settings.timeoutSeconds;
  const seconds = typeof t === "number" && t > 0 ? t : DEFAULT_TIMEOUT_SECONDS;
  const a = settings.maxAttempts;
  const limited = typeof a === "number" && a >= 1 ? { ...ctx, retry: { ...ctx.retry, maxAttempts: Math.floor(a) } } : ctx;
  return { ctx: limited, region, deadlineAt: ctx.clock.now() + seconds * 1000 };
}

/** One cloud call of the operation: its region and deadline filled in. */
export function callIn(op: Operation, inv: Omit<Invocation, "region" | "deadlineAt">): Promise<Record<string, unknown>> {
  return invoke(op.ctx, { ...inv, region: op.region, deadlineAt: op.deadlineAt });
}

/** Where the operation's reads of one kind go; `partition` narrows a List further (the IPAM pool). */
function readScope(op: Operation, partition?: string): ReadScope {
  return { transport: op.ctx.transport, region: op.region, partition };
}

/**
 * Reads one object as an operation of `op`, under the retry policy: each attempt rides the next round of
 * the process's read coalescer (batched with other reads of the same scope into one List call), or, with
 * `batchReads` off, is the one-object call. Undefined when the object does not exist.
 */
export function readIn<T>(op: Operation, operation: string, reader: BatchReader<T>, id: string, partition?: string): Promise<T | undefined> {
  const scope = readScope(op, partition);
  return invokeAttempts(op.ctx, { operation, deadlineAt: op.deadlineAt }, (timeoutMs) =>
    op.ctx.batchReads === false ? reader.readOne({ scope, timeoutMs }, id) : readCoalesced(reader, scope, id, { timeoutMs, progress: op.ctx.progress }),
  );
}

/**
 * The wait between two probes of a poll of one object (pollUntil's `wait`), with batched reads on: the
 * object is read in every round of reads of its scope that goes out meanwhile (waitForRound), and the
 * first such record, judged as a probe's would be, ends the wait early. Undefined (the clock's sleep)
 * with `batchReads` off.
 */
export function roundRider<T, R>(op: Operation, reader: BatchReader<T>, id: string, judge: (record: T | undefined) => R, partition?: string): ((ms: number) => Promise<R | undefined>) | undefined {
  if (op.ctx.batchReads === false) return undefined;
  const scope = readScope(op, partition);
  return async (ms) => {
    const ride = { id, timeoutMs: op.deadlineAt - op.ctx.clock.now(), progress: op.ctx.progress };
    const answer = await waitForRound(reader, scope, ms, op.ctx.clock, ride);
    return answer === undefined ? undefined : judge(answer.record);
  };
}

/**
 * For a step that retries a call itself, after its own checks (a release round, a modify without a
 * ClientToken): the retry policy's answer after `attempts` failed attempts — the delay before the next
 * one, or undefined to stop. `maxAttempts` caps the attempts below the resource's limit where given.
 */
export function callerRetryDelay(op: Operation, error: CloudError, attempts: number, maxAttempts = op.ctx.retry.maxAttempts): number | undefined {
  const state = { error, counted: attempts, throttled: 0, finalAttemptMade: false, remainingMs: op.deadlineAt - op.ctx.clock.now() };
  const decision = decideRetry(state, { ...op.ctx.retry, maxAttempts }, op.ctx.clock.random);
  return decision.retry ? decision.delayMs : undefined;
}
