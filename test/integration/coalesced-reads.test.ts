/**
 * The read coalescer against the emulator, over real HTTP with real signatures: concurrent deletes share
 * List calls for their pre-delete reads and confirmation probes, every release stays one call per object
 * with its own ClientToken, and the outcomes — under faults too — are the ones the per-resource reads give.
 *
 * No timing is asserted. Batches are proved from the call log: reads that start in one turn of the event
 * loop (all pre-delete reads of concurrent deletes) land in one round; and since every poller that waits
 * rides every round of its group, the poller that waited longest took part in every round, so the read
 * calls of all rounds together are at most ceil(N / max ids per List) × that poller's reads.
 */
import type { CallRecord } from "../../emulator";
import { anycastEipAddressLifecycle as eipLc } from "../../provider/anycast/eip-lifecycle";
import { LIST_EIPS_MAX_IDS } from "../../provider/anycast/api";
import { GROUP_CADENCE, liveReadGroups } from "../../provider/cloud/coalesce";
import { ContextOverrides, createContext, invoke } from "../../provider/cloud/context";
import type { CallParams } from "../../provider/cloud/transport";
import { DEFAULT_POLL_POLICY, WaitTimeoutError } from "../../provider/cloud/poll";
import { envSource, SettingsError } from "../../provider/cloud/settings";
import { LIST_ALLOCATIONS_MAX_IDS } from "../../provider/ipam/api";
import { ipamPoolAllocationLifecycle as allocLc } from "../../provider/ipam/lifecycle";
import { Props, ReleaseRefusedError } from "../../provider/lifecycle";
import { manualClock, virtualClock } from "../helpers/clock";
import { caught, emulatorContext, REGION } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";

const emu = useEmulator({ anycastTiming: "instant" });
const POOL = "ipam-pool-batch";

type Ctx = ReturnType<typeof emulatorContext>;

/** A fresh context per engine call, as the provider's runtime makes one. */
const freshCtx = (overrides: ContextOverrides = {}): Ctx => emulatorContext(emu, overrides);

function seedEips(specs: Record<string, unknown>[]): string[] {
  return (emu.control.seed({ eipanycast: { eips: specs } }) as { eipanycast: { anycastIds: string[] } }).eipanycast.anycastIds;
}

function seedAllocations(n: number): string[] {
  const allocations = Array.from({ length: n }, (_, i) => ({ ipamPoolId: POOL, cidr: `10.${i >> 8}.${i & 255}.0/24`, resourceType: "Custom" }));
  const out = emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: POOL, regionId: REGION, cidrs: ["10.0.0.0/8"] }], allocations } });
  return (out as { vpcipam: { ipamPoolAllocationIds: string[] } }).vpcipam.ipamPoolAllocationIds;
}

const eipIds = () => (emu.control.state().eipanycast as { eips: { anycastId: string }[] }).eips.map((e) => e.anycastId);
const allocationIds = () => (emu.control.state().vpcipam as { allocations: { ipamPoolAllocationId: string }[] }).allocations.map((a) => a.ipamPoolAllocationId);

/** The ids a List call named (`Name.1`, `Name.2`, …). */
function listedIds(call: CallRecord, prefix: string): string[] {
  return Object.entries(call.params)
    .filter(([k]) => k.startsWith(`${prefix}.`))
    .map(([, v]) => v);
}

/** Waits (in small real-time steps, up to a generous bound) until `cond` holds; the bound is a safety net, not a timing assertion. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

/** Read calls of one kind of object, and per id how many of them read it. */
function readCalls(calls: CallRecord[], kind: { list: string; one: string; idsParam: string; idParam: string }) {
  const reads = calls.filter((c) => c.action === kind.list || c.action === kind.one);
  const perId = new Map<string, number>();
  for (const c of reads) {
    const ids = c.action === kind.list ? listedIds(c, kind.idsParam) : [c.params[kind.idParam]];
    for (const id of ids) perId.set(id, (perId.get(id) ?? 0) + 1);
  }
  return { reads, perId };
}

const EIP_KIND = { list: "ListAnycastEipAddresses", one: "DescribeAnycastEipAddress", idsParam: "AnycastIds", idParam: "AnycastId" };
const ALLOCATION_KIND = { list: "ListIpamPoolAllocations", one: "GetIpamPoolAllocation", idsParam: "IpamPoolAllocationIds", idParam: "IpamPoolAllocationId" };

