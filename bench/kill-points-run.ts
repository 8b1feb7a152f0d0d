/**
 * `npm run soak -- --kill-points [--scenario create|update|replace|delete] [--reduced]`: the full kill-point run
 * (bench/kill-points.ts). Discovers every API call of each scenario's command from a clean run, prints the
 * count of kill points, runs each one (kill, documented recovery, checks) and prints its outcome, writes
 * bench/results/kill-points.json, and exits non-zero if any point failed. `--reduced` runs the points
 * `npm test` runs.
 */
import { startEmulator } from "../emulator";
import { describeMachine, machineInfo, writeResult } from "./common";
import { discoverKillPoints, KillPoint, REDUCED_KILL_POINTS, runKillPoints, Scenario, SCENARIOS } from "./kill-points";

export const KILL_POINTS_USAGE = "usage: npm run soak -- --kill-points [--scenario create|update|replace|delete] [--reduced]";

export async function killPointsMain(flags: ReadonlySet<string>, values: ReadonlyMap<string, string>): Promise<boolean> {
  for (const f of flags) if (f !== "kill-points" && f !== "reduced") throw new Error(`unknown flag --${f}\n${KILL_POINTS_USAGE}`);
  for (const k of values.keys()) if (k !== "scenario") throw new Error(`unknown option --${k}\n${KILL_POINTS_USAGE}`);
  const only = values.get("scenario");
  if (only !== undefined && !SCENARIOS.includes(only as Scenario)) throw new Error(`--scenario ${only} is not valid (${SCENARIOS.join(", ")})\n${KILL_POINTS_USAGE}`);
  const scenarios = only === undefined ? SCENARIOS : [only as Scenario];

  const machine = machineInfo();
  process.stdout.write(`${describeMachine(machine)}\n`);
  const emu = await startEmulator({ port: 0 });
  try {
    const points: KillPoint[] = flags.has("reduced") ? REDUCED_KILL_POINTS.filter((p) => scenarios.includes(p.scenario)) : await discoverKillPoints(emu, scenarios);
    const per = scenarios.map((s) => `${s} ${points.filter((p) => p.scenario === s).length}`).join(", ");
    process.stdout.write(`kill points: ${points.length} (${per}) — every API call of each command, killed in flight, then recovered\n`);
    const started = Date.now();
    const report = await runKillPoints(emu, points, (line) => process.stdout.write(`${line}\n`));
    const wallSeconds = Math.round((Date.now() - started) / 1000);
    process.stdout.write(`kill points: ${report.total} run, ${report.ok} ok, ${report.failed} failed (${wallSeconds} s)\n`);
    const results = report.results.map((r) => ({ label: r.label, ok: r.ok, recover: r.recover, wallMs: r.wallMs, failed: r.checks.filter((c) => !c.ok) }));
    const file = writeResult("kill-points", { part: "kill-points", machine, reduced: flags.has("reduced"), scenarios, total: report.total, ok: report.ok, failed: report.failed, wallSeconds, results });
    process.stdout.write(`wrote ${file}\n`);
    return report.failed === 0;
  } finally {
    await emu.close();
  }
}
