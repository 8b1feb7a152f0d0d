/**
 * `pulumi-alicloud-release preflight`: predicts what `pulumi destroy` would release and what it would
 * refuse, changing nothing. Resources come from `pulumi stack export` (or a `--state` file); settings from
 * the stack's config plus the environment, the way the provider reads them.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { envSource, SettingsError } from "../provider/cloud/settings";
import { formatReport } from "../provider/preflight/format";
import { runPreflight } from "../provider/preflight/run";
import { parseStackExport } from "../provider/preflight/state";
import { PreflightInputError, StateResource } from "../provider/preflight/types";
import { CliIo, PulumiRunner, spawnPulumi, UsageError } from "./io";

export const PREFLIGHT_USAGE = `Usage: pulumi-alicloud-release preflight [--stack NAME] [--cwd DIR] [--state FILE] [--json]

Predicts which IpamPoolAllocation, AnycastEipAddress and AnycastEipAssociation resources of a stack
\`pulumi destroy\` would release and which it would refuse, by running the delete hooks' own checks
read-only: only Get/Describe calls and DeleteIpamPoolAllocation with DryRun=true; nothing is changed.

Options:
  -s, --stack NAME   the stack (default: the currently selected one)
  -C, --cwd DIR      the Pulumi project directory (default: the current directory)
      --state FILE   read this \`pulumi stack export\` file instead of running pulumi. Settings then
                     come from environment variables only, not from stack config:
                     ALIBABA_CLOUD_REGION, ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET (or the
                     @alicloud/credentials default chain), ALIBABA_CLOUD_ENDPOINT_VPCIPAM/_EIPANYCAST.
                     Cannot be combined with --stack/--cwd.
      --json         print the report as JSON (stable shape, "version": 1) for scripts and CI gates
  -h, --help         show this help

Without --state the pulumi CLI (on PATH) runs in the project directory:
  pulumi stack export --stack NAME                     the resources
  pulumi config --json --show-secrets --stack NAME     alicloud:region, alicloud:endpoints,
                                                       alicloud:accessKey/secretKey/profile, ...
so it must be able to decrypt the stack's secrets (e.g. PULUMI_CONFIG_PASSPHRASE). Stack config wins
over environment variables, exactly as in the provider.

Verdicts: releasable | already gone | refused: <reason> — <fix> | retained: <reason> | error: <reason>

Exit status:
  0  every resource would be released (or is already gone, or is retained)
  2  at least one would be refused: \`pulumi destroy\` would fail on it
  1  error: bad arguments or state file, pulumi failed, credentials, unreachable endpoint
`;

export interface PreflightArgs {
  stack?: string;
  cwd?: string;
  state?: string;
  json: boolean;
  help: boolean;
}

export function parsePreflightArgs(argv: readonly string[]): PreflightArgs {
  const out: PreflightArgs = { json: false, help: false };
  const valued: Record<string, "stack" | "cwd" | "state"> = { "--stack": "stack", "-s": "stack", "--cwd": "cwd", "-C": "cwd", "--state": "state" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === "--json" || flag === "--help" || flag === "-h") {
      if (eq > 0) throw new UsageError(`${flag} takes no value`);
      if (flag === "--json") out.json = true;
      else out.help = true;
      continue;
    }
    const key = valued[flag];
    if (!key) throw new UsageError(`unknown ${arg.startsWith("-") ? "option" : "argument"} ${JSON.stringify(arg)}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") throw new UsageError(`${flag} needs a value`);
    if (out[key] !== undefined) throw new UsageError(`${flag} given twice`);
    out[key] = value;
  }
  if (out.state !== undefined && (out.stack !== undefined || out.cwd !== undefined)) {
    throw new UsageError("--state reads a stack export file with environment settings only; it cannot be combined with --stack or --cwd");
  }
  return out;
}

/** A failure before any resource was checked (pulumi failed, file unreadable): exit 1. */
class FatalError extends Error {}

