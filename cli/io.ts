/**
 * What a command touches of the outside world, so tests can run commands in-process: output streams, the
 * environment, the working directory, and how the pulumi CLI is run.
 */
import { spawn } from "node:child_process";

export interface PulumiResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type PulumiRunner = (args: string[], options: { cwd: string; env: Record<string, string | undefined> }) => Promise<PulumiResult>;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Runs `pulumi <args>`; default: the `pulumi` found on the environment's PATH. */
  pulumi?: PulumiRunner;
}

/** A command-line mistake (unknown option, missing value): usage goes to stderr, exit 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Spawns `pulumi` (looked up on `env.PATH`) and collects its output. */
export const spawnPulumi: PulumiRunner = (args, options) =>
  new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(options.env).filter((e): e is [string, string] => e[1] !== undefined));
    const child = spawn("pulumi", args, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err: NodeJS.ErrnoException) => {
      reject(err.code === "ENOENT" ? new Error("the pulumi CLI was not found on PATH (install it, or use --state FILE with a `pulumi stack export` file)") : err);
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};
