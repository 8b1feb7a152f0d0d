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
import { CloudError, isRetryable, isThrottling, toCloudError } from "./errors";

export interface BackoffPolicy {
  /** Upper bound of the first delay; the n-th delay is drawn from [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryPolicy extends BackoffPolicy {
  /** Total attempts, the first one included. */
  maxAttempts: number;
  /** Overall budget for the operation, in ms from its start. */
  deadlineMs: number;
}

/** Injectable time and randomness, so tests run with no delay and replay exactly. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  deadlineMs: 5 * 60 * 1000,
};

export interface FailedAttempt {
  operation: string;
  attempt: number;
  error: CloudError;
  /** The delay before the next attempt; undefined when this was the last one. */
  nextDelayMs?: number;
}

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

/** More attempts than any deadline allows; the real bounds are `maxAttempts` (non-throttled) and the deadline. */
const P_RETRY_CEILING = 10_000;

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error, runs out of (non-throttled) attempts,
 * or the deadline would pass before the next attempt. Every error that leaves is a CloudError naming
 * `operation`.
 */
export async function withRetry<T>(
  operation: string,
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: { clock?: Clock; onFailedAttempt?: FailedAttemptListener; deadlineAt?: number } = {},
): Promise<T> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const deadlineAt = options.deadlineAt ?? startedAt + policy.deadlineMs;
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  const throttlePolicy: BackoffPolicy = { baseDelayMs: policy.baseDelayMs * THROTTLE_BACKOFF_FACTOR, maxDelayMs: policy.maxDelayMs };
  let counted = 0;
  let throttled = 0;
  let last: CloudError | undefined;
  try {
    return await pRetry(
      async (attempt) => {
        try {
          return await fn(attempt);
        } catch (err) {
          const cloud = toCloudError(err, operation);
          last = cloud.afterAttempts(attempt);
          // AbortError makes p-retry reject with `originalError` and skip onFailedAttempt.
          if (!isRetryable(cloud)) throw new pRetry.AbortError(last);
          throw cloud;
        }
      },
      {
        retries: P_RETRY_CEILING,
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        randomize: false,
        onFailedAttempt: async (failure) => {
          const { attemptNumber } = failure;
          const cloud = failure instanceof CloudError ? failure : toCloudError(failure, operation);
          const isThrottled = isThrottling(cloud);
          if (isThrottled) throttled++;
          else counted++;
          const exhausted = counted >= maxAttempts || attemptNumber > P_RETRY_CEILING;
          const delay = exhausted
            ? undefined
            : isThrottled
              ? backoffDelay(throttled, throttlePolicy, clock.random)
              : backoffDelay(counted, policy, clock.random);
          if (exhausted) {
            options.onFailedAttempt?.({ operation, attempt: attemptNumber, error: cloud });
            throw last ?? cloud.afterAttempts(attemptNumber);
          }
          if (clock.now() + delay! >= deadlineAt) {
            options.onFailedAttempt?.({ operation, attempt: attemptNumber, error: cloud });
            last = new CloudError({
              ...cloud.fields(),
              attempts: attemptNumber,
              message: `${cloud.cloudMessage} (gave up: the next attempt would pass the ${formatSeconds(deadlineAt - startedAt)} deadline)`,
            });
            throw last;
          }
          options.onFailedAttempt?.({ operation, attempt: attemptNumber, error: cloud, nextDelayMs: delay });
          if (delay! > 0) await clock.sleep(delay!);
        },
      },
    );
  } catch (err) {
    // p-retry rejects with its "main" (most frequent) error; the last one is what the user needs to see.
    throw last ?? toCloudError(err, operation);
  }
}

function formatSeconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 100) / 10)} s`;
}
