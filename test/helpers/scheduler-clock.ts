import { Clock } from "../../provider/cloud/retry";

/**
 * A discrete-event virtual clock for many concurrent sleepers: a sleep registers a timer, and `run`
 * fires the timers in time order, letting every promise chain settle between two of them. Unlike
 * `virtualClock` (where a sleep advances time at once), concurrent sleeps overlap as real ones do. For
 * code whose only waits are this clock's sleeps and promises (no real timers or I/O).
 */
export function schedulerClock(start = 1_700_000_000_000): Clock & { run(limit?: number): Promise<void> } {
  let now = start;
  let seq = 0;
  const timers: { at: number; seq: number; fire: () => void }[] = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    random: () => 0.5,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const timer = { at: now + Math.max(0, ms), seq: seq++, fire: resolve };
        timers.push(timer);
        signal?.addEventListener(
          "abort",
          () => {
            const i = timers.indexOf(timer);
            if (i >= 0) timers.splice(i, 1);
            resolve();
          },
          { once: true },
        );
      }),
    /** Fires timers in order until none is left (or `limit` have fired), settling promises after each. */
    async run(limit = 1_000_000) {
      await settle();
      for (let fired = 0; timers.length > 0 && fired < limit; fired++) {
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers.shift()!;
        now = Math.max(now, next.at);
        next.fire();
        await settle();
      }
    },
  };
}
