/**
 * The call log: one record per API call that reached the core (after parsing), rejected ones
 * included. Tests use it to prove things like "no delete call was made" and "the retries reused
 * one ClientToken and only the first one had an effect".
 */
import type { ProductName } from "./types";
import type { FaultKind } from "./faults";
import type { SignatureScheme } from "./auth";

/** How a logged call ended. */
export interface CallOutcome {
  /** HTTP status sent, or that would have been sent for a `lost` fault; 0 when nothing ran (`reset` fault). */
  readonly status: number;
  /** Error code when status ≥ 400. */
  readonly code?: string;
}

/** One entry of the emulator's call log (`GET /_emulator/calls`, `control.calls()`). */
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
  /**
   * Action parameters (query merged with form body), without protocol/signature parameters.
   * Values longer than 1 KiB are cut (`…[truncated N chars]`); past 16 KiB of parameters the
   * rest are replaced by one `…` entry saying how many were left out.
   */
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

/** Longest parameter value kept in a record. */
export const MAX_LOGGED_VALUE_CHARS = 1024;
/** Budget for one record's parameters (names and values). */
export const MAX_LOGGED_PARAMS_CHARS = 16 * 1024;
/** Default byte budget of the whole log. */
export const DEFAULT_CALL_LOG_MAX_BYTES = 16 * 1024 * 1024;
/** Fixed part of a record (ids, outcome, flags) counted against the budget. */
const RECORD_OVERHEAD_BYTES = 512;

/**
 * What the log keeps of a call's parameters. Any caller — signed or not — can send up to the
 * body limit, so keeping parameters verbatim would let a loop of large requests grow the
 * process without bound (and make `GET /_emulator/calls` too big to serialize).
 */
export function truncateParams(params: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  let used = 0;
  const keys = Object.keys(params);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = params[k];
    const value = v.length > MAX_LOGGED_VALUE_CHARS ? `${v.slice(0, MAX_LOGGED_VALUE_CHARS)}…[truncated ${v.length - MAX_LOGGED_VALUE_CHARS} chars]` : v;
    const name = k.slice(0, MAX_LOGGED_VALUE_CHARS);
    if (used + name.length + value.length > MAX_LOGGED_PARAMS_CHARS) {
      out["…"] = `${keys.length - i} more parameters not logged`;
      break;
    }
    out[name] = value;
    used += name.length + value.length;
  }
  return out;
}

function recordBytes(r: CallRecord): number {
  let n = RECORD_OVERHEAD_BYTES;
  for (const [k, v] of Object.entries(r.params)) n += 2 * (k.length + v.length);
  return n;
}

export class CallLog {
  private records: CallRecord[] = [];
  private bytes = 0;
  private seq = 0;

  /** Keeps at most `maxRecords` records and about `maxBytes` bytes of them; the oldest go first. */
  constructor(
    private readonly maxRecords = 100_000,
    private readonly maxBytes = DEFAULT_CALL_LOG_MAX_BYTES,
  ) {}

  append(record: Omit<CallRecord, "seq">): CallRecord {
    const full: CallRecord = { seq: ++this.seq, ...record, params: truncateParams(record.params) };
    this.records.push(full);
    this.bytes += recordBytes(full);
    let drop = 0;
    while (this.records.length - drop > 1 && (this.records.length - drop > this.maxRecords || this.bytes > this.maxBytes)) {
      this.bytes -= recordBytes(this.records[drop]);
      drop++;
    }
    if (drop > 0) this.records.splice(0, drop);
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
    this.bytes = 0;
  }

  get lastSeq(): number {
    return this.seq;
  }
}
