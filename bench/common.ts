/**
 * What every benchmark part shares: where the repository is, the machine a figure was measured on,
 * writing results, plain-text tables, and a provider context pointed at an emulator.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { providerEnvFor, type RunningEmulator } from "../emulator";
import { CloudContext, ContextOverrides, createContext } from "../provider/cloud/context";
import { envSource } from "../provider/cloud/settings";

export const REGION = "cn-hangzhou";

/** The repository root, from `bench/` (ts-jest) or `dist/bench/` (compiled). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "pulumi-alicloud-release") return dir;
      } catch {
        /* not ours */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the pulumi-alicloud-release repository above ${__dirname}`);
    dir = up;
  }
}

export function pulumiBinDir(): string {
  const mod = require(path.join(repoRoot(), "scripts", "pulumi-bin-dir.js")) as { pulumiBinDir(): string };
  return mod.pulumiBinDir();
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  pulumiCli: string | null;
  pulumiSdk: string | null;
  gitCommit: string | null;
  /** 1/5/15-minute load averages when the part started: other work on the machine skews wall-clock figures. */
  loadAverage: number[];
  measuredAt: string;
}

function pulumiCliVersion(): string | null {
  const bin = path.join(pulumiBinDir(), "pulumi");
  if (!existsSync(bin)) return null;
  const r = spawnSync(bin, ["version"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_HOME: path.join(os.tmpdir(), "alicloud-release-bench-version") },
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const git = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot(), encoding: "utf8" });
  let sdk: string | null = null;
  try {
    sdk = (JSON.parse(readFileSync(path.join(repoRoot(), "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    sdk = null;
  }
  return {
    cpuModel: cpus[0]?.model?.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    pulumiCli: pulumiCliVersion(),
    pulumiSdk: sdk,
    gitCommit: git.status === 0 ? git.stdout.trim() : null,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    measuredAt: new Date().toISOString(),
  };
}

export function describeMachine(m: MachineInfo): string {
  return (
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}; ` +
    `Pulumi CLI ${m.pulumiCli ?? "(not built)"}, @pulumi/pulumi ${m.pulumiSdk ?? "?"}; commit ${m.gitCommit ?? "?"}; load average ${m.loadAverage.join(" ")}`
  );
}

export function resultsDir(): string {
  return path.join(repoRoot(), "bench", "results");
}

/** Writes `bench/results/<name>.json` atomically (a `.tmp` file, then rename). Returns the path. */
export function writeResult(name: string, value: unknown): string {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  renameSync(tmp, file);
  return file;
}

/** A plain-text table, columns padded; numbers right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || /^[-+]?[\d.,]+( ?[%x×s]|ms| KB| B)?$/.test(String(r[i]))));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** The same table in Markdown (for the README). */
export function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const esc = (c: string | number) => String(c).replace(/\|/g, "\\|");
  return [`| ${headers.map(esc).join(" | ")} |`, `|${headers.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}

export const seconds = (ms: number, digits = 2): string => `${(ms / 1000).toFixed(digits)} s`;

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const max = (xs: number[]): number => (xs.length === 0 ? NaN : Math.max(...xs));
export const min = (xs: number[]): number => (xs.length === 0 ? NaN : Math.min(...xs));

/** Where a provider reaches an emulator, in process or not, and with which credentials. */
export type EmulatorAddress = Pick<RunningEmulator, "url" | "accessKeyId" | "accessKeySecret" | "securityToken">;

/** The environment a provider process pointed at `emu` would have. No backoff override: production retry policy. */
export function emulatorEnv(emu: EmulatorAddress, extra: Record<string, string> = {}): Record<string, string> {
  return { ...providerEnvFor(emu, REGION), ...extra };
}

/** A context exactly as the provider's runtime builds one, over real HTTP to the emulator; progress lines are collected. */
export function emulatorContext(emu: EmulatorAddress, overrides: ContextOverrides = {}, extraEnv: Record<string, string> = {}): CloudContext & { lines: string[] } {
  const lines: string[] = [];
  const ctx = createContext(envSource(emulatorEnv(emu, extraEnv)), { ...overrides, progress: (l) => lines.push(l) });
  return Object.assign(ctx, { lines });
}

/** `--name value` / `--name=value` / `--flag` parsing for the bench entry points. */
export function parseArgs(argv: string[]): { flags: Set<string>; values: Map<string, string> } {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument "${a}"`);
    const eq = a.indexOf("=");
    if (eq > 0) {
      values.set(a.slice(2, eq), a.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
      values.set(a.slice(2), argv[++i]);
    } else {
      flags.add(a.slice(2));
    }
  }
  return { flags, values };
}
