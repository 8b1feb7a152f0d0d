/**
 * Everything one lifecycle call needs to talk to the cloud, built at call time from the settings source
 * (Pulumi config + env). Nothing here lives longer than the call: no module-level state.
 */
import { randomUUID } from "node:crypto";
import { CloudError } from "./errors";
import { DEFAULT_POLL_POLICY, PollPolicy } from "./poll";
import { Clock, DEFAULT_RETRY_POLICY, FailedAttempt, RetryPolicy, systemClock, withRetry } from "./retry";
import { SettingsSource, resolveBackoffBaseMs, resolveRegion } from "./settings";
import { CallParams, SignedTransport, Transport } from "./transport";
import { ProductName } from "./products";
import type { ResourceIdentity } from "../identity";

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
  /** A create's ClientToken as `check` recorded it in the inputs (see provider/create-token.ts). */
  readonly createToken?: string;
}

export interface ContextOverrides {
  transport?: Transport;
  retry?: Partial<RetryPolicy>;
  poll?: Partial<PollPolicy>;
  clock?: Clock;
  progress?: (line: string) => void;
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

export function createContext(source: SettingsSource, overrides: ContextOverrides = {}): CloudContext {
  const base = resolveBackoffBaseMs(source, DEFAULT_RETRY_POLICY.baseDelayMs);
  // A zero base (tests, the emulator demo) makes the retry backoff zero and the poll intervals tiny: the
  // first probe is immediate, later ones 5 ms apart so a held transition does not spin a core.
  const pollScale = base === 0 ? { firstDelayMs: 0, minIntervalMs: 5, maxIntervalMs: 5 } : {};
  // Credentials are resolved on the first call, so offline steps (check, diff) need none.
  let signed: Transport | undefined;
  const transport: Transport = overrides.transport ?? {
    call: (product, action, params, options) => (signed ??= new SignedTransport(source)).call(product, action, params, options),
  };
  return {
    transport,
    retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: base, ...overrides.retry },
    poll: { ...DEFAULT_POLL_POLICY, ...pollScale, ...overrides.poll },
    clock: overrides.clock ?? systemClock,
    region: (explicit) => resolveRegion(source, explicit),
    newClientToken: () => randomUUID(),
    progress: overrides.progress ?? stderrProgress,
  };
}

/** The progress line for one failed attempt, e.g. `releasing Anycast EIP aeip-1: attempt 2 failed (SystemBusy, RequestId …); retrying in 0.4 s`. */
export function failedAttemptLabel(info: FailedAttempt): string {
  const next = info.nextDelayMs === undefined ? "giving up" : `retrying in ${Math.round(info.nextDelayMs / 100) / 10} s`;
  return `${info.operation}: attempt ${info.attempt} failed (${attemptErrorLabel(info.error)}); ${next}`;
}

/** `SystemBusy, RequestId 5C1D…` — how a progress line names a failed attempt's error. */
export function attemptErrorLabel(error: CloudError): string {
  return error.requestId ? `${error.code}, RequestId ${error.requestId}` : error.code;
}

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
  return withRetry(
    inv.operation,
    // Each attempt waits for its answer no longer than the time left, so no call outlives the deadline.
    (_attempt, remainingMs) =>
      ctx.transport.call(inv.product, inv.action, inv.params, { region: inv.region, method: inv.method, timeoutMs: remainingMs }),
    ctx.retry,
    { clock: ctx.clock, deadlineAt: inv.deadlineAt, handledByCaller: inv.handledByCaller, onFailedAttempt: (info) => ctx.progress(failedAttemptLabel(info)) },
  );
}
