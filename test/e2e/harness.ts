/**
 * Drives the real Pulumi CLI (built by scripts/install-pulumi) against the emulator: a temporary
 * PULUMI_HOME and file backend per stack, a passphrase secrets provider, nothing downloaded.
 */
import { ChildProcess, spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { RunningEmulator } from "../../emulator";
import { CallParams, createContext, envSource, ProductName } from "../../provider/cloud";
import { CliResult, offlinePulumiEnv, runPulumi } from "../../demo/pulumi-cli";
import { parseStackExport } from "../../provider/preflight/state";
import type { StateResource } from "../../provider/preflight/types";
import { budgetMs } from "../helpers/budget";
import { descendantPids, killProcessTree } from "../../bench/process-tree";

const { pulumiBinDir } = require("../../scripts/pulumi-bin-dir.js") as { pulumiBinDir(): string };

export const FIXTURE = path.join(__dirname, "fixture");

/**
 * One `pulumi` command's share of a test's timeout: a command takes 1–5 s on a quiet 2-core machine and
 * about 3–4× that at load 4–5. A test's timeout is this times the commands it runs (see e2eTimeout).
 */
export const PULUMI_COMMAND_BUDGET_MS = 20_000;

/** The timeout for a test that runs `commands` pulumi (or CLI) commands, `stack init` counting as 7. */
export function e2eTimeout(commands: number): number {
  return budgetMs(commands, PULUMI_COMMAND_BUDGET_MS);
}

export type RunResult = CliResult;

/**
 * Where a stack's resources live: the stack config that points the provider there, and what the CLI's
 * environment adds (the live suite passes real credentials through the environment, never into config).
 */
export interface StackTarget {
  readonly config: Readonly<Record<string, string>>;
  readonly secretConfig: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The emulator as a target. Credentials are deliberately NOT in the environment: they come from (secret)
 * stack config.
 */
export function emulatorTarget(emu: RunningEmulator): StackTarget {
  return {
    config: {
      "alicloud:region": "cn-hangzhou",
      "alicloud:endpoints": JSON.stringify([{ vpcipam: emu.url, eipanycast: emu.url }]),
      "alicloud:accessKey": emu.accessKeyId,
      "alicloud-release:retryBaseDelayMs": "0",
    },
    secretConfig: { "alicloud:secretKey": emu.accessKeySecret },
    env: {},
  };
}

let nextStackNumber = 1;

export class TestStack {
  readonly home: string;
  readonly env: Record<string, string>;
  readonly target: StackTarget;

  constructor(
    target: RunningEmulator | StackTarget,
    // Unique per TestStack: stack config files (Pulumi.<stack>.yaml) live in the shared fixture directory,
    // and jest runs e2e files in parallel.
    readonly stack = `t${process.pid}x${nextStackNumber++}`,
    readonly cwd = FIXTURE,
  ) {
    // `in` on the target's own shape: useEmulator() hands out a Proxy that answers `in` for nothing.
    this.target = "secretConfig" in target ? target : emulatorTarget(target);
    this.home = mkdtempSync(path.join(tmpdir(), "alicloud-release-e2e-"));
    this.env = { ...offlinePulumiEnv(this.home, "e2e-passphrase", pulumiBinDir()), ...this.target.env };
  }

  /** Runs `pulumi <args>` in the project with this stack's environment. */
  async run(args: string[], options: { input?: string; onSpawn?: (child: ChildProcess) => void } = {}): Promise<RunResult> {
    const r = await runPulumi(args, { cwd: this.cwd, env: this.env, ...options });
    // E2E_TRANSCRIPT=<file>: append every command and what it printed (to read what a user would see).
    const transcript = process.env.E2E_TRANSCRIPT;
    if (transcript) appendFileSync(transcript, `\n$ pulumi ${args.join(" ")}\n${r.output}[exit ${r.code ?? r.signal}]\n`);
    return r;
  }

  async ok(args: string[]): Promise<RunResult> {
    const r = await this.run(args);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.output}`);
    return r;
  }

  /**
   * Creates the stack and points it at its target in one `config set-all`: the official provider's keys in
   * its shapes (`alicloud:endpoints` a list), ours in `alicloud-release:`, the target's secrets as secret
   * config. `config` adds keys or, with `null`, leaves one of the target's out.
   */
  async init(resources: unknown[], config: Record<string, string | null> = {}): Promise<void> {
    await this.ok(["stack", "init", this.stack, "--non-interactive"]);
    const all: Record<string, string | null> = { "e2e:resources": JSON.stringify(resources), ...this.target.config, ...this.target.secretConfig, ...config };
    const pairs = Object.entries(all).flatMap(([k, v]) => (v === null ? [] : [k in this.target.secretConfig ? "--secret" : "--plaintext", `${k}=${v}`]));
    await this.ok(["config", "set-all", ...pairs, "-s", this.stack]);
  }

  /** The stack's current config as the engine hands it to providers: every key to its string value. */
  async config(): Promise<Record<string, string>> {
    const parsed = JSON.parse((await this.ok(["config", "--json", "--show-secrets", "-s", this.stack])).stdout) as Record<string, { value?: string }>;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v.value)]));
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

  async exportState(): Promise<{ deployment: { resources?: unknown[]; pending_operations?: unknown[] } }> {
    return JSON.parse(await this.exportText());
  }

  private async exportText(): Promise<string> {
    return (await this.ok(["stack", "export", "-s", this.stack])).stdout;
  }

  /** Our resources in state (dynamic resources only), read as the preflight command reads them. */
  async resources(): Promise<StateResource[]> {
    return parseStackExport(await this.exportText(), "pulumi stack export").filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/alicloud:"));
  }

  /** The URN of one of our resources, e.g. `urn("AnycastEipAddress", "eip")`. */
  urn(type: string, name: string): string {
    const project = /^name:\s*(\S+)/m.exec(readFileSync(path.join(this.cwd, "Pulumi.yaml"), "utf8"))?.[1];
    return `urn:pulumi:${this.stack}::${project}::pulumi-nodejs:dynamic/alicloud:${type}::${name}`;
  }

  /** The checkpoint's `pending_operations` (operations a killed run started and never finished). */
  async pendingOperations(): Promise<PendingOperation[]> {
    return ((await this.exportState()).deployment.pending_operations ?? []) as PendingOperation[];
  }

  /**
   * `pulumi cancel --yes`: with the file backend this deletes the lock a killed run left behind (without it
   * every later update fails with "the stack is currently locked").
   */
  cancel(): Promise<RunResult> {
    return this.run(["cancel", "--yes", "-s", this.stack]);
  }

  /**
   * Runs `pulumi <args>` and SIGKILLs it — together with the plugins it started (language host, dynamic
   * provider), as a crashed CI runner or machine would lose them — as soon as `when()` is true. `when` is
   * polled every `pollMs`. `killed` lists the pids that were killed (empty if the command ended first).
   */
  async runKilledWhen(args: string[], when: () => boolean, pollMs = 10): Promise<RunResult & { killed: number[] }> {
    const killed: number[] = [];
    let timer: NodeJS.Timeout | undefined;
    const result = await this.run(args, {
      onSpawn: (child) => {
        timer = setInterval(() => {
          if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
          if (!when()) return;
          clearInterval(timer);
          killed.push(...killProcessTree(child.pid));
        }, pollMs);
      },
    });
    clearInterval(timer);
    return { ...result, killed };
  }

  async remove(): Promise<void> {
    await this.run(["stack", "rm", "--yes", "--force", "-s", this.stack]);
    rmSync(this.home, { recursive: true, force: true });
    rmSync(path.join(this.cwd, `Pulumi.${this.stack}.yaml`), { force: true });
  }
}

export interface PendingOperation {
  type: "creating" | "updating" | "deleting" | "reading" | "importing" | string;
  /** The resource as the export lists it. */
  resource: Pick<StateResource, "urn" | "type" | "id">;
}

// The process-tree helpers the kill-point run uses too (one /proc walk): `descendants` lists every live
// descendant of a pid, `killTree` SIGKILLs a pid and its descendants, each by its id.
export { descendantPids as descendants, killProcessTree as killTree };

/**
 * One signed API call to the emulator, exactly as the provider makes it (same transport and signature) —
 * for changes made "outside Pulumi" in tests, e.g. an association created in the console.
 */
export function cloudCall(
  emu: RunningEmulator,
  product: ProductName,
  action: string,
  params: CallParams,
  region = "cn-hangzhou",
): Promise<Record<string, unknown>> {
  const ctx = createContext(
    envSource({}, {
      "alicloud:accessKey": emu.accessKeyId,
      "alicloud:secretKey": emu.accessKeySecret,
      "alicloud:region": region,
      "alicloud:endpoints": JSON.stringify([{ vpcipam: emu.url, eipanycast: emu.url }]),
    }),
  );
  return ctx.transport.call(product, action, params, { region });
}


const CLI = path.join(__dirname, "..", "..", "dist", "cli", "main.js");

/**
 * `pulumi-alicloud-release <command> --stack … --cwd …` through the built command line, with the stack's
 * environment (PATH with the pulumi CLI, passphrase, backend, and the target's own variables).
 */
export function runReleaseCli(command: "preflight" | "recover", s: TestStack, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, command, "--stack", s.stack, "--cwd", s.cwd, ...extra], { env: s.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `pulumi-alicloud-release preflight --stack … --cwd …` (see {@link runReleaseCli}). */
export function runPreflightCli(s: TestStack, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runReleaseCli("preflight", s, extra);
}
