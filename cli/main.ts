#!/usr/bin/env node
/**
 * `pulumi-alicloud-release <command>`: the package's command line. Commands: `preflight`, `recover`, `emulator`.
 */
import { CliIo, processIo } from "./io";
import { preflightCommand } from "./preflight";
import { recoverCommand } from "./recover";

export const USAGE = `Usage: pulumi-alicloud-release <command> [options]

Commands:
  preflight   predict what \`pulumi destroy\` would release or refuse, changing nothing
  recover     settle what a killed \`pulumi up\`/\`pulumi destroy\` left pending: no orphan, no duplicate
  emulator    run the local VpcIpam + Eipanycast emulator (until interrupted)

Run \`pulumi-alicloud-release <command> --help\` for the command's options.
`;

const COMMANDS: Record<string, (argv: readonly string[], io: CliIo) => Promise<number>> = {
  preflight: preflightCommand,
  recover: recoverCommand,
  // Loaded on demand; once started, the server keeps the process alive until SIGINT/SIGTERM.
  emulator: async (argv) => {
    await (require("../emulator/cli") as { main(argv: string[]): Promise<void> }).main([...argv]);
    return 0;
  },
};

/** Dispatches to a command; returns the exit status. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    (command === undefined ? io.stderr : io.stdout)(USAGE);
    return command === undefined ? 1 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr(`pulumi-alicloud-release: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 1;
  }
  try {
    return await run(rest, io);
  } catch (err) {
    io.stderr(`pulumi-alicloud-release ${command}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
