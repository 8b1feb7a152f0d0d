/**
 * Waiting for an asynchronous change (a release, an association) to show.
 *
 * The interval grows with the time already waited (a fixed fraction of it), starting small and capped.
 * Polling at elapsed × (1 + f) means a change that takes S is noticed by about S × (1 + f) — with the
 * default f = 0.2, within 1.2 × S — however long S is, instead of up to a fixed tick late (the
 * reference poller waits 5 s first, then 3–10 s between polls).
 */
import { CloudError, isRetryable, toCloudError } from "./errors";
import { Clock, DEADLINE_REACHED, systemClock } from "./retry";

/** How often a wait probes: see the module comment. */
export interface PollPolicy {
  /** Delay before the first probe. */
  firstDelayMs: number;
  /** Each further delay is this fraction of the time waited so far… */
  growth: number;
  /** …but at least this… */
  minIntervalMs: number;
  /** …and at most this. */
  maxIntervalMs: number;
}

/** First probe after 100 ms, then every 20 % of the time waited, between 100 ms and 3 s. */
export const DEFAULT_POLL_POLICY: PollPolicy = { firstDelayMs: 100, growth: 0.2, minIntervalMs: 100, maxIntervalMs: 3000 };

/** The delay before the next probe, after `probes` probes and `waitedMs` waited. */
export function nextPollDelay(waitedMs: number, probes: number, policy: PollPolicy): number {
  if (probes === 0) return policy.firstDelayMs;
  return Math.min(policy.maxIntervalMs, Math.max(policy.minIntervalMs, Math.floor(waitedMs * policy.growth)));
}

/** One probe's answer. */
export interface ProbeResult<T> {
  done: boolean;
  value?: T;
  /** What we are waiting on, for progress lines and the timeout message (e.g. `Releasing`). */
  state?: string;
}

/**
 * Once a release has been sent, confirming it gets at least this long even past the deadline: the
 * outcome is then reported as it is, instead of "not done (deadline reached)" for a release that happened.
 */
export const CONFIRM_GRACE_MS = 10_000;

/** The deadline for confirming a change that was already sent. */
export function confirmationDeadline(clock: Clock, deadlineAt: number): number {
  return Math.max(deadlineAt, clock.now() + CONFIRM_GRACE_MS);
}

/** A wait that reached its deadline: what was awaited, for how long, and the state last seen. */
export class WaitTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly waitedMs: number,
    readonly lastState: string | undefined,
  ) {
    super(`${what}: still ${lastState ?? "not done"} after ${Math.round(waitedMs / 100) / 10} s (deadline reached); run the command again to keep waiting`);
    this.name = "WaitTimeoutError";
  }
}

/**
 * Probes until `done`. The first probe runs immediately when `firstDelayMs` is 0. Retryable cloud errors
 * from a probe count as "not yet"; others fail the wait.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<ProbeResult<T>>,
  options: {
    policy: PollPolicy;
    deadlineAt: number;
    clock?: Clock;
    /**
     * Progress: called on the first probe that is not done, whenever the state changes, and at most every
     * `reportEveryMs` (default 5 s) otherwise — a progress line per probe would drown the CLI output.
     */
    onWait?: (state: string | undefined, waitedMs: number) => void;
    reportEveryMs?: number;
    /**
     * The wait between two probes (default: `clock.sleep`, then the probe). It may end early with a probe
     * made meanwhile (a round of reads that went out anyway: roundRider), which counts as the next
     * probe; never late: the schedule is an upper bound. It may throw as a probe may.
     */
    wait?: (ms: number) => Promise<ProbeResult<T> | undefined>;
  },
): Promise<{ value: T | undefined; probes: number; waitedMs: number }> {
  const clock = options.clock ?? systemClock;
  const wait = options.wait ?? (async (ms: number) => void (await clock.sleep(ms)));
  const started = clock.now();
  const reportEvery = options.reportEveryMs ?? 5000;
  let probes = 0;
  let lastState: string | undefined;
  let reportedState: string | undefined;
  let reportedAt: number | undefined;
  const report = (state: string | undefined) => {
    const now = clock.now();
    if (reportedAt !== undefined && state === reportedState && now - reportedAt < reportEvery) return;
    reportedState = state;
    reportedAt = now;
    options.onWait?.(state, now - started);
  };
  for (;;) {
    const waited = clock.now() - started;
    const delay = nextPollDelay(waited, probes, options.policy);
    if (clock.now() + delay > options.deadlineAt) throw new WaitTimeoutError(what, waited, lastState);
    probes++;
    let result: ProbeResult<T>;
    try {
      const early = delay > 0 ? await wait(delay) : undefined;
      result = early ?? (await probe());
    } catch (err) {
      const cloud: CloudError = toCloudError(err);
      // The probe had no time left to ask: the wait ran out, in the state last seen.
      if (cloud.code === DEADLINE_REACHED) throw new WaitTimeoutError(what, clock.now() - started, lastState);
      if (!isRetryable(cloud)) throw cloud.operation ? cloud : cloud.during(what);
      lastState = `unreadable (${cloud.code})`;
      report(lastState);
      continue;
    }
    if (result.done) return { value: result.value, probes, waitedMs: clock.now() - started };
    lastState = result.state;
    report(lastState);
  }
}
