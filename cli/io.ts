/**
 * What a command touches of the outside world, so tests can run commands in-process: output streams, the
 * environment and the working directory (the pulumi CLI, where a command needs it, is the one on the
 * environment's PATH).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A command-line mistake (unknown option, missing value): usage goes to stderr, exit 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure before any work was done (pulumi failed, a file unreadable): the message, exit 1. */
export class CommandFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandFailure";
  }
}

/**
 * A subcommand's start: its arguments parsed — a mistake prints the message and the usage on stderr
 * (exit 1) — and `--help` answered with the usage (exit 0). A number is that exit status.
 */
export function parseCommandArgs<A extends { help: boolean }>(command: string, usage: string, parse: (argv: readonly string[]) => A, argv: readonly string[], io: CliIo): A | number {
  let args: A;
  try {
    args = parse(argv);
  } catch (err) {
    io.stderr(`pulumi-alicloud-release ${command}: ${(err as Error).message}\n\n${usage}`);
    return 1;
  }
  if (args.help) {
    io.stdout(usage);
    return 0;
  }
  return args;
}

/** How a subcommand reports a failure: one line on stderr and, with `--json`, the JSON error document; exit 1. */
export function commandFailureReporter(command: string, json: boolean, io: CliIo): (message: string) => number {
  return (message) => {
    if (json) io.stdout(`${JSON.stringify({ version: 1, exitCode: 1, error: message }, null, 2)}\n`);
    io.stderr(`pulumi-alicloud-release ${command}: ${message}\n`);
    return 1;
  };
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};

/**
 * `--state FILE`: the export's absolute path (against `io.cwd`) and its text. A file that cannot be read
 * is `failure`'s error, named by the option as the user gave it.
 */
export async function readStateOption(given: string, io: CliIo, failure: (message: string) => Error): Promise<{ file: string; text: string }> {
  const file = path.resolve(io.cwd, given);
  try {
    return { file, text: await readFile(file, "utf8") };
  } catch (err) {
    throw failure(`cannot read --state ${given}: ${(err as Error).message}`);
  }
}
