#!/usr/bin/env node
/**
 * `node dist/emulator/cli.js --port N [--host H] [--state FILE] [--access-key-id ID]
 *   [--access-key-secret S] [--security-token T] [--seed FILE.json] [--quiet]`
 *
 * First stdout line is exactly `emulator listening on http://HOST:PORT`, the address actually
 * bound (scripts wait for it); a few hint lines follow. Bound to a non-loopback interface, a
 * warning goes to stderr: the control plane has no authentication. Per-call log lines go to stderr (`--quiet` silences them).
 * SIGINT / SIGTERM: write the state file (with --state) and exit 0.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_HOST, type RunningEmulator, startEmulator } from "./server";

export const USAGE = `Usage: node dist/emulator/cli.js [options]

Local emulator of Alibaba Cloud VpcIpam (2023-02-28) and Eipanycast (2020-03-09).

Options:
  --port N                 TCP port (default 0 = any free port)
  --host H                 interface to bind (default ${DEFAULT_HOST})
  --state FILE             persist the inventory to FILE after every change; restore it on start
  --access-key-id ID       accepted AccessKeyId (default ${DEFAULT_ACCESS_KEY_ID})
  --access-key-secret S    its secret (default ${DEFAULT_ACCESS_KEY_SECRET})
  --security-token T       STS mode: every request must carry this security token
  --seed FILE.json         seed the models ({"vpcipam": {...}, "eipanycast": {...}});
                           skipped when --state FILE already exists
  --quiet                  do not log calls to stderr
  -h, --help               show this help

Control plane: http://HOST:PORT/_emulator/ (see emulator/README.md).
`;

function exposedWarning(listenUrl: string): string {
  return (
    `WARNING: the emulator listens on ${listenUrl}, reachable from other machines. Its control plane ` +
    `(/_emulator/: seed, reset, faults, state) is unauthenticated: anyone who can reach this port can ` +
    `change or read it. Bind to 127.0.0.1 unless you need remote access on a trusted network.\n`
  );
}

/** SIGINT / SIGTERM: write the state file (close does) and exit 0. */
function installStopHandlers(emulator: RunningEmulator): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[emulator] ${signal}: saving state and stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`[emulator] close failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

export async function main(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        state: { type: "string" },
        "access-key-id": { type: "string" },
        "access-key-secret": { type: "string" },
        "security-token": { type: "string" },
        seed: { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer 0-65535, got ${values.port}\n`);
    process.exit(2);
  }
  const stateExisted = values.state !== undefined && existsSync(values.state);
  let seed: Record<string, unknown> | undefined;
  if (values.seed !== undefined) {
    seed = JSON.parse(readFileSync(values.seed, "utf8")) as Record<string, unknown>;
  }

  const emulator = await startEmulator({
    port,
    host: values.host,
    statePath: values.state,
    accessKeyId: values["access-key-id"],
    accessKeySecret: values["access-key-secret"],
    securityToken: values["security-token"],
    log: values.quiet ? undefined : (line) => process.stderr.write(`[emulator] ${line}\n`),
  });
  // Before the banner: a script that reads the listening line may send SIGTERM at once, and the
  // default action would kill us without saving the state file.
  installStopHandlers(emulator);
  if (seed !== undefined && !stateExisted) emulator.control.seed(seed);

  const lines = [
    `emulator listening on ${emulator.listenUrl}`,
    `  endpoint:          ${emulator.endpoint}   (SDK Config: endpoint '${emulator.endpoint}', protocol 'HTTP')`,
    `  access key id:     ${emulator.accessKeyId}`,
    `  access key secret: ${emulator.accessKeySecret}`,
    ...(emulator.securityToken !== undefined ? [`  security token:    ${emulator.securityToken}`] : []),
    `  control plane:     ${emulator.url}/_emulator/ (state, calls, faults, ratelimit, timing, settle, seed, reset)`,
    ...(values.state !== undefined ? [`  state file:        ${values.state}${stateExisted ? " (restored)" : ""}`] : []),
    ...(seed !== undefined ? [`  seed:              ${values.seed}${stateExisted ? " (skipped: state restored)" : " (applied)"}`] : []),
  ];
  process.stdout.write(lines.join("\n") + "\n");
  if (emulator.exposed) process.stderr.write(exposedWarning(emulator.listenUrl));
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`emulator failed to start: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  });
}
