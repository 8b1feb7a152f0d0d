/**
 * Runs the Pulumi CLI built by scripts/install-pulumi, fully offline: a private PULUMI_HOME, a file
 * backend and a passphrase secrets provider in a temporary directory, no update checks, no plugin
 * downloads.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

/** The repository root, from the sources (tests) or from dist/ (the compiled demo and benchmarks). */
export const REPO = ((): string => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "scripts", "pulumi-bin-dir.js"))) return dir;
  }
  throw new Error(`cannot find the repository root above ${__dirname}`);
})();
 
const { pulumiBinDir } = require(path.join(REPO, "scripts", "pulumi-bin-dir.js")) as { pulumiBinDir(): string };

/** Builds the CLI first if this machine has not yet (several minutes, once). */
export function ensurePulumiCli(): string {
  const bin = pulumiBinDir();
  if (!existsSync(path.join(bin, "pulumi")) || !existsSync(path.join(bin, "pulumi-language-nodejs"))) {
    process.stdout.write("Building the Pulumi CLI from Go modules (first run only, a few minutes)…\n");
    const r = spawnSync("bash", [path.join(REPO, "scripts", "install-pulumi")], { stdio: "inherit" });
    if (r.status !== 0) throw new Error("scripts/install-pulumi failed");
  }
  return bin;
}

/** The environment of an offline CLI run: private PULUMI_HOME and file backend under `home`, nothing downloaded. */
export function offlinePulumiEnv(home: string, passphrase: string, bin = ensurePulumiCli()): Record<string, string> {
  mkdirSync(path.join(home, "state"), { recursive: true });
  return {
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    HOME: process.env.HOME ?? home,
    PULUMI_HOME: path.join(home, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${path.join(home, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS: "true",
    NO_COLOR: "1",
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came: what a user sees. */
  output: string;
  wallMs: number;
}

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** Written to the CLI's standard input (closed either way). */
  input?: string;
  /** Streams output as it comes. */
  echo?: (chunk: string) => void;
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs `pulumi args…`. */
export function runPulumi(args: readonly string[], options: RunOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("pulumi", [...args], { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      const text = d.toString();
      stdout += text;
      output += text;
      options.echo?.(text);
    });
    child.stderr.on("data", (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      output += text;
      options.echo?.(text);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, output, wallMs: performance.now() - started }));
    child.stdin.end(options.input ?? "");
    options.onSpawn?.(child);
  });
}

/** One stack of the demo project, with its own offline home. */
export class OfflinePulumi {
  readonly dir = mkdtempSync(path.join(tmpdir(), "alicloud-release-"));
  readonly env: Record<string, string>;

  constructor(
    readonly cwd: string,
    readonly stack: string,
  ) {
    this.env = offlinePulumiEnv(this.dir, "demo-passphrase");
  }

  run(args: string[], options: { echo?: (chunk: string) => void } = {}): Promise<CliResult> {
    return runPulumi([...args, "--stack", this.stack], { cwd: this.cwd, env: this.env, echo: options.echo });
  }

  async ok(args: string[], options: { echo?: (chunk: string) => void } = {}): Promise<CliResult> {
    const r = await this.run(args, options);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.output}`);
    return r;
  }

  async init(config: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
    await this.run(["stack", "init", "--non-interactive"]);
    for (const [k, v] of Object.entries(config)) await this.ok(["config", "set", k, v]);
    for (const [k, v] of Object.entries(secrets)) await this.ok(["config", "set", "--secret", k, v]);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(path.join(this.cwd, `Pulumi.${this.stack}.yaml`), { force: true });
  }
}
