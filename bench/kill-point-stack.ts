/**
 * One stack of the kill-point program (bench/killpoints/program.ts, compiled to dist/bench/killpoints)
 * driven through the real Pulumi CLI, offline (private PULUMI_HOME, file backend, passphrase secrets), its
 * provider pointed at the emulator through the environment; and the package's own command line
 * (`dist/cli/main.js recover`) run as a user runs it.
 */
import { ChildProcess, execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { providerEnvFor, type RunningEmulator } from "../emulator";
import { CliResult, offlinePulumiEnv, runPulumi } from "../demo/pulumi-cli";
import type { RecoverReport } from "../provider/recover/types";
import { pulumiBinDir, repoRoot } from "./common";
import { killProcessTree } from "./process-tree";

/** The compiled program's directory; its Pulumi.yaml and package.json are written at run time. */
export function killPointProjectDir(): string {
  const dir = path.join(repoRoot(), "dist", "bench", "killpoints");
  if (!existsSync(path.join(dir, "program.js"))) throw new Error(`${path.join(dir, "program.js")} is missing: build first (\`npm run -s build\`)`);
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    ["# Written by bench/kill-point-stack.ts at run time.", "name: alicloud-release-killpoints", "runtime:", "  name: nodejs", "  options:", "    typescript: false", "main: program.js", ""].join("\n"),
  );
  // Its own package scope, as a user's project has (see bench/pulumi.ts).
  writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name: "alicloud-release-killpoints", private: true }, null, 2)}\n`);
  return dir;
}

let nextStack = 1;

export interface KillPointConfig {
  ipamPoolId: string;
  cidr: string;
  eni: string;
}

export interface StateEntry {
  urn: string;
  type: string;
  id?: string;
}

export class KillPointStack {
  readonly home = mkdtempSync(path.join(tmpdir(), "alicloud-release-killpoints-"));
  readonly stack = `kp${process.pid}x${nextStack++}`;
  readonly cwd = killPointProjectDir();
  readonly env: Record<string, string>;

  constructor(emu: RunningEmulator) {
    this.env = {
      ...offlinePulumiEnv(this.home, "killpoints-passphrase", pulumiBinDir()),
      ...providerEnvFor(emu),
      // Zero backoff, and a read timeout no held call reaches before the kill.
      ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS: "0",
      ALICLOUD_RELEASE_READ_TIMEOUT_MS: "600000",
    };
  }

  run(args: string[], onSpawn?: (child: ChildProcess) => void): Promise<CliResult> {
    return runPulumi([...args, "--stack", this.stack], { cwd: this.cwd, env: this.env, onSpawn });
  }

  async ok(args: string[]): Promise<CliResult> {
    const r = await this.run(args);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.output.slice(-4000)}`);
    return r;
  }

  async init(config: KillPointConfig): Promise<void> {
    await this.ok(["stack", "init", "--non-interactive"]);
    await this.ok(["config", "set-all", "--plaintext", `killpoints:ipamPoolId=${config.ipamPoolId}`, "--plaintext", `killpoints:cidr=${config.cidr}`, "--plaintext", `killpoints:eni=${config.eni}`]);
    await this.setVersion(1);
  }

  setVersion(version: 1 | 2): Promise<CliResult> {
    return this.ok(["config", "set", "killpoints:version", String(version)]);
  }

  /** `pulumi up` / `pulumi destroy`, non-interactive, no preview. */
  command(name: "up" | "destroy", extra: string[] = []): string[] {
    return [name, "--yes", "--skip-preview", "--non-interactive", "--suppress-progress", ...extra];
  }

  /**
   * Runs `pulumi <args>` and, as soon as `when()` holds (polled every 10 ms), SIGKILLs it with every
   * process it started. `killed` lists the pids (empty when the command ended first).
   */
  async runKilledWhen(args: string[], when: () => boolean): Promise<CliResult & { killed: number[] }> {
    const killed: number[] = [];
    let timer: NodeJS.Timeout | undefined;
    const result = await this.run(args, (child) => {
      timer = setInterval(() => {
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null || !when()) return;
        clearInterval(timer);
        killed.push(...killProcessTree(child.pid));
      }, 10);
    });
    clearInterval(timer);
    return { ...result, killed };
  }

  /** `pulumi-alicloud-release recover --stack … --cwd … --yes --json` through the package's command line. */
  recover(extra: string[] = ["--yes"]): Promise<{ code: number | null; report?: RecoverReport; output: string }> {
    const main = path.join(repoRoot(), "dist", "cli", "main.js");
    return new Promise((resolve) => {
      execFile(process.execPath, [main, "recover", "--stack", this.stack, "--cwd", this.cwd, "--json", ...extra], { env: this.env, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : null;
        let report: RecoverReport | undefined;
        try {
          report = JSON.parse(stdout) as RecoverReport;
        } catch {
          report = undefined;
        }
        resolve({ code, report, output: `${stdout}${stderr}` });
      });
    });
  }

  /** This package's resources in the state and the pending operations. */
  async state(): Promise<{ resources: StateEntry[]; pending: number }> {
    const doc = JSON.parse((await this.ok(["stack", "export"])).stdout) as { deployment: { resources?: StateEntry[]; pending_operations?: unknown[] } };
    const resources = (doc.deployment.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/alicloud:"));
    return { resources, pending: (doc.deployment.pending_operations ?? []).length };
  }

  async remove(): Promise<void> {
    await this.run(["stack", "rm", "--yes", "--force"]);
    rmSync(this.home, { recursive: true, force: true });
    rmSync(path.join(this.cwd, `Pulumi.${this.stack}.yaml`), { force: true });
  }
}
