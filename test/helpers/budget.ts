/**
 * Test timeouts that scale with what a test does instead of one flat figure tuned on a quiet machine: a
 * budget per unit of work (a soak cycle, a `pulumi` command) times the units, plus a fixed allowance.
 * The per-unit figures are about 10× what a quiet 2-core machine needs, so a loaded one (load 4–5 on
 * 2 cores runs everything 3–5× slower) still fits. TEST_TIME_SCALE (a number, default 1) multiplies every
 * budget for machines slower still. A budget only bounds a hung test; no test asserts how long it took.
 */
export function budgetMs(units: number, perUnitMs: number, fixedMs = 10_000): number {
  return Math.ceil((fixedMs + units * perUnitMs) * timeScale());
}

function timeScale(): number {
  const raw = process.env.TEST_TIME_SCALE;
  if (raw === undefined || raw === "") return 1;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n > 0)) throw new Error(`TEST_TIME_SCALE is "${raw}"; expected a positive number such as 2`);
  return n;
}

/**
 * Blocks this process's event loop for `blockMs`, lets it run for `freeMs`, and so on, as a machine too
 * busy to schedule it would: every call, timer and reply in flight is late. A test run under it shows
 * whether real timers decide an outcome. Call the result to stop.
 */
export function stallEventLoop(blockMs: number, freeMs: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const block = () => {
    const end = Date.now() + blockMs;
    while (Date.now() < end) {
      // busy: nothing else in this process runs meanwhile
    }
    if (!stopped) timer = setTimeout(block, freeMs);
  };
  timer = setTimeout(block, freeMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