async function pulumiJson(run: PulumiRunner, args: string[], cwd: string, env: Record<string, string | undefined>): Promise<string> {
  let r;
  try {
    r = await run(args, { cwd, env });
  } catch (err) {
    throw new FatalError(`running \`pulumi ${args.join(" ")}\` failed: ${(err as Error).message}`);
  }
  if (r.code !== 0) {
    throw new FatalError(`\`pulumi ${args.join(" ")}\` (in ${cwd}) exited with ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  }
  return r.stdout;
}

/**
 * `pulumi config --json` → the flat map a SettingsSource reads: every key to its string value (object
 * values as their JSON text, as the provider receives them).
 */
export function configMapFromJson(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new FatalError(`\`pulumi config --json\` printed something that is not JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new FatalError("`pulumi config --json` printed no object");
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (!entry || typeof entry !== "object") continue;
    const e = entry as { value?: unknown; objectValue?: unknown };
    if (typeof e.value === "string") out[key] = e.value;
    else if (e.objectValue !== undefined) out[key] = JSON.stringify(e.objectValue);
    else if (e.value !== undefined && e.value !== null) out[key] = typeof e.value === "object" ? JSON.stringify(e.value) : String(e.value);
  }
  return out;
}

interface Loaded {
  resources: StateResource[];
  config: Record<string, string>;
  stack: string | null;
  source: string;
}

async function load(args: PreflightArgs, io: CliIo): Promise<Loaded> {
  if (args.state !== undefined) {
    const file = path.resolve(io.cwd, args.state);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      throw new FatalError(`cannot read --state ${args.state}: ${(err as Error).message}`);
    }
    return { resources: parseStackExport(text, file), config: {}, stack: null, source: file };
  }
  const run = io.pulumi ?? spawnPulumi;
  const cwd = path.resolve(io.cwd, args.cwd ?? ".");
  let stack = args.stack;
  if (stack === undefined) stack = (await pulumiJson(run, ["stack", "--show-name", "--non-interactive"], cwd, io.env)).trim();
  const configText = await pulumiJson(run, ["config", "--json", "--show-secrets", "--stack", stack], cwd, io.env);
  const exportText = await pulumiJson(run, ["stack", "export", "--stack", stack], cwd, io.env);
  return { resources: parseStackExport(exportText, `\`pulumi stack export --stack ${stack}\``), config: configMapFromJson(configText), stack, source: "pulumi stack export" };
}

/** Runs the command; returns the exit status (0 releasable, 2 refused, 1 error). */
export async function preflightCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let args: PreflightArgs;
  try {
    args = parsePreflightArgs(argv);
  } catch (err) {
    io.stderr(`pulumi-alicloud-release preflight: ${(err as Error).message}\n\n${PREFLIGHT_USAGE}`);
    return 1;
  }
  if (args.help) {
    io.stdout(PREFLIGHT_USAGE);
    return 0;
  }
  const fail = (message: string): number => {
    if (args.json) io.stdout(`${JSON.stringify({ version: 1, exitCode: 1, error: message }, null, 2)}\n`);
    io.stderr(`pulumi-alicloud-release preflight: ${message}\n`);
    return 1;
  };
  let loaded: Loaded;
  try {
    loaded = await load(args, io);
  } catch (err) {
    if (!(err instanceof FatalError || err instanceof PreflightInputError)) throw err;
    return fail(err.message);
  }
  let report;
  try {
    report = await runPreflight(loaded.resources, {
      settings: envSource(io.env, loaded.config),
      stack: loaded.stack,
      source: loaded.source,
      progress: (line) => io.stderr(`${line}\n`),
    });
  } catch (err) {
    // Settings the context itself needs (e.g. alicloud:retryBaseDelayMs) are invalid.
    if (!(err instanceof SettingsError)) throw err;
    return fail(err.message);
  }
  io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.exitCode;
}
