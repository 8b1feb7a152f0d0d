import { Clock } from "../../provider/cloud/retry";

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
