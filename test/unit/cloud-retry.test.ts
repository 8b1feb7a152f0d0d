import { CloudError } from "../../provider/cloud/errors";
import { backoffDelay, decideRetry, FailedAttempt, FINAL_ATTEMPT_WINDOW_MS, withRetry } from "../../provider/cloud/retry";
import { nextPollDelay, pollUntil, WaitTimeoutError } from "../../provider/cloud/poll";
import { virtualClock } from "../helpers/clock";

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, deadlineMs: 60_000 };
const busy = () => new CloudError({ code: "SystemBusy", message: "busy", status: 503, requestId: "R" });
const denied = () => new CloudError({ code: "OperationDenied.ResourceTypeIsNotCustom", message: "no", status: 400, requestId: "D" });

describe("withRetry", () => {
  test("retries retryable errors, then succeeds; one listener call per failed attempt", async () => {
    const clock = virtualClock();
    const seen: FailedAttempt[] = [];
    let calls = 0;
    const out = await withRetry("op", async () => {
      calls++;
      if (calls < 3) throw busy();
      return "ok";
    }, policy, { clock, onFailedAttempt: (i) => seen.push(i) });
    expect(out).toBe("ok");
    expect(calls).toBe(3);
    expect(seen.map((s) => s.attempt)).toEqual([1, 2]);
    expect(seen.every((s) => s.error.code === "SystemBusy")).toBe(true);
    // full jitter with random() = 0.5: half the capped exponential
    expect(clock.slept).toEqual([50, 100]);
  });

  test("a permanent error fails on the first attempt, unchanged", async () => {
    let calls = 0;
    await expect(withRetry("releasing x", async () => {
      calls++;
      throw denied();
    }, policy, { clock: virtualClock() })).rejects.toMatchObject({ code: "OperationDenied.ResourceTypeIsNotCustom", attempts: 1 });
    expect(calls).toBe(1);
  });

  test("gives up after maxAttempts with the last cloud error and the count", async () => {
    let calls = 0;
    const err = await withRetry("releasing Anycast EIP aeip-1", async () => {
      calls++;
      throw new CloudError({ code: "SystemBusy", message: `try ${calls}`, requestId: `R${calls}`, status: 503 });
    }, policy, { clock: virtualClock() }).catch((e) => e);
    expect(calls).toBe(5);
    expect(err).toBeInstanceOf(CloudError);
    expect(err.message).toBe("releasing Anycast EIP aeip-1: after 5 failed attempts: SystemBusy: try 5 (RequestId R5)");
  });

  test("throttled attempts do not use up maxAttempts; they back off from a higher floor until the deadline", async () => {
    const clock = virtualClock(0, () => 1);
    let calls = 0;
    const out = await withRetry("op", async () => {
      calls++;
      if (calls <= 12) throw new CloudError({ code: "Throttling.User", message: "slow down" });
      return "done";
    }, { ...policy, maxAttempts: 3, deadlineMs: 10 ** 9 }, { clock });
    expect(out).toBe("done");
    expect(calls).toBe(13);
    // floor 5 x 100 ms, doubling, capped at 1 s
    expect(clock.slept.slice(0, 3)).toEqual([500, 1000, 1000]);

    const stuck = await withRetry("op", async () => {
      throw new CloudError({ code: "Throttling.User", message: "slow down", requestId: "T" });
    }, { ...policy, maxAttempts: 3, deadlineMs: 5000 }, { clock: virtualClock(0, () => 1) }).catch((e) => e);
    expect(stuck.message).toMatch(/after \d+ failed attempts: Throttling.User: slow down \(gave up: the 5 s deadline leaves no time for another attempt\)/);
    expect(stuck.attempts).toBeGreaterThan(3);
  });

  test("stops when the next attempt would pass the deadline", async () => {
    const clock = virtualClock(0, () => 1);
    let calls = 0;
    const err = await withRetry("op", async () => {
      calls++;
      throw busy();
    }, { ...policy, maxAttempts: 100, deadlineMs: 1000 }, { clock }).catch((e) => e);
    expect(err.message).toMatch(/after \d+ failed attempts: SystemBusy: busy \(gave up: the 1 s deadline leaves no time for another attempt\)/);
    expect(clock.now()).toBeLessThan(1000);
    expect(calls).toBeLessThan(10);
  });

  test("a network failure that runs into the deadline still says how long its attempts took", async () => {
    const clock = virtualClock(0, () => 1);
    const err = await withRetry("op", async () => {
      throw new CloudError({ code: "ECONNRESET", message: "connection lost", kind: "transient" });
    }, { ...policy, maxAttempts: 100, deadlineMs: 1000 }, { clock }).catch((e) => e);
    expect(err.message).toMatch(/^op: after \d+ failed attempts over \d+(\.\d)? s: ECONNRESET: connection lost \(gave up: the 1 s deadline leaves no time for another attempt\)/);
    expect(err.elapsedMs).toBeGreaterThan(0);
  });

  test("under a permanent throttle, only the deadline ends the retries: the last wait is shortened to fit one more attempt", async () => {
    // Throttled backoff floor 5 x 200 ms; random() = 1 draws the cap: 1 s, then 2 s — which would cross 3 s.
    const clock = virtualClock(0, () => 1);
    const sentAt: number[] = [];
    const err = await withRetry("op", async () => {
      sentAt.push(clock.now());
      throw new CloudError({ code: "Throttling.User", message: "slow down", requestId: "T" });
    }, { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 5000, deadlineMs: 3000 }, { clock }).catch((e) => e);
    expect(sentAt).toEqual([0, 1000, 3000 - FINAL_ATTEMPT_WINDOW_MS]);
    expect(err.message).toMatch(/Throttling.User: slow down \(gave up: the 3 s deadline leaves no time for another attempt\)/);
  });

  test("nothing is sent once the deadline has passed; each attempt is told the time left", async () => {
    const clock = virtualClock(0, () => 0);
    const remaining: number[] = [];
    let calls = 0;
    const err = await withRetry("releasing x", async (_attempt, remainingMs) => {
      calls++;
      remaining.push(remainingMs);
      await clock.sleep(remainingMs); // the call takes all the time there is
      throw busy();
    }, { ...policy, deadlineMs: 2000 }, { clock }).catch((e) => e);
    expect(calls).toBe(1);
    expect(remaining).toEqual([2000]);
    expect(err).toMatchObject({ code: "SystemBusy" });
    expect(err.message).toMatch(/deadline/);
  });

  test("nothingSent survives only when no attempt may have reached the service", async () => {
    const refused = () => new CloudError({ code: "ECONNREFUSED", message: "refused; nothing was sent", kind: "transient", nothingSent: true });
    const reset = () => new CloudError({ code: "ECONNRESET", message: "lost", kind: "transient" });
    const run = (errors: (() => CloudError)[]) => {
      let i = 0;
      return withRetry("allocating", async () => {
        throw errors[Math.min(i++, errors.length - 1)]();
      }, { ...policy, maxAttempts: 2 }, { clock: virtualClock() }).catch((e: CloudError) => e);
    };
    expect(await run([refused, refused])).toMatchObject({ code: "ECONNREFUSED", attempts: 2, nothingSent: true });
    // the first attempt may have been applied: the last error, a refused connection, must not say otherwise
    expect(await run([reset, refused])).toMatchObject({ code: "ECONNREFUSED", attempts: 2, nothingSent: false });
    expect(await run([reset, reset])).toMatchObject({ code: "ECONNRESET" });
    expect((await run([reset, reset])).nothingSent).toBeFalsy();
  });

  test("decideRetry is a pure decision", () => {
    const p = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, deadlineMs: 0 };
    const state = { error: busy(), counted: 1, throttled: 0, finalAttemptMade: false, remainingMs: 10_000 };
    expect(decideRetry(state, p, () => 1)).toEqual({ retry: true, delayMs: 100, final: false });
    expect(decideRetry({ ...state, error: denied() }, p, () => 1)).toEqual({ retry: false, reason: "notRetryable" });
    expect(decideRetry({ ...state, counted: 3 }, p, () => 1)).toEqual({ retry: false, reason: "attempts" });
    expect(decideRetry({ ...state, remainingMs: 80 }, p, () => 1)).toEqual({ retry: false, reason: "deadline" });
    expect(decideRetry({ ...state, remainingMs: 120 }, p, () => 1)).toEqual({ retry: true, delayMs: 60, final: true });
    expect(decideRetry({ ...state, remainingMs: 120, finalAttemptMade: true }, p, () => 1)).toEqual({ retry: false, reason: "deadline" });
  });

  // One row per rule of the policy: what comes back after a failed attempt, with the dice at their top.
  const throttled = () => new CloudError({ code: "Throttling.User", message: "slow down", status: 400, requestId: "T" });
  const gatewayPage = () => new CloudError({ code: "InvalidResponse", message: "not JSON", status: 502, requestId: "G", kind: "transient" });
  const refused = () => new CloudError({ code: "ECONNREFUSED", message: "could not connect", kind: "transient" });
  const reset = () => new CloudError({ code: "ECONNRESET", message: "connection lost", kind: "transient" });
  const p3 = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, deadlineMs: 0 };
  const p8 = { ...p3, maxAttempts: 8 };
  test.each([
    ["busy, 1st failure: full backoff cap", busy, p3, { counted: 1 }, { retry: true, delayMs: 100, final: false }],
    ["busy, 2nd failure: the cap doubles", busy, p3, { counted: 2 }, { retry: true, delayMs: 200, final: false }],
    ["busy, maxAttempts failures: stop", busy, p3, { counted: 3 }, { retry: false, reason: "attempts" }],
    ["throttled: not counted against maxAttempts, 5x higher floor", throttled, p3, { counted: 3, throttled: 1 }, { retry: true, delayMs: 500, final: false }],
    ["throttled again: capped at maxDelayMs", throttled, p3, { counted: 3, throttled: 3 }, { retry: true, delayMs: 1000, final: false }],
    ["permanent: stop at once", denied, p3, { counted: 1 }, { retry: false, reason: "notRetryable" }],
    ["a code the caller retries itself: stop at once", busy, p3, { counted: 1, handledByCaller: ["SystemBusy"] }, { retry: false, reason: "notRetryable" }],
    ["a body that is not JSON: 3 attempts at most", gatewayPage, p8, { counted: 3 }, { retry: false, reason: "attempts" }],
    ["a refused connection, 1st failure: one more attempt", refused, p8, { counted: 1 }, { retry: true, delayMs: 100, final: false }],
    ["a refused connection: 2 attempts at most", refused, p8, { counted: 2 }, { retry: false, reason: "attempts" }],
    ["a connection lost mid-call: the full maxAttempts", reset, p8, { counted: 2 }, { retry: true, delayMs: 200, final: false }],
    ["backoff fits before the deadline", busy, p3, { counted: 1, remainingMs: 150 }, { retry: true, delayMs: 100, final: false }],
    ["backoff would pass the deadline: one shortened last wait", busy, p3, { counted: 1, remainingMs: 120 }, { retry: true, delayMs: 60, final: true }],
    ["the last wait was already shortened: stop", busy, p3, { counted: 1, remainingMs: 120, finalAttemptMade: true }, { retry: false, reason: "deadline" }],
    ["too little time for any call: stop", busy, p3, { counted: 1, remainingMs: 80 }, { retry: false, reason: "deadline" }],
  ] as const)("decideRetry: %s", (_name, error, p, state, expected) => {
    const full = { error: error(), throttled: 0, finalAttemptMade: false, remainingMs: 10_000, ...state };
    expect(decideRetry(full, p, () => 1)).toEqual(expected);
  });

  test("backoff is capped full jitter", () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(4, policy, () => 0.999)).toBe(799);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(10, policy, () => 0)).toBe(0);
  });
});

