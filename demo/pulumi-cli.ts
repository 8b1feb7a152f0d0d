/**
 * Runs the Pulumi CLI built by scripts/install-pulumi, fully offline: a private PULUMI_HOME, a file
 * backend and a passphrase secrets provider in a temporary directory, no update checks, no plugin
 * downloads.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");
 
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

export interface CliResult {
  code: number | null;
  stdout: string;
  output: string;
}

export class OfflinePulumi {
  readonly dir = mkdtempSync(path.join(tmpdir(), "alicloud-release-"));
  readonly env: Record<string, string>;

  constructor(
    readonly cwd: string,
    readonly stack: string,
    bin = ensurePulumiCli(),
  ) {
    mkdirSync(path.join(this.dir, "state"), { recursive: true });
    this.env = {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      HOME: process.env.HOME ?? this.dir,
      PULUMI_HOME: path.join(this.dir, "home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "demo-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS: "true",
    };
  }

  /** Runs `pulumi args…`; `echo` streams its output, indented, as it comes. */
  run(args: string[], options: { echo?: (chunk: string) => void } = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", [...args, "--stack", this.stack], { cwd: this.cwd, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let output = "";
      const take = (isStdout: boolean) => (d: Buffer) => {
        const text = d.toString();
        if (isStdout) stdout += text;
        output += text;
        options.echo?.(text);
      };
      child.stdout.on("data", take(true));
      child.stderr.on("data", take(false));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, output }));
    });
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
  }
}
