/**
 * The call log: one record per API call that reached the core (after parsing), rejected ones
 * included. Tests use it to prove things like "no delete call was made" and "the retries reused
 * one ClientToken and only the first one had an effect".
 */
import type { ProductName } from "./types";
import type { FaultKind } from "./faults";
import type { SignatureScheme } from "./auth";

export interface CallOutcome {
  /** HTTP status sent, or that would have been sent for a `lost` fault; 0 when nothing ran (`reset` fault). */
  readonly status: number;
  /** Error code when status ≥ 400. */
  readonly code?: string;
}

export interface CallRecord {
  /** 1, 2, 3… in the order the core finished processing the calls. */
  readonly seq: number;
  /** Emulator clock (the `now` option), epoch ms. */
  readonly time: number;
  readonly requestId: string;
  /** Null when the product could not be resolved (e.g. unknown version). */
  readonly product: ProductName | null;
  readonly action: string | null;
  readonly method: string;
  /** `V3`, `V1` (HMAC-SHA1) or null for an unsigned request. */
  readonly signature: SignatureScheme | null;
  /** The AccessKeyId the request claimed (verified only if the outcome is not an auth error). */
  readonly accessKeyId: string | null;
  /** Action parameters (query merged with form body), without protocol/signature parameters. */
  readonly params: Readonly<Record<string, string>>;
  readonly clientToken: string | null;
  readonly outcome: CallOutcome;
  /** True when the action changed the inventory: a successful, non-replayed call of a mutating action. */
  readonly mutating: boolean;
  /** The terminal fault that fired (`error`/`reset`/`lost`), else `latency` if only latency fired, else null. */
  readonly fault: FaultKind | null;
  /** True for a ClientToken replay (first body returned again, no second effect). */
  readonly replayed: boolean;
  /** Extra delay applied by latency faults (ms). */
  readonly latencyMs: number;
}

export class CallLog {
  private records: CallRecord[] = [];
  private seq = 0;

  constructor(private readonly maxRecords = 100_000) {}

  append(record: Omit<CallRecord, "seq">): CallRecord {
    const full: CallRecord = { seq: ++this.seq, ...record };
    this.records.push(full);
    if (this.records.length > this.maxRecords) this.records.splice(0, this.records.length - this.maxRecords);
    return full;
  }

  /** Records with `seq > since` (all when omitted). */
  list(since = 0): CallRecord[] {
    if (since <= 0) return [...this.records];
    // Records are in seq order: binary search would do, but logs are small enough to filter.
    return this.records.filter((r) => r.seq > since);
  }

  /** Forget the records; seq keeps increasing so `since` cursors stay valid. */
  clear(): void {
    this.records = [];
  }

  get lastSeq(): number {
    return this.seq;
  }
}
