/**
 * What the preflight and recover read of a stack (and recover writes back), through the Automation API of @pulumi/pulumi (a peer dependency):
 * a LocalWorkspace over the project directory, driving the `pulumi` CLI found on the environment's PATH.
 * Only the workspace's per-stack calls are used (`exportStack`, `getAllConfig` with the stack's name), never
 * `selectStack`, which would change the project's selected stack: the preflight changes nothing.
 */
import { accessSync, constants } from "node:fs";
import path from "node:path";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { CommandFailure } from "./io";

/** The `pulumi` executable on `PATH`, or undefined. */
export function pulumiOnPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, "pulumi");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

interface RunOutput {
  stdout?: string;
  stderr?: string;
  code?: number;
  exitCode?: number;
}

/**
 * The message of a failed CLI run as the Automation API reports it: its CommandError keeps the run's
 * result, and for a non-zero exit the underlying process error with the exit code and output.
 */
function pulumiFailure(what: string, cwd: string, err: unknown): CommandFailure {
  const result = (err as { commandResult?: RunOutput & { err?: RunOutput } } | undefined)?.commandResult;
  const run = result?.err ?? result;
  const detail = (run?.stderr || run?.stdout || (err instanceof Error ? err.message : String(err))).trim();
  const code = run?.exitCode ?? (result?.code !== undefined && result.code >= 0 ? result.code : undefined);
  return new CommandFailure(`\`pulumi ${what}\` (in ${cwd}) ${code !== undefined ? `exited with ${code}` : "failed"}: ${detail}`);
}

/** One stack of a project, read through a LocalWorkspace. */
export interface StackReader {
  readonly name: string;
  /** The stack's state with secrets in plaintext (`pulumi stack export --show-secrets`). */
  exportState(): Promise<unknown>;
  /** The current stack config, secrets shown (`pulumi config --json --show-secrets`). */
  config(): Promise<unknown>;
  /** Replaces the stack's state (`pulumi stack import`): only `recover --yes` writes. */
  importState(state: unknown): Promise<void>;
}

/**
 * Opens `stack` (default: the project's selected stack) of the project in `cwd`, with `env` as the CLI's
 * environment. The CLI is the `pulumi` on `env.PATH`; installed as `<root>/bin/pulumi`, as the Pulumi
 * installers do, it is used from there, otherwise the Automation API looks it up itself.
 */
export async function openStack(cwd: string, stack: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<StackReader> {
  const found = pulumiOnPath(env);
  if (found === undefined) {
    throw new CommandFailure("the pulumi CLI was not found on PATH (install it, or use --state FILE with a `pulumi stack export --show-secrets` file)");
  }
  let auto: typeof import("@pulumi/pulumi/automation");
  try {
    auto = await import("@pulumi/pulumi/automation");
  } catch (err) {
    throw new CommandFailure(`cannot load @pulumi/pulumi/automation (@pulumi/pulumi is a peer dependency: install it, or use --state FILE): ${(err as Error).message}`);
  }
  const envVars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  let workspace: LocalWorkspace;
  try {
    const binDir = path.dirname(found);
    const pulumiCommand = await auto.PulumiCommand.get(path.basename(binDir) === "bin" ? { root: path.dirname(binDir) } : {});
    workspace = await auto.LocalWorkspace.create({ workDir: cwd, envVars, pulumiCommand });
  } catch (err) {
    throw pulumiFailure("version", cwd, err);
  }
  let name = stack;
  if (name === undefined) {
    try {
      name = (await workspace.stack())?.name;
    } catch (err) {
      throw pulumiFailure("stack ls --json", cwd, err);
    }
    if (name === undefined) throw new CommandFailure(`no stack is selected in ${cwd}: pass --stack NAME`);
  }
  const stackName = name;
  return {
    name: stackName,
    exportState: () => workspace.exportStack(stackName).catch((err: unknown) => Promise.reject(pulumiFailure(`stack export --show-secrets --stack ${stackName}`, cwd, err))),
    config: () => workspace.getAllConfig(stackName).catch((err: unknown) => Promise.reject(pulumiFailure(`config --json --show-secrets --stack ${stackName}`, cwd, err))),
    importState: (state) =>
      workspace
        .importStack(stackName, state as Parameters<LocalWorkspace["importStack"]>[1])
        .catch((err: unknown) => Promise.reject(pulumiFailure(`stack import --stack ${stackName}`, cwd, err))),
  };
}
