/**
 * Everything one lifecycle call needs to talk to the cloud, built at call time from the settings source
 * (Pulumi config + env). Nothing here lives longer than the call: no module-level state.
 */
import { randomUUID } from "node:crypto";
import { CloudError } from "./errors";
import { DEFAULT_PACE_POLICY, PacePolicy, pacedTransport } from "./pacing";
import { DEFAULT_POLL_POLICY, PollPolicy } from "./poll";
import { Clock, DEFAULT_RETRY_POLICY, FailedAttempt, RetryPolicy, systemClock, withRetry } from "./retry";
import { SettingsError, SettingsSource, lookup, resolveBackoffBaseMs, resolveRegion } from "./settings";
import { CallParams, SignedTransport, Transport } from "./transport";
import { ProductName } from "./products";
import type { ResourceIdentity } from "../identity";

/** Everything one lifecycle call needs to talk to the cloud; built per call by {@link createContext}. */
export interface CloudContext {
  readonly transport: Transport;
  readonly retry: RetryPolicy;
  readonly poll: PollPolicy;
  readonly clock: Clock;
  /** The provider's region when a resource does not name one. */
  region(explicit?: string): string;
  /** One idempotency token per logical operation; every retry of that operation reuses it. */
  newClientToken(): string;
  /** Progress lines (retries, waits) shown in `pulumi up` / `pulumi destroy` output. */
  progress(line: string): void;
  /** The Pulumi resource the call is for, when its state or inputs carry one (see provider/identity.ts). */
  readonly resource?: ResourceIdentity;
  /**
   * Whether reads that can be batched go through the process's read coalescer (coalesce.ts); false
   * reads each object with its own call and polls on its own schedule only. Unset means true.
   */
  readonly batchReads?: boolean;
  /** A create's ClientToken as `check` recorded it in the inputs (see provider/create-token.ts). */
  readonly createToken?: string;
}

/** What tests, the bench and the demo replace in a context; the provider itself overrides nothing. */
export interface ContextOverrides {
  transport?: Transport;
  retry?: Partial<RetryPolicy>;
  poll?: Partial<PollPolicy>;
  clock?: Clock;
  /** Where progress lines go instead of stderr. */
  progress?: (line: string) => void;
  batchReads?: boolean;
  /** The pacing of throttled actions (pacing.ts); false turns it off. Off by default with a zero backoff base. */
  pace?: Partial<PacePolicy> | false;
}

/** The package's own config key that turns batched reads on or off. */
export const BATCH_READS_CONFIG_KEY = "alicloud-release:batchReads";
/** The environment fallback of {@link BATCH_READS_CONFIG_KEY}. */
export const BATCH_READS_ENV = "ALICLOUD_RELEASE_BATCH_READS";

/** `alicloud-release:batchReads` / env ALICLOUD_RELEASE_BATCH_READS: `true` (the default) or `false`. */
export function resolveBatchReads(source: SettingsSource): boolean {
  const found = lookup(source, [BATCH_READS_CONFIG_KEY], [BATCH_READS_ENV]);
  if (!found) return true;
  const v = found.value.trim().toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw new SettingsError(`${found.from} is "${found.value}"; expected true (batch reads into List calls, the default) or false (one Describe/Get per read)`);
}

/**
 * Writes to stderr: the dynamic-provider host forwards the plugin's stderr to the CLI's diagnostics.
 * A progress line is never worth failing for: once the CLI is gone stderr is a broken pipe, and the line
 * is dropped (the process exits on that error; see exitWhenEngineIsGone in runtime.ts).
 */
export function stderrProgress(line: string): void {
  if (process.stderr.destroyed || !process.stderr.writable) return;
  try {
    process.stderr.write(`${line}\n`, () => undefined);
  } catch {
    // a synchronous failure of the same kind
  }
}

