/**
 * Pacing of a throttled action, shared by every caller in the process.
 *
 * Alibaba Cloud throttles each API action per account and region (a token bucket: a burst, then a steady
 * rate; a call over it answers `Throttling.User` and takes no token). A destroy of 200 EIPs sends 200
 * releases at once: the burst passes, the rest are throttled. When each of them backs off on its own with
 * random delays, the bucket refills while every caller is asleep and then the callers wake in a herd: the
 * release actions reached 68 % of their bound that way. Here the callers of one action queue instead and
 * are let through one at a time at the rate the service accepts, so the bucket is never idle and rarely
 * overrun.
 *
 * How the rate is learnt. Every call's outcome is recorded for its (scope, action): answers that passed
 * the throttle (any answer but Throttling) in the last `windowMs`. When a call is throttled, the calls
 * accepted over that window are what the bucket allows this process right now, so the action is paced
 * at that rate plus `probe` (a little over it, so the bucket is drained as fast as it fills: a few calls
 * of each hundred are throttled and queue again). With no throttle for `growAfterMs` the pace grows by
 * `growth` (the bound may be higher, or another client has stopped sharing it); with nobody waiting and
 * no throttle for `idleMs` pacing ends, and the next burst goes unpaced.
 *
 * An action nobody has seen throttled is never held: its calls go at once, as before. A caller never
 * waits past its own deadline: with `MIN_CALL_BUDGET_MS` left it goes unpaced, as the retry policy's last
 * attempt.
 *
 * The pacers are this module's deliberate per-process cache: one per (scope, action) that has been
 * called, keyed by the transport's scope (endpoint and a digest of the credentials, never a secret) —
 * a few dozen at most (the actions of two products times the scopes of one program); each holds only the
 * times of the calls of its last window.
 */
import { CloudError, isThrottling, toCloudError } from "./errors";
import { Clock, MIN_CALL_BUDGET_MS } from "./retry";
import { CallOptions, CallParams, Transport, scopeKeyOf } from "./transport";
import { ProductName } from "./products";

/** How a throttled action is paced: see the module comment. */
export interface PacePolicy {
  /** Calls accepted over this window measure the rate the service allows. */
  windowMs: number;
  /** The pace is the measured rate times (1 + probe). */
  probe: number;
  /** The slowest pace, calls per second. */
  minPerSecond: number;
  /** With no throttle for this long, the pace is multiplied by `growth`… */
  growAfterMs: number;
  growth: number;
  /** …and with no throttle and nobody waiting for this long, pacing ends. */
  idleMs: number;
}

/** Measured over 1 s, paced 5 % above it, at least 1 call/s; doubled after each second without a throttle; off after 5 s idle. */
export const DEFAULT_PACE_POLICY: PacePolicy = { windowMs: 1000, probe: 0.05, minPerSecond: 1, growAfterMs: 1000, growth: 2, idleMs: 5000 };

interface Waiter {
  /** The caller goes unpaced at this time rather than miss its deadline. */
  readonly latestAt: number;
  release(): void;
}

/** One action's pacer, in one scope. Its times are the clock of whoever calls it (one clock per process). */
export class ActionPacer {
  /** Calls per second while paced; undefined while the action is not paced. */
  private perSecond: number | undefined;
  private accepted: number[] = [];
  private lastThrottleAt = -Infinity;
  private lastChangeAt = -Infinity;
  /** When the last caller was let through (the next goes one interval later). */
  private lastReleaseAt = -Infinity;
  private readonly queue: Waiter[] = [];
  private draining = false;

  constructor(private readonly policy: PacePolicy) {}

  /** The pace now (calls per second), undefined when the action is not paced. */
  paceAt(now: number): number | undefined {
    if (this.perSecond === undefined) return undefined;
    if (this.queue.length === 0 && now - this.lastThrottleAt >= this.policy.idleMs) {
      this.perSecond = undefined;
      return undefined;
    }
    const quietFor = now - Math.max(this.lastThrottleAt, this.lastChangeAt);
    if (quietFor >= this.policy.growAfterMs) {
      this.perSecond *= this.policy.growth ** Math.floor(quietFor / this.policy.growAfterMs);
      this.lastChangeAt = now;
    }
    return this.perSecond;
  }

