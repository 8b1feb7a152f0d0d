/**
 * A small driver for the real Pulumi CLI (built by scripts/install-pulumi), offline: a private
 * PULUMI_HOME, a file backend and a passphrase secrets provider in a temporary directory, no update
 * checks, no plugin downloads. The project is bench/program.ts compiled to dist/bench/program.js; its
 * Pulumi.yaml is written next to it at run time. Credentials and endpoints reach the provider through the
 * environment (the dynamic-provider process inherits the CLI's), so no secret config is needed.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunningEmulator } from "../emulator";
import { CliResult, offlinePulumiEnv, runPulumi } from "../demo/pulumi-cli";
import { emulatorEnv, pulumiBinDir } from "./common";

export type CliRun = CliResult;

/** The bench project directory (where program.js was compiled to). */
export function projectDir(): string {
  const dir = __dirname;
  if (!existsSync(path.join(dir, "program.js"))) {
    throw new Error(`the CLI parts run the compiled program (${path.join(dir, "program.js")} is missing): use \`npm run bench\`, which builds first`);
  }
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [
      "# Written by bench/pulumi.ts at run time: the benchmark program (bench/program.ts, compiled).",
      "name: alicloud-release-bench",
      "description: Many IPAM pool allocations, Anycast EIPs and associations, from stack config.",
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: false",
      "main: program.js",
      "",
    ].join("\n"),
  );
  // Its own package scope, as a user's project has: without it, Node resolves `pulumi-alicloud-release`
  // from inside this repository to the repository's own dist/ (package self-reference), not to the
  // installed copy under node_modules, and the provider would be stored by value instead of as a require.
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "alicloud-release-bench", private: true }, null, 2) + "\n");
  return dir;
}

let nextStack = 1;

export class BenchStack {
  readonly home = mkdtempSync(path.join(tmpdir(), "alicloud-release-bench-"));
  readonly stack = `bench${process.pid}x${nextStack++}`;
  readonly cwd = projectDir();
  readonly env: Record<string, string>;

  constructor(emu: RunningEmulator, extraEnv: Record<string, string> = {}) {
    this.env = { ...offlinePulumiEnv(this.home, "bench-passphrase", pulumiBinDir()), ...emulatorEnv(emu), ...extraEnv };
  }

  run(args: string[]): Promise<CliRun> {
    return runPulumi([...args, "--stack", this.stack], { cwd: this.cwd, env: this.env });
  }

  async ok(args: string[]): Promise<CliRun> {
    const r = await this.run(args);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.output.slice(-4000)}`);
    return r;
  }

  async init(config: Record<string, string | number>): Promise<void> {
    await this.ok(["stack", "init", "--non-interactive"]);
    const pairs = Object.entries(config).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]);
    await this.ok(["config", "set-all", ...pairs]);
  }

  up(extra: string[] = []): Promise<CliRun> {
    return this.run(["up", "--yes", "--skip-preview", "--non-interactive", "--suppress-progress", ...extra]);
  }

  destroy(extra: string[] = []): Promise<CliRun> {
    return this.run(["destroy", "--yes", "--skip-preview", "--non-interactive", "--suppress-progress", ...extra]);
  }

  /** `pulumi stack export`, as text (its size is the state's size) and parsed. */
  async exportState(): Promise<{ text: string; state: { deployment: { resources?: StateResource[] } } }> {
    const r = await this.ok(["stack", "export"]);
    return { text: r.stdout, state: JSON.parse(r.stdout) };
  }

  async remove(): Promise<void> {
    await this.run(["stack", "rm", "--yes", "--force"]);
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
}

/** Resources the CLI reported as failed: `error:` diagnostics under a resource, and the summary count. */
export function failuresIn(output: string): { resourceErrors: number; lines: string[] } {
  const lines = output.split("\n").filter((l) => /^\s+error: /.test(l) || /^\s*pulumi-nodejs:dynamic:Resource \(.*\):\s*$/.test(l));
  // The engine's own summary line ("error: update failed") is not a resource failure.
  const errors = output.split("\n").filter((l) => /^\s+error: /.test(l) && !/^\s+error: (update|destroy|preview) failed\s*$/.test(l));
  return { resourceErrors: errors.length, lines: lines.slice(0, 20) };
}
