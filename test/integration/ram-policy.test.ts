/**
 * The documented RAM policies are sufficient and minimal, proved against the emulator's RAM checks over
 * real HTTP with real signatures:
 * - sufficient: the lifecycle scenario (every action the provider calls) passes under docs/ram-policy.json,
 *   and the destroy preflight under docs/ram-policy-preflight.json, with no call denied;
 * - minimal: for each statement, the same run without it fails, and the error the user sees names the
 *   code, the missing RAM action and the request id of the denied call;
 * - the List statements are optional: they let the reads of concurrent deletes and checks be batched (one
 *   List call for many objects). Without one, a concurrent destroy or preflight still succeeds, with
 *   exactly one denied List call per group of reads and a Describe/Get per object, and the progress line
 *   names the missing permission (code, RAM action, request id).
 */
import { CallRecord } from "../../emulator";
import type { PolicyDocument } from "../helpers/ram-scenarios";
import { caught, emulatorContext } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";
import {
  actionOf,
  CONCURRENT_EACH,
  concurrentPreflightStack,
  documentedPolicy,
  preflightStack,
  runConcurrentDestroyScenario,
  runLifecycleScenario,
  runPreflightScenario,
  seedPools,
  withoutStatement,
} from "../helpers/ram-scenarios";

const emu = useEmulator({ anycastTiming: "instant" });
beforeEach(() => seedPools(emu));
afterEach(() => emu.control.setRamPolicy(null));

const LIFECYCLE = documentedPolicy("ram-policy.json");
const PREFLIGHT = documentedPolicy("ram-policy-preflight.json");

const denials = (): CallRecord[] => emu.control.calls().filter((c) => c.outcome.code === "Forbidden.RAM");
const lastSeq = (): number => emu.control.calls().reduce((m, c) => Math.max(m, c.seq), 0);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The optional statements: each List action, what it batches, and the one-object call it falls back to. */
const LIST_READS: Readonly<Record<string, { oneAction: string; noun: string; idsParam: string; idParam: string }>> = {
  "eipanycast:ListAnycastEipAddresses": { oneAction: "DescribeAnycastEipAddress", noun: "Anycast EIP", idsParam: "AnycastIds", idParam: "AnycastId" },
  "vpc:ListIpamPoolAllocations": { oneAction: "GetIpamPoolAllocation", noun: "IPAM pool allocation", idsParam: "IpamPoolAllocationIds", idParam: "IpamPoolAllocationId" },
};
const isListStatement = (ramAction: string): boolean => Object.prototype.hasOwnProperty.call(LIST_READS, ramAction);
const statementsOf = (policy: PolicyDocument, list: boolean) =>
  policy.Statement.map((s, i) => [actionOf(s), i] as const).filter(([ramAction]) => isListStatement(ramAction) === list);

/** The ids a List call named (`AnycastIds.1`, …). */
const listedIds = (call: CallRecord, idsParam: string): string[] =>
  Object.entries(call.params)
    .filter(([k]) => k.startsWith(`${idsParam}.`))
    .map(([, v]) => v);

/** Successful List calls after `mark` that batched several ids, by List action. */
function batchedLists(mark: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of emu.control.calls(mark)) {
    const action = c.action ?? "";
    const entry = Object.entries(LIST_READS).find(([ramAction]) => ramAction.endsWith(`:${action}`));
    if (entry && c.outcome.status === 200 && listedIds(c, entry[1].idsParam).length > 1) out[action] = (out[action] ?? 0) + 1;
  }
  return out;
}

/** Every object the denied List call named was then read with its own one-object call. */
function expectReadOneByOne(ramAction: string, denied: CallRecord): void {
  const { oneAction, idsParam, idParam } = LIST_READS[ramAction];
  const named = listedIds(denied, idsParam);
  expect(named.length).toBeGreaterThan(1);
  const readAlone = emu.control.calls(denied.seq).filter((c) => c.action === oneAction && c.outcome.status === 200);
  for (const id of named) expect(readAlone.map((c) => c.params[idParam])).toContain(id);
}

/**
 * What the user must read when a List call is denied and the reads fall back: exactly one progress line
 * naming the List action, code, message, the missing RAM action and the denied call's request id, and
 * that each object is read with its own call instead.
 */
