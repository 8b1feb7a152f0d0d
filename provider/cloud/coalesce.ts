/**
 * Coalesced reads: one List call answers the reads of many resources.
 *
 * All dynamic-resource operations of one `pulumi up` / `destroy` run in one provider process, and every
 * delete reads its object before the release and then polls until the release shows. Both APIs read many
 * objects in one call (ListAnycastEipAddresses with `AnycastIds.N`, ListIpamPoolAllocations with
 * `IpamPoolAllocationIds.N`), so the reads of one process are grouped by what such a call can answer:
 * the action, the region, the endpoint and the credentials (Transport.scopeKey), and for allocations the
 * pool. Reads of one group that arrive within BATCH_WINDOW_MS of the first become one List call per
 * `maxIds` ids; a read that arrives alone stays the one-object call (Describe / Get). An id the List
 * answer does not carry does not exist, as the one-object call's not-found says. The records are parsed
 * by the same parser as the one-object answer; where a listed record lacks what that answer carries
 * (BatchReader.complete), the object is read with the one-object call as well.
 *
 * Rounds. A group has at most one round in the air; reads that come meanwhile wait for the next one. When
 * a round opens, every poller of the group that is between two probes (waitForRound) is woken to ride it:
 * a probe earlier than its own schedule is never later, and it costs no call of its own. Pollers started
 * at different times so fall into the same rounds, while each keeps its own schedule (its next probe is
 * due a share of its own time waited after this one).
 *
 * Attempts, not operations, are coalesced: a read is one attempt of its caller's own retry loop, with the
 * caller's deadline, attempt limit, backoff and progress lines. A batched call that fails fails that
 * attempt of every read in it, and each caller's retry policy decides for itself. A batched call may take
 * as long as the read with the most time left allows; a read with less time gives up on its own (a read
 * timeout, like the transport's), leaving the call to the others.
 *
 * A List call refused with an error no retry can cure (a RAM policy that allows Describe but not List, an
 * answer that makes no sense) says nothing about any one object: the round reads each id with the
 * one-object call instead, and one progress line says so (for a RAM denial, with the permission that
 * would batch the reads). The refusal is remembered by the transport of every read of that round, and a
 * later round of the group with any such read skips the List call: the deletes of one destroy, whose
 * pre-delete reads share the first round, so make one denied List call per group, not one per round of
 * confirmation probes (a group is dropped between bursts, so its own memory would not last).
 *
 * The groups and those refusals are this module's deliberate per-process cache. A group is dropped as soon
 * as it has no read pending, no round in the air and no poller waiting, so none outlives the burst of
 * reads it served; its key holds a digest of the credentials, never a secret, and is shown nowhere. The
 * refusals are held weakly by transport, so they go with the contexts that saw them.
 */
import { attemptErrorLabel } from "./context";
import { CloudError, isRetryable } from "./errors";
import { permissionToGrantLabel } from "./permission";
import { ProductName } from "./products";
import { Clock } from "./retry";
import { Transport, scopeKeyOf } from "./transport";

/** How long the first read of a round waits for others before the call goes out. */
export const BATCH_WINDOW_MS = 5;

/** Where a read goes: the transport (endpoint and credentials), the region, and what else narrows a List (the pool). */
export interface ReadScope {
  readonly transport: Transport;
  readonly region: string;
  readonly partition?: string;
}

/** One call of a round: where, and how long it may wait for its answer. */
export interface ReadCall {
  readonly scope: ReadScope;
  readonly timeoutMs: number;
}

/** How one kind of object is read alone and in batches. */
export interface BatchReader<T> {
  readonly product: ProductName;
  /** `Anycast EIP`: what one object is, for progress lines. */
  readonly noun: string;
  readonly oneAction: string;
  readonly listAction: string;
  /** Most ids one List call may name. */
  readonly maxIds: number;
  /** The one-object call: the record, or undefined when the object does not exist. */
  readOne(call: ReadCall, id: string): Promise<T | undefined>;
  /** One List call for up to `maxIds` ids (its pages followed): the records listed, by id. */
  readMany(call: ReadCall, ids: readonly string[]): Promise<Map<string, T>>;
  /** Whether a listed record carries all the one-object call would; if not, the id is read with readOne too. */
  complete(record: T): boolean;
}