afterEach(async () => {
  // Every group is dropped once its reads and waits are over (at the end of that turn of the event loop):
  // the cache outlives no burst.
  await new Promise((resolve) => setImmediate(resolve));
  expect(liveReadGroups()).toBe(0);
});

describe("Anycast EIPs", () => {
  test("120 concurrent deletes: the pre-delete reads are ceil(120/50) List calls, every probe round at most that many, one release per EIP", async () => {
    const n = 120;
    const ids = seedEips(Array.from({ length: n }, (_, i) => ({ name: `batch${i}` })));
    emu.control.setTiming({ eipanycast: { Releasing: null } });
    emu.control.clearCalls();

    // The production poll schedule (first probe after 100 ms, then growing): rounds as in a real destroy.
    const deletes = ids.map((id) => eipLc.delete(freshCtx({ poll: DEFAULT_POLL_POLICY }), id, { anycastId: id, regionId: REGION }));
    // Hold the releases until every delete is polling and has probed twice since its release went out.
    const probedSinceRelease = () => {
      const released = new Set<string>();
      const probes = new Map<string, number>();
      for (const c of emu.control.calls()) {
        if (c.action === "ReleaseAnycastEipAddress") released.add(c.params.AnycastId);
        const read = c.action === "ListAnycastEipAddresses" ? listedIds(c, "AnycastIds") : c.action === "DescribeAnycastEipAddress" ? [c.params.AnycastId] : [];
        for (const id of read) if (released.has(id)) probes.set(id, (probes.get(id) ?? 0) + 1);
      }
      return ids.every((id) => (probes.get(id) ?? 0) >= 2);
    };
    await until(probedSinceRelease, "every delete probing its release");
    emu.control.settle();
    await Promise.all(deletes);

    const calls = emu.control.calls();
    const firstRelease = calls.findIndex((c) => c.action === "ReleaseAnycastEipAddress");
    // The pre-delete reads started in one turn of the event loop: one round, ceil(120/50) = 3 List calls.
    const preReads = calls.slice(0, firstRelease);
    expect(preReads.map((c) => c.action)).toEqual(Array(Math.ceil(n / LIST_EIPS_MAX_IDS)).fill("ListAnycastEipAddresses"));
    expect(preReads.map((c) => listedIds(c, "AnycastIds").length).sort((a, b) => a - b)).toEqual([20, 50, 50]);
    expect(new Set(preReads.flatMap((c) => listedIds(c, "AnycastIds")))).toEqual(new Set(ids));

    // Every round: at most ceil(N/50) read calls (the longest poller rode every one), none over the API maximum.
    const { reads, perId } = readCalls(calls, EIP_KIND);
    const rounds = Math.max(...perId.values());
    expect(reads.length).toBeLessThanOrEqual(Math.ceil(n / LIST_EIPS_MAX_IDS) * rounds);
    expect(rounds).toBeGreaterThanOrEqual(3); // the pre-read and at least two probes each
    for (const c of reads.filter((r) => r.action === "ListAnycastEipAddresses")) {
      expect(listedIds(c, "AnycastIds").length).toBeLessThanOrEqual(LIST_EIPS_MAX_IDS);
      expect(c.outcome.status).toBe(200);
    }

    // Releases stay one call per EIP, each with its own ClientToken.
    const releases = calls.filter((c) => c.action === "ReleaseAnycastEipAddress");
    expect(releases.map((c) => c.params.AnycastId).sort()).toEqual([...ids].sort());
    expect(new Set(releases.map((c) => c.clientToken)).size).toBe(n);
    expect(eipIds()).toEqual([]);
  });

  test("a delete alone reads with DescribeAnycastEipAddress, exactly as before", async () => {
    const [id] = seedEips([{}]);
    emu.control.clearCalls();
    await eipLc.delete(freshCtx(), id, { anycastId: id, regionId: REGION });
    expect(emu.control.calls().map((c) => c.action)).toEqual(["DescribeAnycastEipAddress", "ReleaseAnycastEipAddress", "DescribeAnycastEipAddress"]);
  });

  /** A batch with every kind of EIP the checks tell apart, deleted concurrently; the outcome of each, with its id and address named generically. */
  async function mixedDestroy(batchReads: boolean): Promise<Record<string, string>> {
    emu.control.reset();
    emu.control.setTiming({ eipanycast: { Allocating: 0, Associating: 0, Unassociating: 0, Modifying: 0, Releasing: 0 } });
    const binding = (i: number) => ({ bindInstanceId: `eni-mixed${i}`, bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" });
    const roles: { role: string; spec: Record<string, unknown>; props: Props }[] = [
      ...Array.from({ length: 12 }, (_, i) => ({ role: `plain ${i}`, spec: { name: `plain${i}` }, props: {} })),
      ...Array.from({ length: 3 }, (_, i) => ({ role: `managed ${i}`, spec: { name: `managed${i}`, serviceManaged: true }, props: {} })),
      ...Array.from({ length: 3 }, (_, i) => ({ role: `associated ${i}`, spec: { name: `assoc${i}`, bindings: [binding(i)] }, props: {} })),
      ...Array.from({ length: 3 }, (_, i) => ({ role: `detachOnDelete ${i}`, spec: { name: `detach${i}`, bindings: [binding(10 + i)] }, props: { detachOnDelete: true } })),
    ];
    const ids = seedEips(roles.map((r) => r.spec));
    const state = emu.control.state().eipanycast as { eips: { anycastId: string; ipAddress: string }[] };
    const ipOf = new Map(state.eips.map((e) => [e.anycastId, e.ipAddress]));
    // Faults on both read paths and the release: each caller's retry policy absorbs them.
    emu.control.addFault({ product: "Eipanycast", action: "ListAnycastEipAddresses", kind: "error", code: "Throttling.User", count: 2 });
    emu.control.addFault({ product: "Eipanycast", action: "DescribeAnycastEipAddress", kind: "error", code: "SystemBusy", count: 2 });
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "lost", count: 2 });
    const outcomes = await Promise.all(
      ids.map((id, i) =>
        eipLc.delete(freshCtx({ batchReads }), id, { anycastId: id, regionId: REGION, ...roles[i].props }).then(
          () => "released",
          (err: Error) => `${err instanceof ReleaseRefusedError ? "refused" : "failed"}: ${err.message.split(id).join("<id>").split(ipOf.get(id)!).join("<ip>")}`,
        ),
      ),
    );
    const left = new Set(eipIds());
    return Object.fromEntries(roles.map((r, i) => [r.role, `${outcomes[i]}; ${left.has(ids[i]) ? "kept" : "gone"}`]));
  }

  test("the same outcomes as per-resource reads, under faults: refusals, detachOnDelete, lost releases, throttled Lists", async () => {
    const perResource = await mixedDestroy(false);
    expect(emu.control.calls().filter((c) => c.action === "ListAnycastEipAddresses")).toEqual([]);
    const batched = await mixedDestroy(true);
    expect(emu.control.calls().filter((c) => c.action === "ListAnycastEipAddresses").length).toBeGreaterThan(0);
    expect(batched).toEqual(perResource);
    expect(Object.values(batched).filter((o) => o === "released; gone")).toHaveLength(15);
    expect(batched["managed 0"]).toMatch(/^refused: refusing to release Anycast EIP <id> \(<ip>, "managed0"\): it is managed by an Alibaba Cloud service/);
    expect(batched["associated 0"]).toMatch(/^refused: .*still associated with 1 instance: eni-mixed0 \(NetworkInterface in us-west-1\).*; kept$/);
  });

  test("an EIP listed with a binding is described too: the checks see Describe's binding status", async () => {
    // UNBINDING is a binding on its way out: the checks wait for it (a List item has no binding status,
    // which alone would read as "associated" and refuse).
    emu.control.setTiming({ eipanycast: { Unassociating: null } });
    const [leaving, plain] = seedEips([
      { status: "Unassociating", bindings: [{ bindInstanceId: "eni-leaving", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface", status: "UNBINDING" }] },
      {},
    ]);
    emu.control.clearCalls();
    const settleOnWait = (line: string) => {
      if (/settle before releasing/.test(line)) emu.control.settle();
    };
    await Promise.all([
      eipLc.delete(emulatorContext(emu, { progress: settleOnWait }), leaving, { anycastId: leaving, regionId: REGION }),
      eipLc.delete(freshCtx(), plain, { anycastId: plain, regionId: REGION }),
    ]);
    const calls = emu.control.calls();
    expect(calls[0].action).toBe("ListAnycastEipAddresses");
    expect(listedIds(calls[0], "AnycastIds").sort()).toEqual([leaving, plain].sort());
    expect(calls[1]).toMatchObject({ action: "DescribeAnycastEipAddress", params: { AnycastId: leaving } });
    expect(eipIds()).toEqual([]);
  });

  test("a List call refused for good (no List permission): each EIP is read with its own Describe, and every delete still releases", async () => {
    const ids = seedEips(Array.from({ length: 8 }, () => ({})));
    emu.control.addFault({ product: "Eipanycast", action: "ListAnycastEipAddresses", kind: "error", code: "Forbidden.RAM", status: 403, message: "User not authorized to operate on the specified resource." });
    const lines: string[] = [];
    await Promise.all(ids.map((id) => eipLc.delete(emulatorContext(emu, { progress: (l) => lines.push(l) }), id, { anycastId: id, regionId: REGION })));
    expect(eipIds()).toEqual([]);
    expect(lines).toContainEqual(expect.stringMatching(/^ListAnycastEipAddresses was refused \(Forbidden\.RAM, RequestId [0-9A-F-]+: User not authorized.*\); reading each Anycast EIP with its own DescribeAnycastEipAddress call instead \(grant the RAM permission for ListAnycastEipAddresses to batch these reads\)$/));
    const describedPreRead = emu.control.calls().filter((c) => c.action === "DescribeAnycastEipAddress").map((c) => c.params.AnycastId);
    expect(new Set(describedPreRead)).toEqual(new Set(ids));
    // Refused once for the whole destroy: the confirmation probes of the same deletes do not ask again.
    expect(emu.control.calls().filter((c) => c.action === "ListAnycastEipAddresses")).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("ListAnycastEipAddresses was refused"))).toHaveLength(1);
  });

  test("one read's deadline never cancels another's: a read that runs out of time gives up alone, the List call answers the other", async () => {
    const [short, long] = seedEips([{}, {}]);
    // The List reply takes 2 s; the short delete has 1 s in all.
    emu.control.addFault({ product: "Eipanycast", action: "ListAnycastEipAddresses", kind: "latency", latencyMs: 2000, count: 1 });
    const longCtx = freshCtx();
    emu.control.clearCalls();
    const [shortOutcome] = await Promise.all([
      caught(eipLc.delete(freshCtx(), short, { anycastId: short, regionId: REGION, timeoutSeconds: 1 })),
      eipLc.delete(longCtx, long, { anycastId: long, regionId: REGION }),
    ]);
    expect(shortOutcome.message).toMatch(new RegExp(`^describing Anycast EIP ${short}: ReadTimeout: .*deadline`));
    expect(eipIds()).toEqual([short]);
    // The long delete's pre-read was answered by that one List call: no failed attempt, no second read before its release.
    expect(longCtx.lines.filter((l) => /attempt \d+ failed/.test(l))).toEqual([]);
    const calls = emu.control.calls();
    expect(calls[0].action).toBe("ListAnycastEipAddresses");
    expect(listedIds(calls[0], "AnycastIds").sort()).toEqual([short, long].sort());
    const releaseAt = calls.findIndex((c) => c.action === "ReleaseAnycastEipAddress");
    expect(calls.slice(1, releaseAt).filter((c) => c.params.AnycastId === long || listedIds(c, "AnycastIds").includes(long))).toEqual([]);
  });

  test("a poller whose deadline passes stops alone; the others keep riding the rounds", async () => {
    const [short, long] = seedEips([{}, {}]);
    emu.control.setTiming({ eipanycast: { Releasing: null } });
    // Virtual clocks: the short delete's confirmation runs out (its deadline plus the 10 s grace) within
    // a few dozen probes; the long one has 300 s of probes left when the release is settled.
    const shortCtx = emulatorContext(emu, { clock: virtualClock(), poll: DEFAULT_POLL_POLICY });
    const longCtx = emulatorContext(emu, { clock: virtualClock(), poll: DEFAULT_POLL_POLICY });
    const longDelete = eipLc.delete(longCtx, long, { anycastId: long, regionId: REGION });
    const shortError = await caught(eipLc.delete(shortCtx, short, { anycastId: short, regionId: REGION, timeoutSeconds: 1 }));
    expect(shortError).toBeInstanceOf(WaitTimeoutError);
    expect(shortError.message).toMatch(new RegExp(`^waiting for Anycast EIP ${short} to be released: still Releasing after`));
    // Until then the two polled in shared rounds.
    const shared = emu.control.calls().filter((c) => c.action === "ListAnycastEipAddresses" && listedIds(c, "AnycastIds").length === 2);
    expect(shared.length).toBeGreaterThanOrEqual(2);
    const after = emu.control.calls().at(-1)!.seq;
    emu.control.settle();
    await longDelete;
    expect(eipIds()).toEqual([]);
    const laterReads = emu.control.calls(after).filter((c) => c.action === "ListAnycastEipAddresses" || c.action === "DescribeAnycastEipAddress");
    expect(laterReads.length).toBeGreaterThan(0);
  });
});

describe("the group's own rounds (cadence)", () => {
  /** Moves `clock` from one planned time to the next until `done` settles. */
  async function driveUntil(clock: ReturnType<typeof manualClock>, done: Promise<unknown>): Promise<void> {
    let finished = false;
    void done.then(() => (finished = true), () => (finished = true));
    while (!finished) {
      await until(() => finished || clock.dueTimes().length > 0, "a planned wake-up or the end");
      if (!finished) clock.advanceTo(clock.dueTimes()[0]);
    }
    await done;
  }

  /** Deletes `n` EIPs whose release never completes on its own, on `clock`, and waits until each polls (its first wait planned). */
  async function pollingDeletes(clock: ReturnType<typeof manualClock>, n: number) {
    const ids = seedEips(Array.from({ length: n }, () => ({})));
    emu.control.setTiming({ eipanycast: { Releasing: null } });
    emu.control.clearCalls();
    const ctxs = ids.map(() => freshCtx({ clock, poll: DEFAULT_POLL_POLICY }));
    const deletes = Promise.all(ids.map((id, i) => eipLc.delete(ctxs[i], id, { anycastId: id, regionId: REGION })));
    await until(() => clock.dueTimes().length === n, "every delete waiting for its first probe");
    return { ids, deletes, ctxs };
  }

  const probes = (ids: string[]) => emu.control.calls().filter((c) => c.action === "ListAnycastEipAddresses" || (c.action === "DescribeAnycastEipAddress" && ids.includes(c.params.AnycastId)));

  test("two pollers waiting: the group's next round comes GROUP_CADENCE of their wait after the last, before either poller's own time", async () => {
    const clock = manualClock();
    const t0 = clock.now();
    const { ids, deletes } = await pollingDeletes(clock, 2);
    const first = DEFAULT_POLL_POLICY.firstDelayMs;
    expect(clock.dueTimes()).toEqual([t0 + first, t0 + first]);
    // Their first probes: one round (the clock does not move while it is in the air: it took 0 ms on it).
    clock.advanceTo(t0 + first);
    const interval = DEFAULT_POLL_POLICY.minIntervalMs;
    const ownNext = t0 + first + interval;
    await until(() => clock.dueTimes().filter((t) => t === ownNext).length === 2, "both pollers waiting again");
    // The group planned its own round when the second poller began to wait.
    const cadenceAt = t0 + first + interval * GROUP_CADENCE;
    expect(clock.dueTimes()).toEqual([cadenceAt, ownNext, ownNext]);
    const before = probes(ids).length;
    clock.advanceTo(cadenceAt);
    await until(() => probes(ids).length > before, "the group's round");
    const round = probes(ids).slice(before);
    expect(round.map((c) => c.action)).toEqual(["ListAnycastEipAddresses"]);
    expect(listedIds(round[0], "AnycastIds").sort()).toEqual([...ids].sort());
    emu.control.settle();
    await driveUntil(clock, deletes);
    expect(eipIds()).toEqual([]);
  });

  test("a round that cannot read a poller's object leaves its wait running: its own probe comes at its own time, no attempt failed", async () => {
    const clock = manualClock();
    const t0 = clock.now();
    const { ids, deletes, ctxs } = await pollingDeletes(clock, 2);
    const first = DEFAULT_POLL_POLICY.firstDelayMs;
    const interval = DEFAULT_POLL_POLICY.minIntervalMs;
    clock.advanceTo(t0 + first);
    const ownNext = t0 + first + interval;
    await until(() => clock.dueTimes().filter((t) => t === ownNext).length === 2, "both pollers waiting again");
    const cadenceAt = clock.dueTimes()[0];
    expect(cadenceAt).toBeLessThan(ownNext);
    // The group's own round fails (throttled): the pollers rode it, so neither has an attempt to retry.
    emu.control.addFault({ product: "Eipanycast", action: "ListAnycastEipAddresses", kind: "error", code: "Throttling.User", count: 1 });
    const before = probes(ids).length;
    clock.advanceTo(cadenceAt);
    const nextCadence = cadenceAt + interval * GROUP_CADENCE;
    await until(() => clock.dueTimes().includes(nextCadence), "the failed round over, the next one planned");
    expect(probes(ids).slice(before).map((c) => c.outcome.code)).toEqual(["Throttling.User"]);
    expect(clock.dueTimes()).toEqual([ownNext, ownNext, nextCadence]);
    // Their own time: each probes with a read of its own, and the two reads share one List call.
    clock.advanceTo(ownNext);
    await until(() => probes(ids).length === before + 2, "the pollers' own probes");
    const own = probes(ids).at(-1)!;
    expect(own.outcome.status).toBe(200);
    expect(listedIds(own, "AnycastIds").sort()).toEqual([...ids].sort());
    emu.control.settle();
    await driveUntil(clock, deletes);
    for (const ctx of ctxs) expect(ctx.lines.filter((l) => /attempt \d+ failed/.test(l))).toEqual([]);
  });

  test("a poller alone keeps its own schedule: no round of the group's own", async () => {
    const clock = manualClock();
    const t0 = clock.now();
    const { ids, deletes } = await pollingDeletes(clock, 1);
    const first = DEFAULT_POLL_POLICY.firstDelayMs;
    clock.advanceTo(t0 + first);
    await until(() => probes(ids).length === 2 && clock.dueTimes().length === 1, "the first probe answered and the next wait planned");
    expect(clock.dueTimes()).toEqual([t0 + first + DEFAULT_POLL_POLICY.minIntervalMs]);
    emu.control.settle();
    await driveUntil(clock, deletes);
    expect(probes(ids).map((c) => c.action)).toEqual(["DescribeAnycastEipAddress", "DescribeAnycastEipAddress", "DescribeAnycastEipAddress"]);
  });
});

describe("IPAM pool allocations", () => {
  test("150 concurrent deletes in one pool: the pre-delete reads are ceil(150/20) List calls; one delete per allocation", async () => {
    const n = 150;
    const ids = seedAllocations(n);
    emu.control.clearCalls();
    await Promise.all(ids.map((id) => allocLc.delete(freshCtx(), id, { allocationId: id, ipamPoolId: POOL, regionId: REGION })));
    const calls = emu.control.calls();
    // The first round: its ceil(150/20) List calls go out together (deletes may start as soon as the
    // first answers), and no allocation is read on its own.
    const preReads = calls.filter((c) => c.action === "ListIpamPoolAllocations").slice(0, Math.ceil(n / LIST_ALLOCATIONS_MAX_IDS));
    // (A confirmation read that comes alone after its delete is a Get by design: how they fall together
    // is the timers' race, so only the pre-delete reads are held to the List.)
    const firstDelete = Math.min(...calls.filter((c) => c.action === "DeleteIpamPoolAllocation").map((c) => c.seq));
    expect(calls.filter((c) => c.action === "GetIpamPoolAllocation" && c.seq < firstDelete)).toEqual([]);
    expect(preReads.map((c) => listedIds(c, "IpamPoolAllocationIds").length).sort((a, b) => a - b)).toEqual([10, 20, 20, 20, 20, 20, 20, 20]);
    expect(preReads.every((c) => c.params.IpamPoolId === POOL && c.params.RegionId === REGION && c.params.MaxResults === String(LIST_ALLOCATIONS_MAX_IDS))).toBe(true);
    expect(new Set(preReads.flatMap((c) => listedIds(c, "IpamPoolAllocationIds")))).toEqual(new Set(ids));
    const deletes = calls.filter((c) => c.action === "DeleteIpamPoolAllocation");
    expect(deletes.map((c) => c.params.IpamPoolAllocationId).sort()).toEqual([...ids].sort());
    expect(new Set(deletes.map((c) => c.clientToken)).size).toBe(n);
    // Every allocation was confirmed gone by a read after its delete.
    const { reads } = readCalls(calls, ALLOCATION_KIND);
    const deletedAt = new Map(deletes.map((c) => [c.params.IpamPoolAllocationId, c.seq]));
    for (const id of ids) expect(reads.some((c) => c.seq > deletedAt.get(id)! && (listedIds(c, "IpamPoolAllocationIds").includes(id) || c.params.IpamPoolAllocationId === id))).toBe(true);
    expect(allocationIds()).toEqual([]);
  });

  test("state without a pool reads with GetIpamPoolAllocation; a delete alone too", async () => {
    const [a, b] = seedAllocations(2);
    emu.control.clearCalls();
    await allocLc.delete(freshCtx(), a, { allocationId: a, ipamPoolId: POOL, regionId: REGION });
    await Promise.all([allocLc.delete(freshCtx(), b, { allocationId: b, regionId: REGION })]);
    expect(emu.control.calls().map((c) => c.action)).toEqual([
      "GetIpamPoolAllocation",
      "DeleteIpamPoolAllocation",
      "GetIpamPoolAllocation",
      "GetIpamPoolAllocation",
      "DeleteIpamPoolAllocation",
      "GetIpamPoolAllocation",
    ]);
  });

  test("a List call refused for good falls back to Get; a throttled one is retried: every delete releases", async () => {
    const ids = seedAllocations(10);
    emu.control.addFault({ product: "VpcIpam", action: "ListIpamPoolAllocations", kind: "error", code: "Throttling.User", count: 1 });
    emu.control.addFault({ product: "VpcIpam", action: "ListIpamPoolAllocations", kind: "error", code: "Forbidden.RAM", status: 403 });
    await Promise.all(ids.map((id) => allocLc.delete(freshCtx(), id, { allocationId: id, ipamPoolId: POOL, regionId: REGION })));
    expect(allocationIds()).toEqual([]);
    const lists = emu.control.calls().filter((c) => c.action === "ListIpamPoolAllocations");
    expect(lists.map((c) => c.outcome.code).slice(0, 2)).toEqual(["Throttling.User", "Forbidden.RAM"]);
    expect(new Set(emu.control.calls().filter((c) => c.action === "GetIpamPoolAllocation").map((c) => c.params.IpamPoolAllocationId))).toEqual(new Set(ids));
  });
});

describe("reads (pulumi refresh)", () => {
  test("Anycast EIPs read at once: ceil(N/50) List calls, a Describe only for an EIP with a binding, outputs identical to one read each", async () => {
    const binding = { bindInstanceId: "eni-refresh", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" };
    const ids = seedEips([...Array.from({ length: 60 }, (_, i) => ({ name: `refresh${i}`, tags: [{ key: "n", value: String(i) }] })), { name: "bound", bindings: [binding] }]);
    const gone = ["aeip-refreshgone1", "aeip-refreshgone2"];
    const readAll = (batchReads: boolean) =>
      Promise.all([...ids, ...gone].map((id) => eipLc.read!(freshCtx({ batchReads }), id, { anycastId: id, regionId: REGION, detachOnDelete: false })));
    emu.control.clearCalls();
    const one = await readAll(false);
    expect(emu.control.calls().map((c) => c.action)).toEqual(Array(ids.length + gone.length).fill("DescribeAnycastEipAddress"));
    emu.control.clearCalls();
    const batched = await readAll(true);
    const calls = emu.control.calls();
    expect(calls.filter((c) => c.action === "ListAnycastEipAddresses")).toHaveLength(Math.ceil((ids.length + gone.length) / LIST_EIPS_MAX_IDS));
    expect(calls.filter((c) => c.action === "DescribeAnycastEipAddress").map((c) => c.params.AnycastId)).toEqual([ids.at(-1)]);
    expect(batched).toEqual(one);
    expect(batched.slice(-2)).toEqual([{}, {}]);
    expect(batched[0]).toMatchObject({ id: ids[0], props: { anycastId: ids[0], name: "refresh0", tags: { n: "0" } } });
  });

  test("allocations of one pool read at once: ceil(N/20) List calls, outputs identical to one Get each", async () => {
    const ids = seedAllocations(45);
    const readAll = (batchReads: boolean) =>
      Promise.all([...ids, "ipam-pool-alloc-refreshgone"].map((id) => allocLc.read!(freshCtx({ batchReads }), id, { allocationId: id, ipamPoolId: POOL, regionId: REGION })));
    emu.control.clearCalls();
    const one = await readAll(false);
    expect(emu.control.calls().map((c) => c.action)).toEqual(Array(ids.length + 1).fill("GetIpamPoolAllocation"));
    emu.control.clearCalls();
    const batched = await readAll(true);
    expect(emu.control.calls().map((c) => c.action)).toEqual(Array(Math.ceil((ids.length + 1) / LIST_ALLOCATIONS_MAX_IDS)).fill("ListIpamPoolAllocations"));
    expect(batched).toEqual(one);
    expect(batched.at(-1)).toEqual({});
    expect(batched[0]).toMatchObject({ id: ids[0], props: { allocationId: ids[0], ipamPoolId: POOL } });
  });
});

describe("the List calls as the SDK sends them", () => {
  test("AnycastIds.N takes up to 50 ids; ListIpamPoolAllocations needs IpamPoolId and takes up to 20 IpamPoolAllocationIds.N (its API page)", async () => {
    const ctx = freshCtx({ retry: { maxAttempts: 1 } });
    const call = (product: "Eipanycast" | "VpcIpam", action: string, params: Record<string, unknown>) =>
      invoke(ctx, { operation: action, product, action, params: params as CallParams, region: REGION });
    const aeips = (n: number) => Array.from({ length: n }, (_, i) => `aeip-x${i}`);
    expect(await call("Eipanycast", "ListAnycastEipAddresses", { AnycastIds: aeips(50), MaxResults: 50 })).toMatchObject({ AnycastList: [], TotalCount: 0 });
    expect(await caught(call("Eipanycast", "ListAnycastEipAddresses", { AnycastIds: aeips(51), MaxResults: 50 }))).toMatchObject({ code: "InvalidParameter.AnycastIds" });
    seedAllocations(1);
    const allocs = (n: number) => Array.from({ length: n }, (_, i) => `ipam-pool-alloc-x${i}`);
    const listed = await call("VpcIpam", "ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, IpamPoolAllocationIds: allocs(20), MaxResults: 100 });
    expect(listed).toMatchObject({ IpamPoolAllocations: [], MaxResults: 100 });
    expect(await caught(call("VpcIpam", "ListIpamPoolAllocations", { RegionId: REGION, IpamPoolId: POOL, IpamPoolAllocationIds: allocs(21) }))).toMatchObject({ code: "InvalidParameter" });
    expect(await caught(call("VpcIpam", "ListIpamPoolAllocations", { RegionId: REGION, IpamPoolAllocationIds: allocs(1) }))).toMatchObject({ code: "MissingParameter" });
  });
});

describe("the batchReads setting", () => {
  test("alicloud-release:batchReads / ALICLOUD_RELEASE_BATCH_READS: true by default, false turns batching off, anything else names the setting", () => {
    expect(createContext(envSource({})).batchReads).toBe(true);
    expect(createContext(envSource({ ALICLOUD_RELEASE_BATCH_READS: "false" })).batchReads).toBe(false);
    expect(createContext(envSource({ ALICLOUD_RELEASE_BATCH_READS: "false" }, { "alicloud-release:batchReads": "true" })).batchReads).toBe(true);
    const err = (() => {
      try {
        createContext(envSource({ ALICLOUD_RELEASE_BATCH_READS: "sometimes" }));
      } catch (e) {
        return e as Error;
      }
      throw new Error("expected a SettingsError");
    })();
    expect(err).toBeInstanceOf(SettingsError);
    expect(err.message).toBe('env ALICLOUD_RELEASE_BATCH_READS is "sometimes"; expected true (batch reads into List calls, the default) or false (one Describe/Get per read)');
  });
});