function expectFallbackShown(lines: readonly string[], ramAction: string, denied: CallRecord): void {
  const { oneAction, noun } = LIST_READS[ramAction];
  const about = lines.filter((l) => l.startsWith(`${denied.action} was refused`));
  expect(about).toHaveLength(1);
  expect(about[0]).toMatch(
    new RegExp(
      `^${denied.action} was refused \\(Forbidden\\.RAM, RequestId ${escape(denied.requestId)}: User not authorized to operate on the specified resource, ` +
        `or this API doesn't support RAM\\. Missing RAM permission: ${escape(ramAction)} on \\* \\(ImplicitDeny\\)\\); ` +
        `reading each ${noun} with its own ${oneAction} call instead \\(grant ${escape(ramAction)} to batch these reads\\)$`,
    ),
  );
}

/** What the user must read in a denial: code, message, the missing action (and its resource), request id. */
function expectDenialShown(text: string, ramAction: string, denied: CallRecord): void {
  expect(denied.action).toBe(ramAction.split(":")[1]);
  expect(text).toMatch(
    new RegExp(
      `Forbidden\\.RAM: User not authorized to operate on the specified resource, or this API doesn't support RAM\\. ` +
        `Missing RAM permission: ${escape(ramAction)} on \\S+ \\(ImplicitDeny\\)`,
    ),
  );
  expect(text).toContain(`(RequestId ${denied.requestId})`);
}

describe("docs/ram-policy.json (create, update, refresh, delete of every resource)", () => {
  test("is sufficient: the whole lifecycle and a concurrent destroy pass under it, the destroy's reads batched, no call denied", async () => {
    emu.control.setRamPolicy(LIFECYCLE);
    await runLifecycleScenario(emulatorContext(emu));
    const mark = lastSeq();
    await runConcurrentDestroyScenario(emulatorContext(emu));
    expect(denials()).toEqual([]);
    // the concurrent deletes shared List calls: at least one for the EIPs and one for the pool's allocations
    expect(batchedLists(mark)).toEqual({ ListAnycastEipAddresses: expect.any(Number), ListIpamPoolAllocations: expect.any(Number) });
    // every granted action was needed by some step (the per-statement tests below prove each one)
    const called = new Set(emu.control.calls().map((c) => c.action));
    for (const s of LIFECYCLE.Statement) expect(called).toContain(actionOf(s).split(":")[1]);
    expect((emu.control.state().eipanycast as { eips: unknown[] }).eips).toEqual([]);
    expect((emu.control.state().vpcipam as { allocations: unknown[] }).allocations).toEqual([]);
  });

  test.each(statementsOf(LIFECYCLE, false))("is minimal: without %s the lifecycle fails with Forbidden.RAM naming it", async (ramAction, index) => {
    emu.control.setRamPolicy(withoutStatement(LIFECYCLE, index));
    const err = await caught(runLifecycleScenario(emulatorContext(emu)));
    const denied = denials();
    expect(denied).toHaveLength(1); // the first denial stops the run: no retry of a denied call
    expectDenialShown(err.message, ramAction, denied[0]);
  });

  test.each(statementsOf(LIFECYCLE, true).map(([ramAction, index]) => [ramAction, /^[A-Z][a-z]+/.exec(LIST_READS[ramAction].oneAction)![0], index] as const))(
    "without %s the destroy falls back to %s and says which permission would batch it",
    async (ramAction, _oneVerb, index) => {
      emu.control.setRamPolicy(withoutStatement(LIFECYCLE, index));
      const ctx = emulatorContext(emu);
      await runConcurrentDestroyScenario(ctx);
      // every delete went through
      expect((emu.control.state().eipanycast as { eips: unknown[] }).eips).toEqual([]);
      expect((emu.control.state().vpcipam as { allocations: unknown[] }).allocations).toEqual([]);
      // one denied List call for the group; its objects were read one by one; the other group still batched
      const denied = denials();
      expect(denied.map((c) => c.action)).toEqual([ramAction.split(":")[1]]);
      expectReadOneByOne(ramAction, denied[0]);
      const other = Object.keys(LIST_READS).find((a) => a !== ramAction)!.split(":")[1];
      expect(batchedLists(0)[other]).toBeGreaterThan(0);
      expectFallbackShown(ctx.lines, ramAction, denied[0]);
    },
  );
});