type Outcome<T> = { ok: true; value: T | undefined } | { ok: false; error: unknown };

interface PendingRead<T> {
  readonly scope: ReadScope;
  /** Epoch ms (real time, like the transport's read timeout) when this read gives up. */
  readonly expiresAt: number;
  readonly progress: (line: string) => void;
  settled: boolean;
  settle(outcome: Outcome<T>): void;
}

/** What a read that ran out of time gets: the transport's read-timeout error, classified the same way. */
function readTimeoutError(ms: number): Error {
  const err = new Error(`ReadTimeout(${ms})`);
  err.name = "RequestTimeoutError";
  return err;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The group keys whose List call each transport has seen refused for good (see the module comment): held
 * weakly, so a context's memory goes with it.
 */
const refusedLists = new WeakMap<Transport, Set<string>>();

/** The reads and pollers of one scope. */
class ReadGroup<T> {
  private pending = new Map<string, PendingRead<T>[]>();
  private phase: "idle" | "collecting" | "inflight" = "idle";
  private readonly wakers = new Set<() => void>();
  /** Whether a List call of the round in the air was refused for good (its reads then read one by one). */
  private roundRefused = false;

  constructor(
    private readonly reader: BatchReader<T>,
    private readonly key: string,
    private readonly drop: () => void,
  ) {}

  read(scope: ReadScope, id: string, timeoutMs: number, progress: (line: string) => void): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      const wait = Math.max(1, timeoutMs);
      const timer = setTimeout(() => pending.settle({ ok: false, error: readTimeoutError(wait) }), wait);
      const pending: PendingRead<T> = {
        scope,
        expiresAt: Date.now() + wait,
        progress,
        settled: false,
        settle(outcome) {
          if (this.settled) return;
          this.settled = true;
          clearTimeout(timer);
          if (outcome.ok) resolve(outcome.value);
          else reject(outcome.error);
        },
      };
      const reads = this.pending.get(id);
      if (reads) reads.push(pending);
      else this.pending.set(id, [pending]);
      if (this.phase === "idle") this.open();
    });
  }

  /** Resolves after `ms`, or as soon as a round opens (at once while one is collecting reads). */
  async wait(ms: number, clock: Clock): Promise<void> {
    if (ms <= 0 || this.phase === "collecting") return this.dropIfIdle();
    const abort = new AbortController();
    const woken = new Promise<void>((resolve) => {
      const wake = () => {
        abort.abort();
        resolve();
      };
      this.wakers.add(wake);
      abort.signal.addEventListener("abort", () => this.wakers.delete(wake), { once: true });
    });
    try {
      await Promise.race([clock.sleep(ms, abort.signal), woken]);
    } finally {
      abort.abort();
      this.dropIfIdle();
    }
  }

  private open(): void {
    this.phase = "collecting";
    for (const wake of [...this.wakers]) wake();
    setTimeout(() => void this.flush(), BATCH_WINDOW_MS);
  }

  private async flush(): Promise<void> {
    this.phase = "inflight";
    const round = [...this.pending].map(([id, reads]) => [id, reads.filter((r) => !r.settled)] as const).filter(([, reads]) => reads.length > 0);
    this.pending = new Map();
    const reads = round.flatMap(([, r]) => r);
    if (reads.length > 0) {
      // Any read's transport will do (one scope: same endpoint, same credentials); the call may wait as
      // long as the read with the most time left.
      const call: ReadCall = { scope: reads[0].scope, timeoutMs: Math.max(1, Math.max(...reads.map((r) => r.expiresAt)) - Date.now()) };
      const refused = reads.some((r) => refusedLists.get(r.scope.transport)?.has(this.key) === true);
      this.roundRefused = false;
      const outcomes = await this.send(call, round.map(([id]) => id), reads[0].progress, refused);
      if (refused || this.roundRefused) for (const r of reads) this.rememberRefusal(r.scope.transport);
      for (const [id, waiting] of round) for (const r of waiting) r.settle(outcomes.get(id) ?? { ok: true, value: undefined });
    }
    this.phase = "idle";
    if (this.pending.size > 0) this.open();
    else this.dropIfIdle();
  }

  private rememberRefusal(transport: Transport): void {
    let keys = refusedLists.get(transport);
    if (!keys) refusedLists.set(transport, (keys = new Set()));
    keys.add(this.key);
  }

  private async send(call: ReadCall, ids: string[], progress: (line: string) => void, refused: boolean): Promise<Map<string, Outcome<T>>> {
    const outcomes = new Map<string, Outcome<T>>();
    if (ids.length === 1 || refused) {
      await Promise.all(ids.map(async (id) => outcomes.set(id, await this.readOne(call, id))));
    } else {
      await Promise.all(chunks(ids, this.reader.maxIds).map((some) => this.sendList(call, some, outcomes, progress)));
    }
    return outcomes;
  }

  private async sendList(call: ReadCall, ids: string[], outcomes: Map<string, Outcome<T>>, progress: (line: string) => void): Promise<void> {
    let listed: Map<string, T>;
    try {
      listed = await this.reader.readMany(call, ids);
    } catch (error) {
      if (!(error instanceof CloudError) || isRetryable(error)) {
        for (const id of ids) outcomes.set(id, { ok: false, error });
        return;
      }
      if (!this.roundRefused) {
        this.roundRefused = true;
        progress(this.fallbackLine(error));
      }
      await Promise.all(ids.map(async (id) => outcomes.set(id, await this.readOne(call, id))));
      return;
    }
    await Promise.all(
      ids.map(async (id) => {
        const record = listed.get(id);
        outcomes.set(id, record === undefined || this.reader.complete(record) ? { ok: true, value: record } : await this.readOne(call, id));
      }),
    );
  }

  /**
   * `ListAnycastEipAddresses was refused (Forbidden.RAM, RequestId …: … Missing RAM permission: …); reading
   * each Anycast EIP with its own DescribeAnycastEipAddress call instead (grant eipanycast:ListAnycastEipAddresses
   * to batch these reads)`: the last part only for a permission denial.
   */
  private fallbackLine(error: CloudError): string {
    const { listAction, noun, oneAction } = this.reader;
    const grant = permissionToGrantLabel(error, listAction);
    const hint = grant ? ` (grant ${grant} to batch these reads)` : "";
    return `${listAction} was refused (${attemptErrorLabel(error)}: ${error.cloudMessage}); reading each ${noun} with its own ${oneAction} call instead${hint}`;
  }

  private async readOne(call: ReadCall, id: string): Promise<Outcome<T>> {
    try {
      return { ok: true, value: await this.reader.readOne(call, id) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private dropIfIdle(): void {
    if (this.phase === "idle" && this.pending.size === 0 && this.wakers.size === 0) this.drop();
  }
}

/** The live groups by scope key: the per-process cache. */
const groups = new Map<string, ReadGroup<unknown>>();

function groupOf<T>(reader: BatchReader<T>, scope: ReadScope): ReadGroup<T> {
  const key = `${reader.listAction}|${scope.partition ?? ""}|${scopeKeyOf(scope.transport, reader.product, scope.region)}`;
  const found = groups.get(key) as ReadGroup<T> | undefined;
  if (found) return found;
  const group: ReadGroup<T> = new ReadGroup(reader, key, () => {
    if (groups.get(key) === group) groups.delete(key);
  });
  groups.set(key, group as ReadGroup<unknown>);
  return group;
}

/**
 * One attempt at reading `id`, in the next round of its scope's group: undefined when the object does not
 * exist. Rejects with the round's error, or a read timeout once `timeoutMs` have passed.
 */
export function readCoalesced<T>(reader: BatchReader<T>, scope: ReadScope, id: string, options: { timeoutMs: number; progress: (line: string) => void }): Promise<T | undefined> {
  return groupOf(reader, scope).read(scope, id, options.timeoutMs, options.progress);
}

/** A poller's wait between two probes: `ms` on `clock`, cut short when a round of its scope's group opens. */
export function waitForRound<T>(reader: BatchReader<T>, scope: ReadScope, ms: number, clock: Clock): Promise<void> {
  return groupOf(reader, scope).wait(ms, clock);
}

/** How many groups are alive (none once every read and wait is over). */
export function liveReadGroups(): number {
  return groups.size;
}
