/**
 * The reduced kill-point run (the full one is `npm run soak -- --kill-points`): a `pulumi up` / `pulumi
 * destroy` SIGKILLed, with its plugins, while one API call is in flight — committed by the emulator, its
 * answer held — at one boundary of each kind: the create of an EIP, of an allocation by prefix length and
 * of an association, an EIP's bandwidth update, the new allocation of a replacement, an EIP's release. Then the documented recovery through the
 * real CLIs: `pulumi cancel --yes`, `pulumi-alicloud-release recover --yes`, the command again. Each point
 * checks: state = cloud = declared objects, each made once, `pulumi preview --expect-no-changes`, and after
 * `pulumi destroy` nothing left and nothing released twice (bench/kill-points.ts).
 */
import { describePoint, KillPoint, killPointLabel, REDUCED_KILL_POINTS, runKillPoint } from "../../bench/kill-points";
import type { RecoverAction } from "../../provider/recover/types";
import { e2eTimeout } from "./harness";
import { useEmulator } from "../helpers/emulator";

// A point runs about 14 CLI commands (stack set-up, the killed command, recover's own pulumi calls, checks).
jest.setTimeout(e2eTimeout(14));

const emu = useEmulator({ resetEachTest: false });

/** What recover must have done at each point: the interrupted create found and put into the state, or the re-run judged enough. */
const EXPECTED: Record<string, Partial<Record<RecoverAction, number>>> = {
  "create: AllocateAnycastEipAddress #1": { resume: 1 },
  "create: CreateIpamPoolAllocation #1": { resume: 1 },
  "create: AssociateAnycastEipAddress #1": { resume: 1 },
  "update: ModifyAnycastEipAddressSpec #1": { rerun: 1 },
  // The new allocation goes into the state, the replaced one is marked for deletion: `pulumi up` releases it.
  "replace: CreateIpamPoolAllocation #1": { resume: 1 },
  "delete: ReleaseAnycastEipAddress #1": { rerun: 1 },
};

test.each(REDUCED_KILL_POINTS.map((p): [string, KillPoint] => [killPointLabel(p), p]))("kill point %s: recovered with no orphan, no duplicate, no second release", async (label, point) => {
  const result = await runKillPoint(emu, point);
  expect({ label, failed: result.checks.filter((c) => !c.ok) }).toEqual({ label, failed: [] });
  expect(result.recover.exitCode).toBe(0);
  expect(result.recover.summary).toMatchObject({ pending: 1, decide: 0, error: 0, ...EXPECTED[label] });
  process.stdout.write(`${describePoint(result, REDUCED_KILL_POINTS.indexOf(point), REDUCED_KILL_POINTS.length)}\n`);
});
