/**
 * `npm run sweep:live [-- --yes] [--older-than 6h] [--run ID] [--emulator]`: lists the live suite's
 * leftovers (objects carrying its marker, older than --older-than) and, with --yes, releases them through
 * the provider's checked delete. Without --yes it only prints the plan. Objects without the marker are
 * never touched.
 *
 * With --emulator it proves itself: it starts the emulator, makes marked and unmarked, old and young
 * objects through the provider, loads docs/ram-policy-sweep.json as the only RAM policy, sweeps, and checks
 * that exactly the marked old ones were released (or, without --yes, that nothing was).
 */
import { parseArgs } from "node:util";
import { associateAnycastEip } from "../../provider/anycast/api";
import { CloudContext } from "../../provider/cloud/context";
import { Props } from "../../provider/lifecycle";
import { REGISTRY, ResourceKind } from "../../provider/registry";
import { documentedPolicy } from "../helpers/ram-scenarios";
import { LiveMode, MARKER_PREFIX, MARKER_TAG_KEY, liveSettings, missingSettingsLines, parseDuration } from "./settings";
import { executeSweep, sweepPlanLines, describeSweepPlan, SweepPlan } from "./sweep";
import { LiveTarget, openTarget } from "./target";

export const USAGE = `Usage: npm run sweep:live -- [--yes] [--older-than 6h] [--run ID] [--emulator]

Lists Anycast EIPs and allocations of LIVE_IPAM_POOL_ID whose name starts with "${MARKER_PREFIX}" (or EIPs
tagged ${MARKER_TAG_KEY}) and that are older than --older-than (default 6h; s, m, h or d), and with --yes
releases them through the provider's checked delete (bound EIPs are detached first). --run ID keeps only
the objects of one run. Objects without the marker are never touched.
`;

interface SweepOptions {
  mode: LiveMode;
  yes: boolean;
  olderThanMs: number;
  olderThanLabel: string;
  runId?: string;
}

function parse(argv: string[]): SweepOptions | string {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: { yes: { type: "boolean" }, "older-than": { type: "string" }, run: { type: "string" }, emulator: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }).values;
  } catch (e) {
    return `${(e as Error).message}\n\n${USAGE}`;
  }
  if (values.help) return USAGE;
  const label = values["older-than"] ?? "6h";
  const olderThanMs = parseDuration(label);
  if (olderThanMs === undefined) return `--older-than must be a duration like 6h, 30m, 45s or 2d (got "${label}")\n`;
  if (values.run !== undefined && !values.run.startsWith(MARKER_PREFIX)) return `--run must be a run id starting with ${MARKER_PREFIX} (got "${values.run}")\n`;
  return { mode: values.emulator ? "emulator" : "cloud", yes: !!values.yes, olderThanMs, olderThanLabel: label, ...(values.run ? { runId: values.run } : {}) };
}

/** The plan (API calls), narrowed to one run when --run is given. */
async function describePlan(target: LiveTarget, o: SweepOptions, now: number): Promise<SweepPlan> {
  const full = await describeSweepPlan(target, { now, olderThanMs: o.olderThanMs, olderThanLabel: o.olderThanLabel });
  return o.runId ? { ...full, items: full.items.filter((i) => i.name.startsWith(o.runId!)) } : full;
}

/** Plans, prints, and with --yes releases; returns the exit code (1 when a release failed). */
async function sweep(target: LiveTarget, o: SweepOptions, now: number): Promise<number> {
  const p = await describePlan(target, o, now);
  const where = `${target.settings.mode === "emulator" ? "the emulator" : `Alibaba Cloud (${target.settings.region})`}, IPAM pool ${target.settings.poolId}`;
  const header = `Live-suite objects in ${where}, marker "${MARKER_PREFIX}"${o.runId ? ` (run ${o.runId})` : ""}, older than ${o.olderThanLabel}:`;
  process.stdout.write(sweepPlanLines(p, header).join("\n") + "\n");
  if (!o.yes) {
    process.stdout.write("Nothing released: run again with --yes to release them.\n");
    return 0;
  }
  const result = await executeSweep(target, p, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`Released ${result.released}, failed ${result.failed}.\n`);
  return result.failed > 0 ? 1 : 0;
}

// ------------------------------------------------------------------------------------------ --emulator

