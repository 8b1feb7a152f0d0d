/**
 * The documented RAM policies are sufficient and minimal, proved against the emulator's RAM checks over
 * real HTTP with real signatures:
 * - sufficient: the lifecycle scenario (every action the provider calls) passes under docs/ram-policy.json,
 *   and the destroy preflight under docs/ram-policy-preflight.json, with no call denied;
 * - minimal: for each statement, the same run without it fails, and the error the user sees names the
 *   code, the missing RAM action and the request id of the denied call.
 */
import { CallRecord } from "../../emulator";
import { caught, emulatorContext } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";
import {
  actionOf,
  documentedPolicy,
  preflightStack,
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
  test("is sufficient: the whole lifecycle passes under it and no call is denied", async () => {
    emu.control.setRamPolicy(LIFECYCLE);
    await runLifecycleScenario(emulatorContext(emu));
    expect(denials()).toEqual([]);
    // every granted action was needed by some step (the per-statement tests below prove each one)
    const called = new Set(emu.control.calls().map((c) => c.action));
    for (const s of LIFECYCLE.Statement) expect(called).toContain(actionOf(s).split(":")[1]);
    expect((emu.control.state().eipanycast as { eips: unknown[] }).eips).toEqual([]);
    expect((emu.control.state().vpcipam as { allocations: unknown[] }).allocations).toEqual([]);
  });

  test.each(LIFECYCLE.Statement.map((s, i) => [actionOf(s), i] as const))(
    "is minimal: without %s the lifecycle fails with Forbidden.RAM naming it",
    async (ramAction, index) => {
      emu.control.setRamPolicy(withoutStatement(LIFECYCLE, index));
      const err = await caught(runLifecycleScenario(emulatorContext(emu)));
      const denied = denials();
      expect(denied).toHaveLength(1); // the first denial stops the run: no retry of a denied call
      expectDenialShown(err.message, ramAction, denied[0]);
    },
  );
});

describe("docs/ram-policy-preflight.json (pulumi-alicloud-release preflight: reads and a DryRun delete)", () => {
  test("is sufficient: every resource is checked (releasable), with reads and the DryRun only", async () => {
    const resources = await preflightStack(emulatorContext(emu));
    emu.control.setRamPolicy(PREFLIGHT);
    const mark = lastSeq();
    const report = await runPreflightScenario(emu, resources);
    expect(report.resources.map((r) => [r.name, r.verdict, r.reason])).toEqual([
      ["alloc", "releasable", expect.stringContaining("DeleteIpamPoolAllocation DryRun: would succeed")],
      ["eip", "releasable", expect.any(String)],
    ]);
    expect(report.exitCode).toBe(0);
    expect(denials()).toEqual([]);
    const calls = emu.control.calls().filter((c) => c.seq > mark);
    expect(calls.filter((c) => c.mutating)).toEqual([]);
    expect(new Set(calls.map((c) => c.action))).toEqual(new Set(PREFLIGHT.Statement.map((s) => actionOf(s).split(":")[1])));
  });

  test.each(PREFLIGHT.Statement.map((s, i) => [actionOf(s), i] as const))(
    "is minimal: without %s a resource cannot be checked, and its row names the permission",
    async (ramAction, index) => {
      const resources = await preflightStack(emulatorContext(emu));
      emu.control.setRamPolicy(withoutStatement(PREFLIGHT, index));
      const report = await runPreflightScenario(emu, resources);
      const denied = denials();
      expect(denied).toHaveLength(1);
      const failed = report.resources.filter((r) => r.verdict !== "releasable");
      expect(failed).toHaveLength(1);
      expect(report.exitCode).not.toBe(0);
      expectDenialShown(failed[0].reason, ramAction, denied[0]);
    },
  );

  test("a DryRun delete denied by RAM is a refusal whose fix names the RAM action to grant", async () => {
    const resources = await preflightStack(emulatorContext(emu));
    emu.control.setRamPolicy(withoutStatement(PREFLIGHT, PREFLIGHT.Statement.findIndex((s) => s.Action === "vpc:DeleteIpamPoolAllocation")));
    const report = await runPreflightScenario(emu, resources);
    expect(report.resources[0]).toMatchObject({ name: "alloc", verdict: "refused", fix: expect.stringMatching(/^Grant the caller vpc:DeleteIpamPoolAllocation /) });
  });
});
