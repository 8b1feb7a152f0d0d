/**
 * Pacing of throttled actions (provider/cloud/pacing.ts) against the emulator's per-action throttle, over
 * real HTTP with real signatures: concurrent deletes whose releases overrun the throttle queue for it and
 * all end released, each release committed once with its own ClientToken, and the progress lines say
 * the retries wait in turn at the learnt pace. No timing is asserted (that is the bench's): the figures
 * are in bench/results ("Throttled destroy in one process").
 */
import { anycastEipAddressLifecycle as eipLc } from "../../provider/anycast/eip-lifecycle";
import { emulatorContext, REGION } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";

const emu = useEmulator({ anycastTiming: "instant" });

function seedEips(n: number): string[] {
  const out = emu.control.seed({ eipanycast: { eips: Array.from({ length: n }, (_, i) => ({ name: `paced${i}` })) } });
  return (out as { eipanycast: { anycastIds: string[] } }).eipanycast.anycastIds;
}

describe("pacing of a throttled release", () => {
  it("30 concurrent releases over a throttle of burst 5: all released, each committed once, retries waiting in turn", async () => {
    const ids = seedEips(30);
    emu.control.setRateLimit({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", perSecond: 25, burst: 5 });
    // The tests' zero backoff base turns pacing off by default (no waits between attempts); here it is on.
    const contexts = ids.map(() => emulatorContext(emu, { pace: {} }));
    await Promise.all(ids.map((id, i) => eipLc.delete(contexts[i], id, { anycastId: id, regionId: REGION })));

    expect((emu.control.state().eipanycast as { eips: unknown[] }).eips).toEqual([]);
    const releases = emu.control.calls().filter((c) => c.action === "ReleaseAnycastEipAddress");
    const committed = releases.filter((c) => c.mutating);
    expect(committed.map((c) => c.params.AnycastId).sort()).toEqual([...ids].sort());
    // Every attempt of one release carried the same ClientToken, and no two releases shared one.
    const tokenOf = new Map<string, Set<string>>();
    for (const c of releases) tokenOf.set(c.params.AnycastId, (tokenOf.get(c.params.AnycastId) ?? new Set()).add(c.params.ClientToken));
    expect([...tokenOf.values()].every((t) => t.size === 1)).toBe(true);
    expect(new Set(committed.map((c) => c.params.ClientToken)).size).toBe(30);
    const throttled = releases.filter((c) => c.outcome.code === "Throttling.User");
    expect(throttled.length).toBeGreaterThan(0);
    const lines = contexts.flatMap((c) => c.lines);
    expect(lines.filter((l) => /attempt \d+ failed \(Throttling\.User, RequestId [^)]+\); retrying in turn \(the action is paced at \d+\.\d calls\/s in this process\)/.test(l))).toHaveLength(throttled.length);
  });

  it("leaves the tests' zero backoff unpaced: a throttled retry goes again at once", async () => {
    const [id] = seedEips(1);
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "error", code: "Throttling.User", count: 1 });
    const ctx = emulatorContext(emu);
    await eipLc.delete(ctx, id, { anycastId: id, regionId: REGION });
    expect(ctx.lines.filter((l) => l.includes("Throttling.User"))).toEqual([expect.stringMatching(/; retrying in 0 s$/)]);
  });
});
