/**
 * What a command touches of the outside world, so tests can run commands in-process: output streams, the
 * environment and the working directory (the pulumi CLI, where a command needs it, is the one on the
 * environment's PATH).
 */

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

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};