async function created(kind: ResourceKind, ctx: CloudContext, args: Props): Promise<string> {
  const lc = REGISTRY[kind].loadLifecycle();
  const { inputs, failures } = await lc.check(ctx, {}, args);
  if (failures && failures.length > 0) throw new Error(`fixture ${JSON.stringify(args)}: ${JSON.stringify(failures)}`);
  return (await lc.create(ctx, inputs as Props)).id;
}

/** Objects on both sides of every rule, made through the provider; returns the ids the sweep must release. */
async function makeFixtures(target: LiveTarget, shiftClock: (ms: number) => void, olderThanMs: number): Promise<{ old: string[]; all: string[] }> {
  const ctx = target.context(() => undefined);
  const pool = target.settings.poolId;
  const eip = (name: string, tags: Record<string, string> = {}) => created("AnycastEipAddress", ctx, { serviceLocation: "international", name, tags });
  const alloc = (name: string) => created("IpamPoolAllocation", ctx, { ipamPoolId: pool, cidrMask: 28, name });
  shiftClock(-(olderThanMs + 3_600_000)); // an hour past the limit
  const oldMarked = [
    await eip(`${MARKER_PREFIX}selftest-eip`),
    await eip("tagged-only", { [MARKER_TAG_KEY]: "selftest" }),
    await eip(`${MARKER_PREFIX}selftest-bound`),
    await alloc(`${MARKER_PREFIX}selftest-alloc`),
  ];
  await associateAnycastEip(target.operation(), { anycastId: oldMarked[2], bindInstanceId: "eni-selftest0001", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" });
  const oldUnmarked = [await eip("someone-elses-eip"), await alloc("someone-elses-alloc")];
  shiftClock(0);
  const young = [await eip(`${MARKER_PREFIX}selftest-young`), await alloc(`${MARKER_PREFIX}selftest-young`)];
  return { old: oldMarked, all: [...oldMarked, ...oldUnmarked, ...young] };
}

/** What the emulator still holds (EIPs not released, allocations), by id. */
function inventoryIds(target: LiveTarget): string[] {
  const state = target.emulator!.control.state() as { eipanycast: { eips: { anycastId: string }[] }; vpcipam: { allocations: { ipamPoolAllocationId: string }[] } };
  return [...state.eipanycast.eips.map((e) => e.anycastId), ...state.vpcipam.allocations.map((a) => a.ipamPoolAllocationId)].sort();
}

async function emulatorSelfCheck(o: SweepOptions): Promise<number> {
  let shift = 0;
  const checked = liveSettings("emulator", {});
  if (!("settings" in checked)) throw new Error("unreachable: the emulator needs no settings");
  const target = await openTarget(checked.settings, { now: () => Date.now() + shift });
  try {
    const fixtures = await makeFixtures(target, (ms) => (shift = ms), o.olderThanMs);
    target.emulator!.control.setRamPolicy(documentedPolicy("ram-policy-sweep.json"));
    const code = await sweep(target, o, Date.now());
    const expected = (o.yes ? fixtures.all.filter((id) => !fixtures.old.includes(id)) : fixtures.all).sort();
    const left = inventoryIds(target);
    const denied = target.emulator!.control.calls().filter((c) => c.outcome.code === "Forbidden.RAM");
    if (code !== 0 || JSON.stringify(left) !== JSON.stringify(expected) || denied.length > 0) {
      process.stderr.write(`emulator self-check FAILED: exit ${code}; left ${left.join(", ")}; expected ${expected.join(", ")}; RAM denials ${denied.map((c) => c.action).join(", ") || "none"}\n`);
      return 1;
    }
    process.stdout.write(
      `emulator self-check: ok — ${o.yes ? `released exactly the ${fixtures.old.length} marked objects older than ${o.olderThanLabel}` : "the plan released nothing"}; ` +
        `${expected.length} left (unmarked or younger), under docs/ram-policy-sweep.json alone.\n`,
    );
    return 0;
  } finally {
    await target.close();
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const o = parse(argv);
  if (typeof o === "string") {
    (o === USAGE ? process.stdout : process.stderr).write(o);
    return o === USAGE ? 0 : 2;
  }
  if (o.mode === "emulator") return emulatorSelfCheck(o);
  const checked = liveSettings("cloud", env, "sweep");
  if ("missing" in checked) {
    process.stderr.write(missingSettingsLines("npm run sweep:live", checked.missing).join("\n") + "\n");
    return 2;
  }
  const target = await openTarget(checked.settings);
  return sweep(target, o, Date.now());
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`sweep:live failed: ${(err as Error)?.message ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
