/**
 * Drives the real Pulumi CLI (built by scripts/install-pulumi) against the emulator: a temporary
 * PULUMI_HOME and file backend per stack, a passphrase secrets provider, nothing downloaded.
 */
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { RunningEmulator } from "../../emulator";

 
const { pulumiBinDir } = require("../../scripts/pulumi-bin-dir.js") as { pulumiBinDir(): string };

export const FIXTURE = path.join(__dirname, "fixture");

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for assertions on what the user sees. */
  output: string;
}

let nextStackNumber = 1;

export class TestStack {
  readonly home: string;
  readonly env: Record<string, string>;

  constructor(
    readonly emu: RunningEmulator,
    // Unique per TestStack: stack config files (Pulumi.<stack>.yaml) live in the shared fixture directory,
    // and jest runs e2e files in parallel.
    readonly stack = `t${process.pid}x${nextStackNumber++}`,
    readonly cwd = FIXTURE,
  ) {
    this.home = mkdtempSync(path.join(tmpdir(), "alicloud-release-e2e-"));
    const bin = pulumiBinDir();
    this.env = {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      HOME: process.env.HOME ?? this.home,
      PULUMI_HOME: path.join(this.home, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.home, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS: "true",
      NO_COLOR: "1",
      // Credentials are deliberately NOT in the environment: they come from (secret) stack config.
    };
    require("node:fs").mkdirSync(path.join(this.home, "state"), { recursive: true });
  }

  /** Runs `pulumi <args>` in the project with this stack's environment. */
  run(args: string[], options: { input?: string; onSpawn?: (child: ChildProcess) => void } = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", [...args], { cwd: this.cwd, env: this.env, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let output = "";
      child.stdout.on("data", (d) => {
        stdout += d;
        output += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
        output += d;
      });
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, output }));
      child.stdin.end(options.input ?? "");
      options.onSpawn?.(child);
    });
  }

  async ok(args: string[]): Promise<RunResult> {
    const r = await this.run(args);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.output}`);
    return r;
  }

  /** Creates the stack and points it at the emulator; credentials go in as secret config. */
  async init(resources: unknown[], extraConfig: Record<string, string> = {}): Promise<void> {
    await this.ok(["stack", "init", this.stack, "--non-interactive"]);
    await this.setResources(resources);
    await this.ok(["config", "set", "alicloud:region", "cn-hangzhou", "-s", this.stack]);
    await this.ok(["config", "set", "alicloud:endpoints", JSON.stringify({ vpcipam: this.emu.url, eipanycast: this.emu.url }), "-s", this.stack]);
    await this.ok(["config", "set", "alicloud:accessKey", this.emu.accessKeyId, "-s", this.stack]);
    await this.ok(["config", "set", "--secret", "alicloud:secretKey", this.emu.accessKeySecret, "-s", this.stack]);
    await this.ok(["config", "set", "alicloud:retryBaseDelayMs", "0", "-s", this.stack]);
    for (const [k, v] of Object.entries(extraConfig)) await this.ok(["config", "set", k, v, "-s", this.stack]);
  }

  setResources(resources: unknown[]): Promise<RunResult> {
    return this.ok(["config", "set", "e2e:resources", JSON.stringify(resources), "-s", this.stack]);
  }

  up(extra: string[] = []): Promise<RunResult> {
    return this.run(["up", "--yes", "--skip-preview", "--non-interactive", "-s", this.stack, ...extra]);
  }

  preview(extra: string[] = []): Promise<RunResult> {
    return this.run(["preview", "--non-interactive", "--diff", "-s", this.stack, ...extra]);
  }

  /** `pulumi preview --json`: the steps the engine plans for our resources, as `{ name: "op[,op…]" }` (unchanged ones absent). */
  async plan(extra: string[] = []): Promise<{ ops: Record<string, string>; code: number | null; output: string; diagnostics: string }> {
    const r = await this.run(["preview", "--json", "--non-interactive", "-s", this.stack, ...extra]);
    const ops: Record<string, string> = {};
    let diagnostics = "";
    try {
      const parsed = JSON.parse(r.stdout) as { steps?: { op: string; urn: string }[]; diagnostics?: { message: string }[] };
      for (const step of parsed.steps ?? []) {
        if (!step.urn.includes("dynamic/alicloud:")) continue;
        const name = step.urn.split("::").pop()!;
        ops[name] = ops[name] ? `${ops[name]},${step.op}` : step.op;
      }
      diagnostics = (parsed.diagnostics ?? []).map((d) => d.message).join("\n");
    } catch (err) {
      throw new Error(`pulumi preview --json printed no JSON (${(err as Error).message}):\n${r.output}`);
    }
    return { ops, code: r.code, output: r.output, diagnostics };
  }

  destroy(extra: string[] = []): Promise<RunResult> {
    return this.run(["destroy", "--yes", "--skip-preview", "--non-interactive", "-s", this.stack, ...extra]);
  }

  refresh(extra: string[] = []): Promise<RunResult> {
    return this.run(["refresh", "--yes", "--skip-preview", "--non-interactive", "-s", this.stack, ...extra]);
  }

  async exportState(): Promise<{ deployment: { resources: StateResource[]; pending_operations?: unknown[] } }> {
    const r = await this.ok(["stack", "export", "-s", this.stack]);
    return JSON.parse(r.stdout);
  }

  /** Our resources in state (dynamic resources only). */
  async resources(): Promise<StateResource[]> {
    return ((await this.exportState()).deployment.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/alicloud:"));
  }

  async remove(): Promise<void> {
    await this.run(["stack", "rm", "--yes", "--force", "-s", this.stack]);
    rmSync(this.home, { recursive: true, force: true });
    rmSync(path.join(this.cwd, `Pulumi.${this.stack}.yaml`), { force: true });
  }
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  dependencies?: string[];
}
