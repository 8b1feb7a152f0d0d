import { Clock, systemClock } from "../../provider/cloud/retry";

/** A virtual clock: sleeping advances time instantly, so backoff and deadlines are tested without waiting. */
export function virtualClock(start = 1_700_000_000_000, random = () => 0.5): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    random,
  };
}

/** The real clock with a hand-moved offset: a test makes time jump (past a deadline) between two calls. */
export function steppableClock(): Clock & { jump(ms: number): void } {
  let offset = 0;
  return { now: () => systemClock.now() + offset, sleep: systemClock.sleep, random: systemClock.random, jump: (ms) => (offset += ms) };
}

/**
 * A clock the test moves by hand: `sleep` resolves only when `advanceTo` passes its time (or its signal
 * aborts), so what a schedule plans is read from `dueTimes()` and released step by step.
 */
export function manualClock(start = 1_700_000_000_000): Clock & { dueTimes(): number[]; advanceTo(at: number): void } {
  let now = start;
  const sleepers = new Set<{ at: number; wake: () => void }>();
  return {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const sleeper = { at: now + Math.max(0, ms), wake: () => (sleepers.delete(sleeper), resolve()) };
        sleepers.add(sleeper);
        signal?.addEventListener("abort", sleeper.wake, { once: true });
      }),
    random: () => 0.5,
    dueTimes: () => [...sleepers].map((s) => s.at).sort((a, b) => a - b),
    advanceTo(at) {
      if (at < now) throw new Error(`the manual clock only moves forward (now ${now}, asked for ${at})`);
      now = at;
      for (const s of [...sleepers].sort((a, b) => a.at - b.at)) if (s.at <= at) s.wake();
    },
  };
}

/**
 * A {@link manualClock} that drives itself: `run` moves it to the next planned wake-up, one at a time,
 * letting every promise chain settle in between, until nothing sleeps (or `limit` wake-ups). For code
 * whose only waits are this clock's sleeps and promises (no real timers or I/O), with many concurrent
 * sleepers (where `virtualClock`'s sleeps would add up instead of overlapping).
 */
export function schedulerClock(start = 1_700_000_000_000): Clock & { run(limit?: number): Promise<void> } {
  const clock = manualClock(start);
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: clock.now,
    sleep: clock.sleep,
    random: clock.random,
    async run(limit = 1_000_000) {
      await settle();
      for (let woken = 0; woken < limit; woken++) {
        const [next] = clock.dueTimes();
        if (next === undefined) return;
        clock.advanceTo(Math.max(next, clock.now()));
        await settle();
      }
    },
  };
}
