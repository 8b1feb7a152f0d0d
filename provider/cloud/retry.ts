/**
 * The one retry policy: only throttling, transient and busy-state errors retry; capped full-jitter
 * exponential backoff; an overall deadline; a callback per failed attempt; the final error keeps the
 * cloud error and says how many attempts were made.
 *
 * p-retry drives the attempts. Its own delays are set to zero and the backoff is slept in
 * `onFailedAttempt` (p-retry 4 awaits it) because p-retry's `randomize` is not full jitter and knows no
 * deadline.
 */
import pRetry from "p-retry";
import { CloudError, isNetworkFailure, isRetryable, isThrottling, toCloudError } from "./errors";

/** The backoff between attempts. */
export interface BackoffPolicy {
  /** Upper bound of the first delay; the n-th delay is drawn from [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The retry policy: backoff, attempts and the overall deadline. */
export interface RetryPolicy extends BackoffPolicy {
  /** Total attempts, the first one included. */
  maxAttempts: number;
  /** Overall budget for the operation, in ms from its start. */
  deadlineMs: number;
}

/** Injectable time and randomness, so tests run with no delay and replay exactly. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts (a wait cut short: see waitForRound in operation.ts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1), for the backoff jitter. */
  random(): number;
}

/** The real clock and `Math.random`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
  random: () => Math.random(),
};

/** 8 attempts, backoff from 200 ms capped at 5 s, 5 minutes overall. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  deadlineMs: 5 * 60 * 1000,
};

/** One failed attempt, as reported to the progress line. */
export interface FailedAttempt {
  operation: string;
  attempt: number;
  error: CloudError;
  /** The delay before the next attempt; undefined when this was the last one. */
  nextDelayMs?: number;
}

/** Called after each failed attempt (see {@link FailedAttempt}). */
export type FailedAttemptListener = (info: FailedAttempt) => void;

/** Capped full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * Throttling says "slow down", not "this will not work": throttled attempts do not use up `maxAttempts`
 * (the deadline still bounds them), and their backoff starts this many times higher. Otherwise a few
 * operations competing for one throttled action can exhaust their attempts while the bound is honoured.
 */
export const THROTTLE_BACKOFF_FACTOR = 5;

/**
 * More attempts than any deadline allows; the real bounds are `maxAttempts` (non-throttled) and the
 * deadline. Checked here, not by p-retry: given `retries: N`, p-retry's `retry` module builds, sorts and
 * deep-copies an array of N delays for every operation — at 10,000 that was most of the CPU (and
 * garbage) of a destroy of 400 resources. In `forever` mode it keeps one.
 */
const P_RETRY_CEILING = 10_000;

/**
 * When the drawn backoff would pass the deadline, the wait is shortened so one last attempt still starts
 * this long (at most half the time left) before it: the deadline, not the dice, ends the retries.
 */
export const FINAL_ATTEMPT_WINDOW_MS = 500;

/** Below this much time left no request is sent: it could not get an answer before the deadline. */
export const MIN_CALL_BUDGET_MS = 50;

/**
 * A body that is not JSON behind a 5xx status (a gateway's error page) may pass, but is not worth the
 * full `maxAttempts`: this many attempts in all.
 */
export const INVALID_RESPONSE_MAX_ATTEMPTS = 3;

/**
 * A refused connection sent nothing and points at a wrong endpoint or a service that is down, neither
 * of which passes within a retry's backoff: one more attempt, not the full `maxAttempts`.
 */
export const CONNECTION_REFUSED_MAX_ATTEMPTS = 2;

/** Error codes whose attempts are capped below `maxAttempts`, and the cap. */
const ATTEMPT_CAPS: Readonly<Record<string, number>> = {
  InvalidResponse: INVALID_RESPONSE_MAX_ATTEMPTS,
  ECONNREFUSED: CONNECTION_REFUSED_MAX_ATTEMPTS,
};

/** What the retry policy knows after a failed attempt. */
export interface RetryState {
  error: CloudError;
  /** Failed attempts so far that were not throttled (they count against `maxAttempts`)… */
  counted: number;
  /** …and those that were throttled. */
  throttled: number;
  /** Whether the wait before the previous attempt was already shortened to meet the deadline. */
  finalAttemptMade: boolean;
  /** Time left until the deadline, in ms. */
  remainingMs: number;
  /** Codes the caller retries itself, after its own checks: never retried here. */
  handledByCaller?: readonly string[];
}

/** Whether to try again, and after how long; or why not. */
export type RetryDecision =
  | { retry: true; delayMs: number; final: boolean }
  | { retry: false; reason: "notRetryable" | "attempts" | "deadline" };

/**
 * The retry policy as a pure function: whether to try again after a failed attempt, and after how long.
 * `random` is the only input that is not data (full jitter).
 */