describe("pollUntil", () => {
  const pollPolicy = { firstDelayMs: 100, growth: 0.2, minIntervalMs: 100, maxIntervalMs: 3000 };

  test("intervals grow with the time waited, so a change is seen within ~1.2x its duration", async () => {
    for (const settleMs of [500, 2000, 5000, 20000]) {
      const clock = virtualClock(0);
      const { waitedMs } = await pollUntil("x", async () => ({ done: clock.now() >= settleMs }), { policy: pollPolicy, deadlineAt: 10 ** 9, clock });
      expect(waitedMs).toBeGreaterThanOrEqual(settleMs);
      expect(waitedMs / settleMs).toBeLessThanOrEqual(1.21);
    }
  });

  test("schedule: first delay, then a fraction of the elapsed time within bounds", () => {
    expect(nextPollDelay(0, 0, pollPolicy)).toBe(100);
    expect(nextPollDelay(100, 1, pollPolicy)).toBe(100);
    expect(nextPollDelay(5000, 10, pollPolicy)).toBe(1000);
    expect(nextPollDelay(60000, 30, pollPolicy)).toBe(3000);
  });

  test("retryable probe errors count as not yet; permanent ones fail", async () => {
    const clock = virtualClock(0);
    let n = 0;
    const r = await pollUntil("x", async () => {
      n++;
      if (n === 1) throw busy();
      return { done: n >= 3, value: n };
    }, { policy: pollPolicy, deadlineAt: 10 ** 9, clock });
    expect(r.value).toBe(3);
    await expect(pollUntil("confirming", async () => { throw denied(); }, { policy: pollPolicy, deadlineAt: 10 ** 9, clock })).rejects.toThrow(/^confirming: OperationDenied/);
  });

  test("times out at the deadline with the last state", async () => {
    const clock = virtualClock(0);
    const err = await pollUntil("confirming the release of aeip-1", async () => ({ done: false, state: "Releasing" }), { policy: pollPolicy, deadlineAt: 2000, clock }).catch((e) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.message).toMatch(/^confirming the release of aeip-1: still Releasing after/);
    expect(clock.now()).toBeLessThanOrEqual(2000);
  });
});

describe("pollUntil progress", () => {
  test("reports the first wait, each change of state, and otherwise at most every reportEveryMs", async () => {
    const clock = virtualClock(0);
    const states = ["Unbinding", "Unbinding", "Unbinding", "Releasing", "Releasing"];
    let n = 0;
    const reports: string[] = [];
    await pollUntil("x", async () => {
      const state = states[n++];
      return { done: state === undefined, state };
    }, { policy: { firstDelayMs: 0, growth: 0, minIntervalMs: 1000, maxIntervalMs: 1000 }, deadlineAt: 10 ** 9, clock, reportEveryMs: 1500, onWait: (s, w) => reports.push(`${s}@${w}`) });
    expect(reports).toEqual(["Unbinding@0", "Unbinding@2000", "Releasing@3000"]);
  });
});