  /** A call answered without being throttled (it took a token). */
  recordAccepted(now: number): void {
    this.accepted.push(now);
    this.prune(now);
  }

  /** A call was throttled: pace the action at what was accepted over the window, plus the probe. */
  recordThrottled(now: number): number {
    this.prune(now);
    const measured = (this.accepted.length * 1000) / this.policy.windowMs;
    this.perSecond = Math.max(this.policy.minPerSecond, measured * (1 + this.policy.probe));
    this.lastThrottleAt = now;
    this.lastChangeAt = now;
    // The caller that was just refused goes no sooner than one interval from now.
    this.lastReleaseAt = Math.max(this.lastReleaseAt, now);
    return this.perSecond;
  }

  /**
   * Resolves when the caller may send: at once while the action is not paced, else in turn, one caller
   * per interval. Never later than `latestAt` (the caller's deadline less the time a call needs).
   */
  turn(clock: Clock, latestAt: number): Promise<void> {
    if (this.paceAt(clock.now()) === undefined && this.queue.length === 0) return Promise.resolve();
    return new Promise((release) => {
      this.queue.push({ latestAt, release });
      void this.drain(clock);
    });
  }

  /**
   * Lets the queue through one per interval at the current pace, and any caller whose latest moment has
   * come. One drain runs at a time, and it is the only sleeper: a clock whose sleep advances time (the
   * tests' virtual clocks) sees one wait at a time.
   */
  private async drain(clock: Clock): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const now = clock.now();
        for (const late of this.queue.filter((w) => w.latestAt <= now)) {
          this.queue.splice(this.queue.indexOf(late), 1);
          late.release();
        }
        if (this.queue.length === 0) break;
        const pace = this.paceAt(now);
        const dueAt = pace === undefined ? now : this.lastReleaseAt + 1000 / pace;
        if (dueAt > now) {
          await clock.sleep(Math.min(dueAt, ...this.queue.map((w) => w.latestAt)) - now);
          continue;
        }
        this.lastReleaseAt = now;
        this.queue.shift()?.release();
      }
    } finally {
      this.draining = false;
    }
  }

  private prune(now: number): void {
    const from = now - this.policy.windowMs;
    let drop = 0;
    while (drop < this.accepted.length && this.accepted[drop] < from) drop++;
    if (drop > 0) this.accepted.splice(0, drop);
  }
}

/** The pacers by `scope|action`: the per-process cache of the module comment. */
const pacers = new Map<string, ActionPacer>();

function pacerFor(key: string, policy: PacePolicy): ActionPacer {
  let pacer = pacers.get(key);
  if (!pacer) pacers.set(key, (pacer = new ActionPacer(policy)));
  return pacer;
}

/**
 * `transport` with every call paced per (scope, action) as the module comment says. A throttling error
 * that leaves it carries the action's new pace (`pacedPerSecond`), so the retry policy sends the retry
 * into the queue at once instead of backing off on its own.
 */
export function pacedTransport(transport: Transport, clock: Clock, policy: PacePolicy = DEFAULT_PACE_POLICY): Transport {
  return {
    scopeKey: (product, region) => scopeKeyOf(transport, product, region),
    async call(product: ProductName, action: string, params: CallParams, options: CallOptions) {
      const pacer = pacerFor(`${scopeKeyOf(transport, product, options.region)}|${action}`, policy);
      const startedAt = clock.now();
      const budget = options.timeoutMs ?? Infinity;
      await pacer.turn(clock, startedAt + budget - MIN_CALL_BUDGET_MS);
      const timeoutMs = options.timeoutMs === undefined ? undefined : Math.max(1, budget - (clock.now() - startedAt));
      try {
        const body = await transport.call(product, action, params, { ...options, timeoutMs });
        pacer.recordAccepted(clock.now());
        return body;
      } catch (err) {
        const cloud = toCloudError(err);
        if (!isThrottling(cloud)) {
          if (!cloud.nothingSent) pacer.recordAccepted(clock.now());
          throw err;
        }
        throw new CloudError({ ...cloud.fields(), pacedPerSecond: pacer.recordThrottled(clock.now()) });
      }
    },
  };
}