export function decideRetry(state: RetryState, policy: RetryPolicy, random: () => number): RetryDecision {
  if (!retriedHere(state.error, state.handledByCaller)) return { retry: false, reason: "notRetryable" };
  const isThrottled = isThrottling(state.error);
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  const attemptLimit = Math.min(maxAttempts, ATTEMPT_CAPS[state.error.code] ?? maxAttempts);
  if (!isThrottled && state.counted >= attemptLimit) return { retry: false, reason: "attempts" };
  // A paced action (pacing.ts) queues the retry for its next slot: that queue is the wait, shared by
  // every caller of the action, so a backoff of the caller's own would only leave the slot unused.
  const paced = isThrottled && state.error.pacedPerSecond !== undefined;
  const delay = paced
    ? 0
    : isThrottled
    ? backoffDelay(state.throttled, { baseDelayMs: policy.baseDelayMs * THROTTLE_BACKOFF_FACTOR, maxDelayMs: policy.maxDelayMs }, random)
    : backoffDelay(state.counted, policy, random);
  if (delay + MIN_CALL_BUDGET_MS <= state.remainingMs) return { retry: true, delayMs: delay, final: false };
  // The drawn delay would leave no time for the next attempt: shorten it once so a last attempt starts
  // FINAL_ATTEMPT_WINDOW_MS (or half the time left) before the deadline.
  if (state.finalAttemptMade || state.remainingMs < 2 * MIN_CALL_BUDGET_MS) return { retry: false, reason: "deadline" };
  const window = Math.min(FINAL_ATTEMPT_WINDOW_MS, Math.floor(state.remainingMs / 2));
  return { retry: true, delayMs: Math.max(0, state.remainingMs - window), final: true };
}

/** Whether this layer may retry `error`: a retryable kind, and not a code the caller retries itself. */
export function retriedHere(error: CloudError, handledByCaller: readonly string[] = []): boolean {
  return isRetryable(error) && !handledByCaller.includes(error.code);
}

/** The code of the error a call gets when the deadline leaves no time to send it. */
export const DEADLINE_REACHED = "DeadlineReached";

/** The error a call gets when the deadline leaves no time to send it: nothing was sent. */
export function deadlineReachedError(operation: string, deadlineMs: number, previous?: CloudError): CloudError {
  return new CloudError({
    ...(previous?.fields() ?? {}),
    code: previous?.code ?? DEADLINE_REACHED,
    kind: previous?.kind ?? "permanent",
    operation,
    message: previous
      ? `${previous.cloudMessage} (gave up: the ${formatSeconds(deadlineMs)} deadline was reached)`
      : "not sent: the deadline was reached",
  });
}

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error, runs out of (non-throttled) attempts,
 * or the deadline leaves no time for another attempt. Nothing is sent once the deadline has passed;
 * `fn` gets the time left so it can bound its own wait. Every error that leaves is a CloudError naming
 * `operation`.
 */
export async function withRetry<T>(
  operation: string,
  fn: (attempt: number, remainingMs: number) => Promise<T>,
  policy: RetryPolicy,
  options: { clock?: Clock; onFailedAttempt?: FailedAttemptListener; deadlineAt?: number; handledByCaller?: readonly string[] } = {},
): Promise<T> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const deadlineAt = options.deadlineAt ?? startedAt + policy.deadlineMs;
  let counted = 0;
  let throttled = 0;
  let finalAttemptMade = false;
  let last: CloudError | undefined;
  /** Whether any attempt may have reached the service (the final error's `nothingSent` must not claim otherwise). */
  let reached = false;
  try {
    return await pRetry(
      async (attempt) => {
        const remainingMs = deadlineAt - clock.now();
        if (remainingMs < MIN_CALL_BUDGET_MS) {
          last = deadlineReachedError(operation, deadlineAt - startedAt, last);
          throw new pRetry.AbortError(last);
        }
        try {
          return await fn(attempt, remainingMs);
        } catch (err) {
          const cloud = toCloudError(err, operation);
          reached ||= !cloud.nothingSent;
          last = cloud.afterAttempts(attempt, isNetworkFailure(cloud) ? clock.now() - startedAt : undefined);
          // AbortError makes p-retry reject with `originalError` and skip onFailedAttempt.
          if (!retriedHere(cloud, options.handledByCaller)) throw new pRetry.AbortError(last);
          throw cloud;
        }
      },
      {
        retries: 0,
        forever: true,
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        randomize: false,
        onFailedAttempt: async (failure) => {
          const { attemptNumber } = failure;
          const cloud = failure instanceof CloudError ? failure : toCloudError(failure, operation);
          if (isThrottling(cloud)) throttled++;
          else counted++;
          const decision =
            attemptNumber > P_RETRY_CEILING
              ? ({ retry: false, reason: "attempts" } as const)
              : decideRetry(
                  { error: cloud, counted, throttled, finalAttemptMade, remainingMs: deadlineAt - clock.now(), handledByCaller: options.handledByCaller },
                  policy,
                  clock.random,
                );
          if (!decision.retry) {
            options.onFailedAttempt?.({ operation, attempt: attemptNumber, error: cloud });
            if (decision.reason === "deadline") {
              last = new CloudError({
                ...(last ?? cloud).fields(),
                attempts: attemptNumber,
                message: `${cloud.cloudMessage} (gave up: the ${formatSeconds(deadlineAt - startedAt)} deadline leaves no time for another attempt)`,
              });
            }
            throw last ?? cloud.afterAttempts(attemptNumber);
          }
          finalAttemptMade ||= decision.final;
          options.onFailedAttempt?.({ operation, attempt: attemptNumber, error: cloud, nextDelayMs: decision.delayMs });
          if (decision.delayMs > 0) await clock.sleep(decision.delayMs);
        },
      },
    );
  } catch (err) {
    // p-retry rejects with its "main" (most frequent) error; the last one is what the user needs to see.
    const final = last ?? toCloudError(err, operation);
    throw reached && final.nothingSent ? new CloudError({ ...final.fields(), nothingSent: false }) : final;
  }
}

function formatSeconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 100) / 10)} s`;
}
