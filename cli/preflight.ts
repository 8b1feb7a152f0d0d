/**
 * `pulumi-alicloud-release preflight`: predicts what `pulumi destroy` would release and what it would
 * refuse, changing nothing. Resources come from the stack's state (through the Automation API, or a
 * `--state` file); settings the way `pulumi destroy` will resolve them: each resource's provider config
 * stored in the state at the last `pulumi up` — or, with `--run-program`, the current stack config — then
 * the environment.
 */
import path from "node:path";
import { SettingsError, Warn, warnOnceEach } from "../provider/cloud/settings";
import { formatReport } from "../provider/preflight/format";
import { runPreflight } from "../provider/preflight/run";
import { destroySettings, runProgramSettings, SettingsPlan } from "../provider/preflight/settings";
import { parseStackState, StackState, stackStateOf } from "../provider/preflight/state";
import { PreflightInputError } from "../provider/preflight/types";
import { CliIo, CommandFailure, UsageError, commandFailureReporter, parseCommandArgs, readStateOption } from "./io";
import { openStack, StackReader } from "./stack";

export const PREFLIGHT_USAGE = `Usage: pulumi-alicloud-release preflight [--stack NAME] [--cwd DIR] [--run-program] [--state FILE] [--json]

Predicts which IpamPoolAllocation, AnycastEipAddress and AnycastEipAssociation resources of a stack
\`pulumi destroy\` would release and which it would refuse, by running the delete hooks' own checks
read-only: only Get/Describe calls and DeleteIpamPoolAllocation with DryRun=true; nothing is changed.

Options:
  -s, --stack NAME   the stack (default: the currently selected one)
  -C, --cwd DIR      the Pulumi project directory (default: the current directory)
      --run-program  resolve settings from the current stack config, as \`pulumi destroy --run-program\`
                     does, instead of from the provider config stored in the state
      --state FILE   read this \`pulumi stack export\` file instead of running pulumi (export it with
                     --show-secrets, or secret settings stored in it cannot be read). Cannot be
                     combined with --stack, --cwd or --run-program.
      --json         print the report as JSON (stable shape, "version": 1) for scripts and CI gates
  -h, --help         show this help

Settings (region, endpoints, credentials, timeouts) are resolved the way \`pulumi destroy\` will: from
the provider config the state recorded at the last \`pulumi up\` (not the current stack config), then
environment variables (ALIBABA_CLOUD_REGION, ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET or the
@alicloud/credentials default chain, ALIBABA_CLOUD_ENDPOINT_VPCIPAM/_EIPANYCAST, ...). The report says
which source it used.

Without --state the pulumi CLI on PATH is driven through the Automation API in the project directory:
  pulumi stack export --show-secrets --stack NAME      the resources and their stored provider config
  pulumi config --json --show-secrets --stack NAME     the current stack config (--run-program only)
so it must be able to decrypt the stack's secrets (e.g. PULUMI_CONFIG_PASSPHRASE).

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
  runProgram: boolean;
  json: boolean;
  help: boolean;
}

const SWITCHES: Record<string, "json" | "help" | "runProgram"> = { "--json": "json", "--help": "help", "-h": "help", "--run-program": "runProgram" };

export function parsePreflightArgs(argv: readonly string[]): PreflightArgs {
  const out: PreflightArgs = { runProgram: false, json: false, help: false };
  const valued: Record<string, "stack" | "cwd" | "state"> = { "--stack": "stack", "-s": "stack", "--cwd": "cwd", "-C": "cwd", "--state": "state" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const switched = SWITCHES[flag];
    if (switched !== undefined) {
      if (eq > 0) throw new UsageError(`${flag} takes no value`);
      out[switched] = true;
      continue;
    }
    const key = valued[flag];
    if (!key) throw new UsageError(`unknown ${arg.startsWith("-") ? "option" : "argument"} ${JSON.stringify(arg)}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") throw new UsageError(`${flag} needs a value`);
    if (out[key] !== undefined) throw new UsageError(`${flag} given twice`);
    out[key] = value;
  }
  if (out.state !== undefined && (out.stack !== undefined || out.cwd !== undefined || out.runProgram)) {
    throw new UsageError("--state reads a stack export file (with the provider config stored in it); it cannot be combined with --stack, --cwd or --run-program");
  }
  return out;
}

/**
 * `pulumi config --json` (as the Automation API's `getAllConfig` returns it) → the flat map a
 * SettingsSource reads: every key to its string value (object values as their JSON text, as the provider
 * receives them).
 */
export function flatConfig(parsed: unknown): Record<string, string> {
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new CommandFailure("`pulumi config --json` printed no object");
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
  state: StackState;
  settings: SettingsPlan;
  stack: string | null;
  source: string;
}

/** A deprecated setting is reported once per run, on the command's stderr. */
export function settingsWarning(io: CliIo): Warn {
  return warnOnceEach((line) => io.stderr(`${line}\n`));
}

/**
 * The settings `pulumi destroy` would give the provider of each resource of `stack`: the provider config
 * stored in `state` (read from `origin`), or with `runProgram` the current stack config (`pulumi config`,
 * read only then); then the environment. Preflight and recover resolve them the same way.
 */
export async function stackSettings(stack: StackReader, state: StackState, runProgram: boolean, io: CliIo, origin: string, command: string): Promise<SettingsPlan> {
  const warn = settingsWarning(io);
  return runProgram ? runProgramSettings(flatConfig(await stack.config()), io.env, warn) : destroySettings(state, io.env, origin, warn, command);
}

async function load(args: PreflightArgs, io: CliIo): Promise<Loaded> {
  const warn = settingsWarning(io);
  if (args.state !== undefined) {
    const { file, text } = await readStateOption(args.state, io, (message) => new CommandFailure(message));
    const state = parseStackState(text, file);
    return { state, settings: destroySettings(state, io.env, file, warn), stack: null, source: file };
  }
  const cwd = path.resolve(io.cwd, args.cwd ?? ".");
  const stack = await openStack(cwd, args.stack, io.env);
  const origin = `\`pulumi stack export --stack ${stack.name}\``;
  const state = stackStateOf(await stack.exportState(), origin);
  const settings = await stackSettings(stack, state, args.runProgram, io, origin, "preflight");
  return { state, settings, stack: stack.name, source: "pulumi stack export" };
}

/** Runs the command; returns the exit status (0 releasable, 2 refused, 1 error). */
export async function preflightCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs("preflight", PREFLIGHT_USAGE, parsePreflightArgs, argv, io);
  if (typeof args === "number") return args;
  const fail = commandFailureReporter("preflight", args.json, io);
  let loaded: Loaded;
  try {
    loaded = await load(args, io);
  } catch (err) {
    if (!(err instanceof CommandFailure || err instanceof PreflightInputError)) throw err;
    return fail(err.message);
  }
  let report;
  try {
    report = await runPreflight(loaded.state.resources, {
      settings: loaded.settings.settingsFor,
      settingsFrom: loaded.settings.settings,
      stack: loaded.stack,
      source: loaded.source,
      progress: (line) => io.stderr(`${line}\n`),
    });
  } catch (err) {
    // Settings the context itself needs (e.g. alicloud-release:retryBaseDelayMs) are invalid.
    if (!(err instanceof SettingsError)) throw err;
    return fail(err.message);
  }
  io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.exitCode;
}