/** The context of one lifecycle call, from the provider's settings (Pulumi config and environment). */
export function createContext(source: SettingsSource, overrides: ContextOverrides = {}): CloudContext {
  const base = resolveBackoffBaseMs(source, DEFAULT_RETRY_POLICY.baseDelayMs);
  // A zero base (tests, the emulator demo) makes the retry backoff zero and the poll intervals tiny: the
  // first probe is immediate, later ones 5 ms apart so a held transition does not spin a core.
  const pollScale = base === 0 ? { firstDelayMs: 0, minIntervalMs: 5, maxIntervalMs: 5 } : {};
  // Credentials are resolved on the first call, so offline steps (check, diff) need none.
  let signed: SignedTransport | undefined;
  const unpaced: Transport = overrides.transport ?? {
    call: (product, action, params, options) => (signed ??= new SignedTransport(source)).call(product, action, params, options),
    scopeKey: (product, region) => (signed ??= new SignedTransport(source)).scopeKey(product, region),
  };
  const clock = overrides.clock ?? systemClock;
  // A zero base means "never wait between attempts" (tests, the demo): a paced slot is such a wait.
  const pace = overrides.pace ?? (base === 0 ? false : {});
  return {
    transport: pace === false ? unpaced : pacedTransport(unpaced, clock, { ...DEFAULT_PACE_POLICY, ...pace }),
    retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: base, ...overrides.retry },
    poll: { ...DEFAULT_POLL_POLICY, ...pollScale, ...overrides.poll },
    clock,
    region: (explicit) => resolveRegion(source, explicit),
    newClientToken: () => randomUUID(),
    progress: overrides.progress ?? stderrProgress,
    batchReads: overrides.batchReads ?? resolveBatchReads(source),
  };
}

/** The progress line for one failed attempt, e.g. `releasing Anycast EIP aeip-1: attempt 2 failed (SystemBusy, RequestId …); retrying in 0.4 s`. */
export function failedAttemptLabel(info: FailedAttempt): string {
  const paced = info.error.pacedPerSecond;
  const next =
    info.nextDelayMs === undefined
      ? "giving up"
      : paced !== undefined && info.nextDelayMs === 0
        ? `retrying in turn (the action is paced at ${paced.toFixed(1)} calls/s in this process)`
        : `retrying in ${Math.round(info.nextDelayMs / 100) / 10} s`;
  return `${info.operation}: attempt ${info.attempt} failed (${attemptErrorLabel(info.error)}); ${next}`;
}

/** `SystemBusy, RequestId 5C1D…` — how a progress line names a failed attempt's error. */
export function attemptErrorLabel(error: CloudError): string {
  return error.requestId ? `${error.code}, RequestId ${error.requestId}` : error.code;
}

/** One logical cloud operation, for {@link invoke}. */
export interface Invocation {
  /** What the user is told we were doing, e.g. `releasing Anycast EIP aeip-1`. */
  operation: string;
  product: ProductName;
  action: string;
  params: CallParams;
  region: string;
  method?: "GET" | "POST";
  /** Overall deadline (epoch ms) shared by every step of a lifecycle call. */
  deadlineAt?: number;
  /** Error codes the caller retries itself (after its own checks); the retry policy leaves them alone. */
  handledByCaller?: readonly string[];
}

/**
 * One logical cloud operation under the retry policy. Callers pass any ClientToken inside `params`, so
 * every attempt sends the same one.
 */
export function invoke(ctx: CloudContext, inv: Invocation): Promise<Record<string, unknown>> {
  // Each attempt waits for its answer no longer than the time left, so no call outlives the deadline.
  return invokeAttempts(ctx, inv, (remainingMs) =>
    ctx.transport.call(inv.product, inv.action, inv.params, { region: inv.region, method: inv.method, timeoutMs: remainingMs }),
  );
}

/**
 * One logical operation under the retry policy whose attempts are `attempt` (given the time left before
 * the deadline), with the progress line per failed attempt; `invoke` is this for one API call.
 */
export function invokeAttempts<T>(
  ctx: CloudContext,
  inv: Pick<Invocation, "operation" | "deadlineAt" | "handledByCaller">,
  attempt: (remainingMs: number) => Promise<T>,
): Promise<T> {
  return withRetry(inv.operation, (_attempt, remainingMs) => attempt(remainingMs), ctx.retry, {
    clock: ctx.clock,
    deadlineAt: inv.deadlineAt,
    handledByCaller: inv.handledByCaller,
    onFailedAttempt: (info) => ctx.progress(failedAttemptLabel(info)),
  });
}
