/**
 * The reduced fault soak (the full one is `npm run soak -- --cycles 500 --seed N`): 50 cycles of an IPAM
 * pool allocation (create → update → delete) and an Anycast EIP with an association (create → update →
 * associate → detach → release), every 5th cycle first refused and then fixed, with 20 % of all API calls
 * faulted from a fixed seed (5xx, throttling, busy, connection resets, replies past the read timeout and
 * lost replies). See bench/soak-core.ts.
 */
import { SoakReport, describeSoak, runSoak } from "../../bench/soak-core";

jest.setTimeout(60_000);

const SEED = 20260108;

function explain(r: SoakReport): string {
  return `\n${describeSoak(r)}\n`;
}

test("50 cycles under 20 % faults: every cycle ends as intended, nothing leaks, no create duplicates, no refused release makes a release call", async () => {
  const r = await runSoak({ cycles: 50, seed: SEED, lanes: 8, readTimeoutMs: 50 });

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
  for (const kind of ["SystemBusy", "Throttling.User", "OperationFailed.Conflict", "IncorrectStatus.Anycast", "reset", "lost", "readTimeout"]) {
    expect({ kind, n: (r.faultsByKind[kind] ?? 0) > 0 }).toEqual({ kind, n: true });
  }
  expect(Object.values(r.lostByAction).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  // Every reply held past the read timeout was given up on (and retried with the same token), none waited out.
  expect(r.readTimeouts.injected).toBeGreaterThan(0);
  expect(r.readTimeouts.clientGaveUp).toBeGreaterThanOrEqual(r.readTimeouts.injected);
});

test("the same seed replays the same calls and faults", async () => {
  // A read timeout well above any scheduling hiccup, so that real time cannot change which calls time out.
  const options = { cycles: 6, seed: SEED + 1, lanes: 3, readTimeoutMs: 200 };
  const a = await runSoak(options);
  const b = await runSoak(options);
  expect(a.ok && b.ok).toBe(true);
  expect(b.calls).toBe(a.calls);
  expect(b.faultsByKind).toEqual(a.faultsByKind);
  expect(b.fingerprints).toEqual(a.fingerprints);
});
