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
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CliIo } from "../../cli/io";
import { main } from "../../cli/main";
import { CallRecord } from "../../emulator";
import { formatRecoverReport } from "../../provider/recover/format";
import type { RecoverResult, StackExport } from "../../provider/recover/types";
import type { PolicyDocument } from "../helpers/ram-scenarios";
import { caught, emulatorContext, emulatorEnv } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";
import {
  actionOf,
  combinedPolicy,
  CONCURRENT_EACH,
  concurrentPreflightStack,
  documentedPolicy,
  preflightStack,
  recoverStack,
  runConcurrentDestroyScenario,
  runLifecycleScenario,
  runPreflightScenario,
  runRecoverScenario,
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

describe("docs/ram-policy-recover.json and docs/ram-policy-recover-apply.json (pulumi-alicloud-release recover, and recover --yes)", () => {
  const PLAN = documentedPolicy("ram-policy-recover.json");
  const APPLY = combinedPolicy(PLAN, documentedPolicy("ram-policy-recover-apply.json"));
  const ramActionsOf = (policy: PolicyDocument) => new Set(policy.Statement.map((s) => actionOf(s).split(":")[1]));
  /** What recover plans for recoverStack()'s pending operations, and what --yes does with them. */
  const PLANNED = [
    ["web", "resume", false],
    ["v6", "resume", false],
    ["bind", "resume", false],
    ["old", "rerun", false],
  ];
  const APPLIED = [
    ["web", "resume", true],
    ["v6", "resume", true],
    ["bind", "resume", true],
    ["old", "rerun", false],
  ];

  test("are sufficient: the plan (with --list-orphans) reads under the first alone; --yes settles every interrupted create under both; no call denied", async () => {
    const exp = await recoverStack(emu);
    emu.control.setRamPolicy(PLAN);
    let mark = lastSeq();
    const plan = await runRecoverScenario(emu, exp, { apply: false, listOrphans: true });
    expect(plan.report.operations.map((o) => [o.name, o.action, o.done])).toEqual(PLANNED);
    // the interrupted creates' objects are the candidates (and so, until settled, the orphans)
    expect(plan.report.orphans!.map((o) => [o.type, o.id])).toEqual(plan.report.operations.slice(0, 2).map((o) => [o.type, o.candidates[0].id]));
    const planCalls = emu.control.calls(mark);
    expect(planCalls.filter((c) => c.mutating)).toEqual([]);
    expect(new Set(planCalls.map((c) => c.action))).toEqual(ramActionsOf(PLAN));

    emu.control.setRamPolicy(APPLY);
    mark = lastSeq();
    const run = await runRecoverScenario(emu, exp, { apply: true });
    expect(run.report.operations.map((o) => [o.name, o.action, o.done])).toEqual(APPLIED);
    expect(run.write).toBe(true);
    // the creates were answered from their recorded tokens: the interrupted creates' objects, no second one
    expect(run.recovered.map((r) => r.id)).toEqual([...plan.report.operations.slice(0, 2).map((o) => o.candidates[0].id), plan.report.operations[2].objectId]);
    expect(emu.control.calls(mark).filter((c) => /^(Allocate|Create)/.test(c.action ?? "")).map((c) => [c.action, c.replayed])).toEqual([
      ["AllocateAnycastEipAddress", true],
      ["CreateIpamPoolAllocation", true],
    ]);
    expect(denials()).toEqual([]);
    // every statement of the apply file was needed by the resends (the per-statement tests below prove each)
    const applied = new Set(emu.control.calls(mark).map((c) => c.action));
    for (const action of ramActionsOf(documentedPolicy("ram-policy-recover-apply.json"))) expect(applied).toContain(action);
    expect([...applied].filter((a) => !ramActionsOf(APPLY).has(a!))).toEqual([]);
  });

  /** The rows whose reason (or next step) carries a RAM denial, and the others' outcome; the report's text. */
  async function deniedRows(exp: StackExport, options: { apply: boolean }) {
    const run = await runRecoverScenario(emu, exp, options);
    const denies = (o: RecoverResult) => `${o.reason} ${o.next ?? ""}`.includes("Forbidden.RAM");
    const others = run.report.operations.filter((o) => !denies(o)).map((o) => [o.name, o.action, o.done]);
    return { run, rows: run.report.operations.filter(denies), others, text: formatRecoverReport(run.report) };
  }
  const outcomeOf = (rows: readonly (string | boolean)[][], name: string) => rows.filter((r) => r[0] !== name);

  test.each(statementsOf(PLAN, false).concat(statementsOf(PLAN, true)))("the plan's is minimal: without %s one pending operation cannot be checked, and its row names the permission", async (ramAction, index) => {
    const exp = await recoverStack(emu);
    emu.control.setRamPolicy(withoutStatement(PLAN, index));
    const { run, rows, others, text } = await deniedRows(exp, { apply: false });
    const denied = denials();
    expect(denied).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(rows[0].action).toMatch(/^(error|decide)$/);
    expect(others).toEqual(outcomeOf(PLANNED, rows[0].name));
    expect(run.report.exitCode).not.toBe(0);
    expectDenialShown(text, ramAction, denied[0]);
  });

  /**
   * What --yes does without each statement of the apply file: the resend is refused (an error: nothing is
   * written, recover can run again once granted) — or, for the tags, the EIP goes into the state with its
   * create unfinished (`pulumi up` applies the declared tags).
   */
  const APPLY_OUTCOME: Record<string, string> = {
    "eipanycast:AllocateAnycastEipAddress": "not settled",
    "eipanycast:TagResources": "settled, unfinished",
    "vpc:CreateIpamPoolAllocation": "not settled",
    "vpc:ListIpamPools": "not settled",
  };
  const APPLY_FILE = documentedPolicy("ram-policy-recover-apply.json");
  test.each(statementsOf(APPLY_FILE, false))("the apply file's is minimal: without %s --yes cannot settle one interrupted create as it should, and its row names the permission", async (ramAction, index) => {
    const exp = await recoverStack(emu);
    emu.control.setRamPolicy(combinedPolicy(PLAN, withoutStatement(APPLY_FILE, index)));
    const { run, rows, others, text } = await deniedRows(exp, { apply: true });
    const denied = denials();
    expect(denied).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(others).toEqual(outcomeOf(APPLIED, rows[0].name));
    const outcome = rows[0].action === "error" && !run.write ? "not settled" : rows[0].done && /its create did not finish/.test(rows[0].reason) ? "settled, unfinished" : "other";
    expect(outcome).toBe(APPLY_OUTCOME[ramAction]);
    expectDenialShown(text, ramAction, denied[0]);
  });

  test("--list-orphans without eipanycast:ListAnycastEipAddresses: exit 1, one line naming the code, the permission and the request id", async () => {
    const exp = await recoverStack(emu);
    const dir = mkdtempSync(path.join(tmpdir(), "recover-ram-"));
    try {
      writeFileSync(path.join(dir, "state.json"), JSON.stringify(exp.doc));
      emu.control.setRamPolicy(withoutStatement(PLAN, PLAN.Statement.findIndex((st) => st.Action === "eipanycast:ListAnycastEipAddresses")));
      let stderr = "";
      const io: CliIo = { stdout: () => undefined, stderr: (t) => (stderr += t), env: emulatorEnv(emu), cwd: dir };
      expect(await main(["recover", "--state", "state.json", "--list-orphans"], io)).toBe(1);
      const denied = denials();
      // the pending EIP create's candidate search, then the orphans' listing
      expect(denied.map((c) => c.action)).toEqual(["ListAnycastEipAddresses", "ListAnycastEipAddresses"]);
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(stderr).toMatch(/^pulumi-alicloud-release recover: listing the Anycast EIPs of cn-hangzhou: /);
      expectDenialShown(stderr, "eipanycast:ListAnycastEipAddresses", denied[1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
