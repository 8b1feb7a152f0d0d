/**
 * `npm run test:live [-- --emulator]`: the acceptance suite (test/live/*.live.ts) against Alibaba Cloud, or
 * against the bundled emulator. Against the cloud it first checks every setting and, when one is missing,
 * says which and exits 2 without creating anything — never a silent pass.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { LiveMode, liveSettings, missingSettingsLines, newRunId } from "./settings";

const REPO = path.resolve(__dirname, "..", "..");

export const USAGE = `Usage: npm run test:live [-- --emulator] [-- <jest options>]

Runs the acceptance scenarios (create, update in place, preflight, refused destroy and its fix, release)
through the real Pulumi CLI against Alibaba Cloud, or with --emulator against the bundled emulator.
Against the cloud it needs PULUMI_ALICLOUD_RELEASE_LIVE=1, credentials, ALIBABA_CLOUD_REGION,
LIVE_IPAM_POOL_ID and LIVE_BIND_INSTANCE_ID (README "Live acceptance suite").
`;

/** The lines printed before a cloud run: what it makes, what it costs, how to clean up. */
function cloudBanner(runId: string, region: string, poolId: string, bound: boolean): string[] {
  return [
    `Live run ${runId} against Alibaba Cloud (${region}), IPAM pool ${poolId}.`,
    `It creates 1 allocation (/28) and ${bound ? 2 : 1} pay-as-you-go Anycast EIP(s), one at a time, each named ${runId}-… and tagged; all are released at the end.`,
    "Expected: about 5–15 minutes, and one billed hour per EIP (about USD 0.012 each, see README); no traffic.",
    `If it is interrupted: npm run sweep:live -- --run ${runId} (objects named ${runId}-…).`,
  ];
}

/** Newest modification time of the package's sources (what `npm run build` compiles into dist/). */
function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * The scenarios' Pulumi program loads the package installed by `npm run build`: build it when it is
 * missing or older than the sources (CI has just built it; a developer may have edited since).
 */
function ensureBuilt(): void {
  const installed = path.join(REPO, "node_modules", "pulumi-alicloud-release", "dist", "provider", "index.js");
  const sources = Math.max(...["provider", "emulator", "cli"].map((d) => newestSourceMs(path.join(REPO, d))));
  if (existsSync(installed) && statSync(installed).mtimeMs >= sources) return;
  process.stdout.write("Building the package first (npm run build): the installed one is missing or older than the sources.\n");
  const r = spawnSync("npm", ["run", "-s", "build"], { cwd: REPO, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm run build failed");
}

function runJest(env: NodeJS.ProcessEnv, extra: string[]): Promise<number> {
  const jest = require.resolve("jest/bin/jest", { paths: [REPO] });
  const child = spawn(process.execPath, [jest, "--config", path.join("test", "live", "jest.config.js"), "--runInBand", ...extra], { cwd: REPO, env, stdio: "inherit" });
  return new Promise((resolve) => child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const mode: LiveMode = argv.includes("--emulator") ? "emulator" : "cloud";
  const checked = liveSettings(mode, env);
  if ("missing" in checked) {
    process.stderr.write(missingSettingsLines("npm run test:live", checked.missing).join("\n") + "\n");
    return 2;
  }
  const { settings } = checked;
  const runId = newRunId();
  const lines =
    mode === "cloud"
      ? cloudBanner(runId, settings.region, settings.poolId, settings.bind !== null)
      : [`Live suite ${runId} against the bundled emulator, with docs/ram-policy*.json loaded as the caller's RAM policy.`];
  process.stdout.write(lines.join("\n") + "\n");
  ensureBuilt();
  const started = Date.now();
  const code = await runJest({ ...env, LIVE_SETTINGS: JSON.stringify(settings), LIVE_RUN_ID: runId }, argv.filter((a) => a !== "--emulator"));
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(`live suite (${mode}) run ${runId}: ${code === 0 ? "passed" : "FAILED"} in ${seconds} s\n`);
  if (code !== 0 && mode === "cloud") process.stdout.write(`Objects of this run may be left: npm run sweep:live -- --run ${runId} --older-than 0s --yes releases them\n`);
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`test:live failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
