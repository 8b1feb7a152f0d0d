/**
 * `npm run soak [-- --cycles 500] [-- --seed N] [-- --lanes 4] [-- --rate 0.2] [-- --read-timeout-ms 100] [-- --timing seeded]`
 * `npm run soak -- --kill-points [--scenario create|update|replace|delete] [--reduced]` (bench/kill-points-run.ts)
 *
 * The full fault soak (see bench/soak-core.ts): prints the seed and a summary, writes
 * bench/results/soak.json, and exits non-zero if any cycle failed, anything leaked, a create made a
 * duplicate, or a refused release made a release call.
 */
import { describeMachine, machineInfo, parseArgs, writeResult } from "./common";
import { killPointsMain, KILL_POINTS_USAGE } from "./kill-points-run";
import { describeSoak, runSoak } from "./soak-core";

const USAGE =
  "usage: npm run soak [-- --cycles 500] [-- --seed N] [-- --lanes 4] [-- --rate 0.2] [-- --read-timeout-ms 100] [-- --refusal-every 5] [-- --timing wall|seeded]";

function num(values: Map<string, string>, key: string, fallback: number, ok: (n: number) => boolean): number {
  if (!values.has(key)) return fallback;
  const n = Number(values.get(key));
  if (!ok(n)) throw new Error(`--${key} ${values.get(key)} is not valid\n${USAGE}`);
  return n;
}

async function main(): Promise<void> {
  const { flags, values } = parseArgs(process.argv.slice(2));
  if (flags.has("help") || flags.has("h")) {
    process.stdout.write(`${USAGE}\n${KILL_POINTS_USAGE}\n`);
    return;
  }
  if (flags.has("kill-points")) {
    if (!(await killPointsMain(flags, values))) process.exitCode = 1;
    return;
  }
  for (const f of flags) throw new Error(`unknown flag --${f}\n${USAGE}`);
  for (const k of values.keys()) if (!["cycles", "seed", "lanes", "rate", "read-timeout-ms", "refusal-every", "timing"].includes(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const int = (n: number) => Number.isInteger(n) && n >= 0;
  const seed = num(values, "seed", Math.floor(Math.random() * 2 ** 31), (n) => int(n) && n < 2 ** 32);
  const cycles = num(values, "cycles", 500, (n) => int(n) && n > 0);
  const lanes = num(values, "lanes", 4, (n) => int(n) && n > 0);
  const faultRate = num(values, "rate", 0.2, (n) => n >= 0 && n < 1);
  const readTimeoutMs = num(values, "read-timeout-ms", 100, (n) => int(n) && n >= 10);
  const refusalEvery = num(values, "refusal-every", 5, int);
  const timing = values.get("timing") ?? "wall";
  if (timing !== "wall" && timing !== "seeded") throw new Error(`--timing ${timing} is not valid (wall or seeded)\n${USAGE}`);

  const machine = machineInfo();
  process.stdout.write(`${describeMachine(machine)}\n`);
  process.stdout.write(`soak seed ${seed} (replay: npm run soak -- --cycles ${cycles} --seed ${seed} --lanes ${lanes}${timing === "seeded" ? " --timing seeded" : ""})\n`);
  const report = await runSoak({ cycles, seed, lanes, faultRate, readTimeoutMs, refusalEvery, timing, log: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`${describeSoak(report)}\n`);
  // The per-call decision lists are for comparing runs in-process; the fingerprints stand for them on file.
  const { decisions: _decisions, ...figures } = report;
  const file = writeResult("soak", { part: "soak", machine, ...figures });
  process.stdout.write(`wrote ${file}\n`);
  if (!report.ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
