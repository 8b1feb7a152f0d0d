import { failedAttemptLabel } from "../../provider/cloud/context";
import { CloudError } from "../../provider/cloud/errors";
import { ActionPacer, DEFAULT_PACE_POLICY, pacedTransport } from "../../provider/cloud/pacing";
import { Clock, DEFAULT_RETRY_POLICY, decideRetry } from "../../provider/cloud/retry";
import { Transport } from "../../provider/cloud/transport";
import { schedulerClock } from "../helpers/clock";

const REGION = "cn-hangzhou";

/** A service that throttles each action with its own token bucket (burst, then `perSecond`), in the clock's time. */
function throttledService(clock: Clock, perSecond: number, burst: number) {
  const buckets = new Map<string, { tokens: number; refilledAt: number }>();
  const log: { at: number; ok: boolean; action: string }[] = [];
  const transport: Transport = {
    async call(_product, action) {
      await Promise.resolve();
      const now = clock.now();
      const b = buckets.get(action) ?? { tokens: burst, refilledAt: now };
      buckets.set(action, b);
      b.tokens = Math.min(burst, b.tokens + ((now - b.refilledAt) * perSecond) / 1000);
      b.refilledAt = now;
      const ok = b.tokens >= 1;
      log.push({ at: now, ok, action });
      if (!ok) throw new CloudError({ code: "Throttling.User", message: "Request was denied due to user flow control.", status: 400, requestId: `req-${log.length}` });
      b.tokens -= 1;
      return { RequestId: `req-${log.length}` };
    },
  };
  return { transport, log };
}

/** mulberry32: the jitter of the unpaced comparison, the same on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One caller as withRetry runs it: send; when throttled, ask the retry policy and wait what it says. */
async function sendUntilAccepted(transport: Transport, clock: Clock, random: () => number, action = "ReleaseAnycastEipAddress"): Promise<void> {
  for (let throttled = 1; ; throttled++) {
    try {
      await transport.call("Eipanycast", action, {}, { region: REGION, timeoutMs: 3_600_000 });
      return;
    } catch (err) {
      const decision = decideRetry({ error: err as CloudError, counted: 0, throttled, finalAttemptMade: false, remainingMs: 3_600_000 }, DEFAULT_RETRY_POLICY, random);
      if (!decision.retry) throw err;
      if (decision.delayMs > 0) await clock.sleep(decision.delayMs);
    }
  }
}

async function burstOf(n: number, paced: boolean) {
  const clock = schedulerClock();
  const service = throttledService(clock, 20, 20);
  const transport = paced ? pacedTransport(service.transport, clock) : service.transport;
  const random = seeded(7);
  const started = clock.now();
  const done = Promise.all(Array.from({ length: n }, () => sendUntilAccepted(transport, clock, random)));
  await clock.run();
  await done;
  const accepted = service.log.filter((c) => c.ok).length;
  return { makespanMs: clock.now() - started, accepted, throttled: service.log.length - accepted };
}

