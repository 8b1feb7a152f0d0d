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
