/**
 * `pulumi-alicloud-release recover`: settles what a killed `pulumi up` / `pulumi destroy` left pending
 * in a stack — each interrupted create of this package's resources is found (or proven never made) and
 * put into the state; each interrupted delete or update is checked. The state comes from
 * `pulumi stack export --show-secrets` (or `--state FILE`), settings the way `pulumi destroy` resolves
 * them, as preflight does: the provider config stored in the state (what the interrupted run used) — or,
 * with `--run-program`, the current stack config — then the environment. The recovered state goes back
 * with `pulumi stack import`.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { CloudError } from "../provider/cloud/errors";
import { SettingsError } from "../provider/cloud/settings";
import { destroySettings, SettingsPlan } from "../provider/preflight/settings";
import { PreflightInputError } from "../provider/preflight/types";
import { parseRecoverExport, recoveredDeployment, settingsStateOf } from "../provider/recover/export";
import { formatRecoverReport } from "../provider/recover/format";
import { parseDuration } from "../provider/recover/plan";
import { DEFAULT_REPLAY_WINDOW_MS, runRecover, RecoverRun } from "../provider/recover/run";
import { RecoverInputError, RecoverReport, StackExport } from "../provider/recover/types";
import { CliIo, CommandFailure, UsageError, commandFailureReporter, parseCommandArgs, readStateOption } from "./io";
import { settingsWarning, stackSettings } from "./preflight";
import { openStack, StackReader } from "./stack";

export const RECOVER_USAGE = `Usage: pulumi-alicloud-release recover [--stack NAME] [--cwd DIR] [--yes] [--json] [--run-program]
                                      [--adopt ID]... [--replay-window DURATION] [--list-orphans]
       pulumi-alicloud-release recover --state FILE [--out FILE] [...]

Settles what a killed \`pulumi up\` or \`pulumi destroy\` left pending in a stack, for the
IpamPoolAllocation, AnycastEipAddress and AnycastEipAssociation resources of this package:

  creating   finds the object the interrupted create made — by sending the create again with the
             ClientToken it recorded in the state (the service answers with the object it made, never
             a second one), or by its binding (associations) — and puts it into the state; or proves
             that none was made (no candidate: no such object outside the state, created since the
             create started) and drops the pending create. Never makes a second object.
  deleting   checks the cloud (the delete's own read-only checks) and says whether running the
  updating   command again is enough.

Without --yes it only reads and prints the plan. With --yes it carries it out and writes the state
(\`pulumi stack import\`) when every pending create is settled; then run the interrupted command again.

Options:
  -s, --stack NAME          the stack (default: the currently selected one)
  -C, --cwd DIR             the Pulumi project directory (default: the current directory)
  -y, --yes                 carry the plan out and write the recovered state
      --json                print the report as JSON ("version": 1)
      --adopt ID            put this candidate into the state (when recover cannot tell which
                            candidate a create made); repeatable, one per pending create
      --replay-window DUR   how old a recorded ClientToken may be for the create to be sent again
                            (default 1h; 0 never sends it; e.g. 30m, 6h). The service's memory of a
                            token is not documented: past the window recover lists candidates and
                            adopts only with --adopt
      --list-orphans        list objects of this stack its state does not hold: Anycast EIPs with
                            its ownership tag, and the candidates of its pending creates (read-only)
      --run-program         resolve settings from the current stack config, as \`pulumi destroy
                            --run-program\` does, instead of from the provider config stored in the state
      --state FILE          read this \`pulumi stack export --show-secrets\` file instead of running
                            pulumi (settings from the provider config stored in it, as preflight --state).
                            Cannot be combined with --stack, --cwd or --run-program
      --out FILE            with --state and --yes: write the recovered export here (load it with
                            \`pulumi stack import --file FILE\`)
  -h, --help                show this help

Settings (region, endpoints, credentials, timeouts) are resolved the way \`pulumi destroy\` will, as
preflight does: from the provider config the state recorded for each resource — the one the interrupted
run used, so the object is looked for where it was made — then environment variables; with --run-program
from the current stack config, then environment variables. The report says which source it used.

Without --state the pulumi CLI (on PATH) runs in the project directory: \`pulumi stack export
--show-secrets\`, \`pulumi config --json --show-secrets\` (--run-program only) and, with --yes,
\`pulumi stack import\`. So it must be able to decrypt the stack's secrets (e.g.
PULUMI_CONFIG_PASSPHRASE), and the stack must not be locked: after a killed run, \`pulumi cancel --yes\`
first.

Exit status:
  0  done (or, without --yes, nothing needs a decision)
  2  something needs a decision (it says what); nothing was written
  1  error: bad arguments, unreadable state, pulumi failed, credentials, unreachable endpoint
`;

export interface RecoverArgs {
  stack?: string;
  cwd?: string;
  state?: string;
  out?: string;
  yes: boolean;
  json: boolean;
  listOrphans: boolean;
  runProgram: boolean;
  adopt: string[];
  replayWindowMs: number;
  help: boolean;
}

const FLAGS: Record<string, "yes" | "json" | "listOrphans" | "runProgram" | "help"> = {
  "--yes": "yes",
  "-y": "yes",
  "--json": "json",
  "--list-orphans": "listOrphans",
  "--run-program": "runProgram",
  "--help": "help",
  "-h": "help",
};
const VALUED: Record<string, "stack" | "cwd" | "state" | "out" | "adopt" | "replayWindow"> = {
  "--stack": "stack",
  "-s": "stack",
  "--cwd": "cwd",
  "-C": "cwd",
  "--state": "state",
  "--out": "out",
  "--adopt": "adopt",
  "--replay-window": "replayWindow",
};

function checkCombinations(out: RecoverArgs): void {
  if (out.state !== undefined && (out.stack !== undefined || out.cwd !== undefined || out.runProgram)) {
    throw new UsageError("--state reads a stack export file (with the provider config stored in it); it cannot be combined with --stack, --cwd or --run-program");
  }
  if (out.out !== undefined && out.state === undefined) throw new UsageError("--out is for --state: without it the recovered state goes back into the stack");
  if (out.state !== undefined && out.yes && out.out === undefined) throw new UsageError("--state with --yes needs --out FILE: where to write the recovered export");
  if (out.listOrphans && (out.yes || out.adopt.length > 0)) throw new UsageError("--list-orphans only reads; it cannot be combined with --yes or --adopt");
}

export function parseRecoverArgs(argv: readonly string[]): RecoverArgs {
  const out: RecoverArgs = { yes: false, json: false, listOrphans: false, runProgram: false, adopt: [], replayWindowMs: DEFAULT_REPLAY_WINDOW_MS, help: false };
  let window: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (FLAGS[flag] !== undefined) {
      if (eq > 0) throw new UsageError(`${flag} takes no value`);
      out[FLAGS[flag]] = true;
      continue;
    }
    const key = VALUED[flag];
    if (!key) throw new UsageError(`unknown ${arg.startsWith("-") ? "option" : "argument"} ${JSON.stringify(arg)}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") throw new UsageError(`${flag} needs a value`);
    if (key === "adopt") out.adopt.push(value);
    else if (key === "replayWindow") window = value;
    else if (out[key] !== undefined) throw new UsageError(`--${key} given twice`);
    else out[key] = value;
  }
  if (window !== undefined) {
    const ms = parseDuration(window);
    if (ms === undefined) throw new UsageError(`--replay-window ${JSON.stringify(window)} is not a duration; use e.g. 0, 90s, 30m, 6h, 1d`);
    out.replayWindowMs = ms;
  }
  checkCombinations(out);
  return out;
}

/** A failure before or after the recovery itself (pulumi failed, file unreadable): exit 1. */
class FatalError extends Error {}