describe("docs/ram-policy-preflight.json (pulumi-alicloud-release preflight: reads and a DryRun delete)", () => {
  test("is sufficient: every resource is checked (releasable), alone and several at once (reads batched), with reads and the DryRun only", async () => {
    const resources = await preflightStack(emulatorContext(emu));
    const several = await concurrentPreflightStack(emulatorContext(emu));
    emu.control.setRamPolicy(PREFLIGHT);
    const mark = lastSeq();
    const report = await runPreflightScenario(emu, resources);
    expect(report.resources.map((r) => [r.name, r.verdict, r.reason])).toEqual([
      ["alloc", "releasable", expect.stringContaining("DeleteIpamPoolAllocation DryRun: would succeed")],
      ["eip", "releasable", expect.any(String)],
    ]);
    expect(report.exitCode).toBe(0);
    const batchedMark = lastSeq();
    const batched = await runPreflightScenario(emu, several);
    expect(batched.resources.map((r) => r.verdict)).toEqual(Array(CONCURRENT_EACH * 2).fill("releasable"));
    expect(batched.exitCode).toBe(0);
    expect(batchedLists(batchedMark)).toEqual({ ListAnycastEipAddresses: 1, ListIpamPoolAllocations: 1 });
    expect(denials()).toEqual([]);
    const calls = emu.control.calls().filter((c) => c.seq > mark);
    expect(calls.filter((c) => c.mutating)).toEqual([]);
    expect(new Set(calls.map((c) => c.action))).toEqual(new Set(PREFLIGHT.Statement.map((s) => actionOf(s).split(":")[1])));
  });

  test.each(statementsOf(PREFLIGHT, false))("is minimal: without %s a resource cannot be checked, and its row names the permission", async (ramAction, index) => {
    const resources = await preflightStack(emulatorContext(emu));
    emu.control.setRamPolicy(withoutStatement(PREFLIGHT, index));
    const report = await runPreflightScenario(emu, resources);
    const denied = denials();
    expect(denied).toHaveLength(1);
    const failed = report.resources.filter((r) => r.verdict !== "releasable");
    expect(failed).toHaveLength(1);
    expect(report.exitCode).not.toBe(0);
    expectDenialShown(failed[0].reason, ramAction, denied[0]);
  });

  test.each(statementsOf(PREFLIGHT, true).map(([ramAction, index]) => [ramAction, /^[A-Z][a-z]+/.exec(LIST_READS[ramAction].oneAction)![0], index] as const))(
    "without %s the preflight falls back to %s and says which permission would batch it",
    async (ramAction, _oneVerb, index) => {
      const several = await concurrentPreflightStack(emulatorContext(emu));
      emu.control.setRamPolicy(withoutStatement(PREFLIGHT, index));
      const lines: string[] = [];
      const report = await runPreflightScenario(emu, several, (l) => lines.push(l));
      expect(report.resources.map((r) => r.verdict)).toEqual(Array(CONCURRENT_EACH * 2).fill("releasable"));
      expect(report.exitCode).toBe(0);
      const denied = denials();
      expect(denied.map((c) => c.action)).toEqual([ramAction.split(":")[1]]);
      expectReadOneByOne(ramAction, denied[0]);
      expectFallbackShown(lines, ramAction, denied[0]);
    },
  );

  test("a DryRun delete denied by RAM is a refusal whose fix names the RAM action to grant", async () => {
    const resources = await preflightStack(emulatorContext(emu));
    emu.control.setRamPolicy(withoutStatement(PREFLIGHT, PREFLIGHT.Statement.findIndex((s) => s.Action === "vpc:DeleteIpamPoolAllocation")));
    const report = await runPreflightScenario(emu, resources);
    expect(report.resources[0]).toMatchObject({ name: "alloc", verdict: "refused", fix: expect.stringMatching(/^Grant the caller vpc:DeleteIpamPoolAllocation /) });
  });
});