describe("pacing of a throttled action", () => {
  // 200 callers against 20/s with a burst of 20: the bound is (200 - 20) / 20 = 9 s.
  const boundMs = 9000;

  it("lets 200 callers through at the bucket's rate: within 5 % of the bound, few calls throttled after the burst", async () => {
    const paced = await burstOf(200, true);
    expect(paced.accepted).toBe(200);
    expect(paced.makespanMs).toBeLessThanOrEqual(boundMs / 0.95);
    // The 180 refused by the first burst, then about one call in twenty (the 5 % probe).
    expect(paced.throttled).toBeLessThanOrEqual(180 + 0.1 * 180);
  });

  it("reproduces the problem without it: callers backing off on their own take longer and are throttled 3 times as often", async () => {
    const unpaced = await burstOf(200, false);
    const paced = await burstOf(200, true);
    expect(unpaced.accepted).toBe(200);
    expect(unpaced.makespanMs).toBeGreaterThan(paced.makespanMs * 1.1);
    expect(unpaced.throttled).toBeGreaterThan(paced.throttled * 3);
  });

  it("never holds an action nobody has seen throttled", async () => {
    const clock = schedulerClock();
    const service = throttledService(clock, 20, 20);
    const transport = pacedTransport(service.transport, clock);
    await Promise.all(Array.from({ length: 20 }, () => transport.call("Eipanycast", "ListAnycastEipAddresses", {}, { region: REGION })));
    expect(service.log.map((c) => c.at)).toEqual(Array(20).fill(clock.now()));
  });

  it("paces each action on its own: a throttled release does not hold the reads", async () => {
    const clock = schedulerClock();
    const service = throttledService(clock, 1, 1);
    const transport = pacedTransport(service.transport, clock);
    const releases = Promise.all([1, 2, 3].map(() => sendUntilAccepted(transport, clock, () => 0.5)));
    await clock.run(1);
    const issuedAt = clock.now();
    await transport.call("Eipanycast", "DescribeAnycastEipAddress", {}, { region: REGION });
    // Sent at once, though ReleaseAnycastEipAddress is paced at about 1/s with callers queued.
    expect(service.log.filter((c) => c.action === "DescribeAnycastEipAddress").map((c) => c.at)).toEqual([issuedAt]);
    expect(service.log.filter((c) => c.action === "ReleaseAnycastEipAddress" && !c.ok).length).toBeGreaterThan(0);
    await clock.run();
    await releases;
  });

  it("tells the retry policy the pace: the throttling error carries it, the retry waits in turn, the line says so", async () => {
    const clock = schedulerClock();
    const service = throttledService(clock, 5, 1);
    const transport = pacedTransport(service.transport, clock);
    await transport.call("Eipanycast", "ReleaseAnycastEipAddress", {}, { region: REGION });
    const err = (await transport.call("Eipanycast", "ReleaseAnycastEipAddress", {}, { region: REGION }).catch((e) => e)) as CloudError;
    expect(err.code).toBe("Throttling.User");
    expect(err.requestId).toBe("req-2");
    // One call accepted over the last second: paced 5 % above it, at least 1/s.
    expect(err.pacedPerSecond).toBeCloseTo(1.05, 5);
    const decision = decideRetry({ error: err, counted: 0, throttled: 1, finalAttemptMade: false, remainingMs: 60_000 }, DEFAULT_RETRY_POLICY, () => 0.9);
    expect(decision).toEqual({ retry: true, delayMs: 0, final: false });
    expect(failedAttemptLabel({ operation: "releasing Anycast EIP aeip-1", attempt: 1, error: err, nextDelayMs: 0 })).toBe(
      "releasing Anycast EIP aeip-1: attempt 1 failed (Throttling.User, RequestId req-2); retrying in turn (the action is paced at 1.1 calls/s in this process)",
    );
    // The same error unpaced keeps its own (throttle-sized) backoff.
    const unpaced = new CloudError({ ...err.fields(), pacedPerSecond: undefined });
    expect(decideRetry({ error: unpaced, counted: 0, throttled: 1, finalAttemptMade: false, remainingMs: 60_000 }, DEFAULT_RETRY_POLICY, () => 0.9)).toEqual({ retry: true, delayMs: 900, final: false });
  });

  it("never holds a caller past its deadline: with the call's budget left it goes unpaced", async () => {
    const clock = schedulerClock();
    const service = throttledService(clock, 1, 1);
    const transport = pacedTransport(service.transport, clock);
    await transport.call("Eipanycast", "ReleaseAnycastEipAddress", {}, { region: REGION });
    await transport.call("Eipanycast", "ReleaseAnycastEipAddress", {}, { region: REGION }).catch(() => undefined); // now paced at 1.05/s
    const t0 = clock.now();
    const late = transport.call("Eipanycast", "ReleaseAnycastEipAddress", {}, { region: REGION, timeoutMs: 300 }).catch((e) => e as CloudError);
    await clock.run();
    const outcome = await late;
    // Its turn was ~952 ms away; it went at 300 - 50 ms (MIN_CALL_BUDGET_MS), and the service refused it.
    expect(service.log.at(-1)!.at - t0).toBe(250);
    expect((outcome as CloudError).code).toBe("Throttling.User");
  });
});

describe("ActionPacer", () => {
  const t0 = 1_000_000;

  it("learns the rate from the calls accepted over the window", () => {
    const pacer = new ActionPacer(DEFAULT_PACE_POLICY);
    pacer.recordAccepted(t0 - 2000); // out of the window by the time of the throttle
    for (let i = 0; i < 10; i++) pacer.recordAccepted(t0 + i * 50);
    expect(pacer.recordThrottled(t0 + 600)).toBeCloseTo(10.5, 5);
    expect(pacer.paceAt(t0 + 600)).toBeCloseTo(10.5, 5);
  });

  it("doubles the pace after each second without a throttle, and stops pacing after 5 s idle", () => {
    const pacer = new ActionPacer(DEFAULT_PACE_POLICY);
    expect(pacer.paceAt(t0)).toBeUndefined();
    for (let i = 0; i < 20; i++) pacer.recordAccepted(t0);
    pacer.recordThrottled(t0);
    expect(pacer.paceAt(t0 + 999)).toBeCloseTo(21, 5);
    expect(pacer.paceAt(t0 + 1000)).toBeCloseTo(42, 5);
    expect(pacer.paceAt(t0 + 2000)).toBeCloseTo(84, 5);
    expect(pacer.paceAt(t0 + 5000)).toBeUndefined();
  });

  it("paces at least at the policy's minimum when nothing was accepted", () => {
    const pacer = new ActionPacer(DEFAULT_PACE_POLICY);
    expect(pacer.recordThrottled(t0)).toBe(DEFAULT_PACE_POLICY.minPerSecond);
  });
});