/** A failed CLI run, with what to do when the stack is locked (a killed run leaves its lock). */
function pulumiFailure(err: unknown): FatalError {
  const said = (err as Error).message;
  const locked = /currently locked/.test(said) ? "\nThe stack is locked: make sure no pulumi process runs for it, run `pulumi cancel --yes`, then run recover again." : "";
  return new FatalError(`${said}${locked}`);
}

interface Loaded {
  exp: StackExport;
  settings: SettingsPlan;
  stack: StackReader | null;
  source: string;
}

async function load(args: RecoverArgs, io: CliIo): Promise<Loaded> {
  if (args.state !== undefined) {
    const { file, text } = await readStateOption(args.state, io, (message) => new FatalError(message));
    const exp = parseRecoverExport(text, file);
    return { exp, settings: destroySettings(settingsStateOf(exp, file), io.env, file, settingsWarning(io), "recover"), stack: null, source: file };
  }
  const cwd = path.resolve(io.cwd, args.cwd ?? ".");
  try {
    const reader = await openStack(cwd, args.stack, io.env);
    const origin = `\`pulumi stack export --stack ${reader.name}\``;
    const exp = parseRecoverExport(JSON.stringify(await reader.exportState()), origin);
    const settings = await stackSettings(reader, settingsStateOf(exp, origin), args.runProgram, io, origin, "recover");
    return { exp, settings, stack: reader, source: "pulumi stack export" };
  } catch (err) {
    if (err instanceof CommandFailure) throw pulumiFailure(err);
    throw err;
  }
}

