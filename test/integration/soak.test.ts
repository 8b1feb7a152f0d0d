/**
 * The reduced fault soak (the full one is `npm run soak -- --cycles 500 --seed N`): 50 cycles of an IPAM
 * pool allocation (create → update → delete) and an Anycast EIP with an association (create → update →
 * associate → detach → release), every 5th cycle first refused and then fixed, with 20 % of all API calls
 * faulted from a fixed seed (5xx, throttling, busy, connection resets and lost replies). See
 * bench/soak-core.ts.
 *
 * Seeded timing: no outcome here races a real timer. The faults that stand for read timeouts are `lost`
 * replies chosen by the seed, and backoff and poll waits run on a virtual clock, so the calls a seed makes
 * are the same on a quiet machine and a loaded one. Giving up on a late reply in real time is covered by
 * test/integration/cloud-transport.test.ts and the full `npm run soak`.
 */
import { SoakReport, describeSoak, runSoak } from "../../bench/soak-core";
import { budgetMs, stallEventLoop } from "../helpers/budget";

const SEED = 20260108;
/** A soak cycle takes about 0.35 s on a quiet 2-core machine, 1.7 s at load 4–5 and 3.4 s at load 9–10. */
const PER_CYCLE_MS = 8_000;

function explain(r: SoakReport): string {
  return `\n${describeSoak(r)}\n`;
}

test(
  "50 cycles under 20 % faults: every cycle ends as intended, nothing leaks, no create duplicates, no refused release makes a release call",
  async () => {
    const r = await runSoak({ cycles: 50, seed: SEED, lanes: 8, timing: "seeded" });

    // Every cycle reached its intended states (each step is checked against the emulator's inventory).
    expect({ failures: r.failures, summary: r.failures.length ? explain(r) : "" }).toEqual({ failures: [], summary: "" });
    expect(r.creates).toEqual({ allocations: 50, eips: 50, associations: 50 });
    // Nothing leaked.
    expect(r.leaks).toEqual({ allocations: [], eips: [] });
    // A retried create never made a second object: the ClientToken worked (and was exercised).
    expect(r.duplicates).toEqual([]);
    expect(Object.values(r.replays).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // Refusals: each was refused, made no release call, and after the fix the release went through.
    expect(r.refusals).toEqual({ expected: 20, refused: 20, releaseCallsWhileRefused: 0, fixedAndReleased: 20 });
    expect(r.ok).toBe(true);

    // The faults really happened: about 20 % of the calls, every kind, lost replies on mutating calls.
    expect(r.faulted / r.calls).toBeGreaterThan(0.15);
    expect(r.faulted / r.calls).toBeLessThan(0.25);
    for (const kind of ["SystemBusy", "Throttling.User", "OperationFailed.Conflict", "IncorrectStatus.Anycast", "reset", "lost"]) {
      expect({ kind, n: (r.faultsByKind[kind] ?? 0) > 0 }).toEqual({ kind, n: true });
    }
    // Lost replies (committed, no answer — a timeout's effect) hit each kind of mutating call, and were retried.
    for (const action of ["CreateIpamPoolAllocation", "DeleteIpamPoolAllocation", "AllocateAnycastEipAddress", "AssociateAnycastEipAddress", "ReleaseAnycastEipAddress"]) {
      expect({ action, lost: (r.lostByAction[action] ?? 0) > 0 }).toEqual({ action, lost: true });
    }
  },
  budgetMs(50, PER_CYCLE_MS),
);

test(
  "the same seed makes the same decisions, call for call, even while the machine stalls",
  async () => {
    const options = { cycles: 6, seed: SEED + 1, lanes: 3, timing: "seeded" as const };
    const quiet = await runSoak(options);
    // The event loop blocked for 250 ms out of every 500: every call, timer and reply in flight is late, as
    // on a machine with more runnable work than cores. With real read timeouts (200 ms) and real sleeps,
    // 12 un-faulted calls timed out here and the stalled run made 236 calls instead of 226.
    const stop = stallEventLoop(250, 250);
    let stalled: SoakReport;
    try {
      stalled = await runSoak(options);
    } finally {
      stop();
    }
    expect(quiet.ok && stalled.ok).toBe(true);
    expect(quiet.calls).toBeGreaterThan(0);
    expect(stalled.decisions).toEqual(quiet.decisions);
    expect(stalled.calls).toBe(quiet.calls);
    expect(stalled.faultsByKind).toEqual(quiet.faultsByKind);
  },
  budgetMs(2 * 6, 3 * PER_CYCLE_MS),
);