/**
 * Writes the recovered state: `pulumi stack import` of the recovered export, after checking that the state
 * did not change while recover ran (another run would be overwritten). With --state: the --out file.
 */
async function writeState(args: RecoverArgs, io: CliIo, loaded: Loaded, doc: Record<string, unknown>): Promise<void> {
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (args.state !== undefined) {
    await writeFile(path.resolve(io.cwd, args.out!), text);
    return;
  }
  const reader = loaded.stack!;
  try {
    const again = parseRecoverExport(JSON.stringify(await reader.exportState()), "pulumi stack export");
    const manifest = (e: StackExport) => JSON.stringify((e.doc.deployment as Record<string, unknown>).manifest ?? null);
    if (manifest(again) !== manifest(loaded.exp)) throw new FatalError("the stack's state changed while recover ran (another pulumi command?); nothing was written: run recover again");
    await reader.importState(doc);
  } catch (err) {
    if (err instanceof CommandFailure) throw pulumiFailure(err);
    throw err;
  }
}

/** The closing lines: what happened to the state and what the user runs next (`out`: the --out file, with --state). */
function nextLines(report: RecoverReport, stackFlag: string, out?: string): string[] {
  const actions = report.operations.map((o) => o.action);
  const rerun = "run the interrupted command again: `pulumi up` (or `pulumi destroy`, if that was it)";
  if (report.operations.length === 0) return ["Nothing to recover."];
  if (report.exitCode === 1) return [`Nothing was written. Fix the errors above and run recover again${report.applied ? " (what it did in the cloud is safe to repeat)" : ""}.`];
  if (report.exitCode === 2) return [`Nothing was written: settle what needs a decision, then run recover again${report.applied ? " (what it did in the cloud is safe to repeat)" : ""}.`];
  const settles = actions.some((a) => a === "resume" || a === "adopt" || a === "clear");
  if (!report.applied) return settles ? [`Nothing was changed. \`pulumi-alicloud-release recover${stackFlag} --yes\` carries this out; then ${rerun}.`] : [`Nothing to change: ${rerun}.`];
  const added = report.operations.filter((o) => o.done && o.objectId !== null && (o.action === "resume" || o.action === "adopt")).length;
  const resources = `${added} resource${added === 1 ? "" : "s"} added, no pending operations left`;
  if (out !== undefined) {
    return report.written ? [`The recovered export was written to ${out} (${resources}): load it with \`pulumi stack import --file ${out}\`, then ${rerun}.`] : ["The state needed no change: nothing was written."];
  }
  return [report.written ? `The state was written: ${resources}.` : "The state needed no change.", `Next: ${rerun}. Afterwards \`pulumi up\` shows no changes.`];
}

/** Runs the command; returns the exit status (0 done, 2 needs a decision, 1 error). */
export async function recoverCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs("recover", RECOVER_USAGE, parseRecoverArgs, argv, io);
  if (typeof args === "number") return args;
  const fail = commandFailureReporter("recover", args.json, io);
  let loaded: Loaded;
  let outcome: RecoverRun;
  try {
    loaded = await load(args, io);
    outcome = await runRecover(loaded.exp, {
      settings: loaded.settings.settingsFor,
      settingsFrom: loaded.settings.settings,
      stack: loaded.stack?.name ?? null,
      source: loaded.source,
      apply: args.yes,
      adopt: args.adopt,
      replayWindowMs: args.replayWindowMs,
      listOrphans: args.listOrphans,
      progress: (line) => io.stderr(`${line}\n`),
    });
    if (outcome.write) {
      await writeState(args, io, loaded, recoveredDeployment(loaded.exp, outcome.recovered));
      outcome.report.written = true;
    }
  } catch (err) {
    // A cloud error outside any one operation (--list-orphans' listing) carries its code, message and request id.
    if (!(err instanceof FatalError || err instanceof RecoverInputError || err instanceof PreflightInputError || err instanceof SettingsError || err instanceof CloudError)) throw err;
    return fail(err.message);
  }
  const report = outcome.report;
  report.next = nextLines(report, loaded.stack !== null ? ` --stack ${loaded.stack.name}` : ` --state ${args.state}`, args.out);
  io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatRecoverReport(report));
  return report.exitCode;
}
